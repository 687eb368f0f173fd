-- The buyer's time zone as the marketplace sent it with the request (an IANA name), so the
-- sellers can tell the buyer's local time.
ALTER TABLE requests ADD COLUMN buyer_time_zone TEXT;
