-- A request's buyer details are what the marketplace that sent it said (name, company, phone,
-- country): one marketplace can no longer change what sellers see of a buyer on the requests
-- another marketplace sent. The buyer row keeps the identity (the email one signs in with) and
-- the details it was first created with.
ALTER TABLE requests ADD COLUMN buyer_name TEXT;
ALTER TABLE requests ADD COLUMN buyer_company TEXT;
ALTER TABLE requests ADD COLUMN buyer_phone TEXT;
ALTER TABLE requests ADD COLUMN buyer_country TEXT;
UPDATE requests SET
    buyer_name = (SELECT b.name FROM buyers b WHERE b.id = requests.buyer_id),
    buyer_company = (SELECT b.company FROM buyers b WHERE b.id = requests.buyer_id),
    buyer_phone = (SELECT b.phone FROM buyers b WHERE b.id = requests.buyer_id),
    buyer_country = (SELECT b.country FROM buyers b WHERE b.id = requests.buyer_id);
