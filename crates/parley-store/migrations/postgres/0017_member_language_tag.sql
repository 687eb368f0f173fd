-- A contact's language as given (any BCP 47 tag: `nl`, `nl-BE`); `language` keeps the nearest
-- one Parley writes in (English when none is near).
ALTER TABLE members ADD COLUMN language_tag TEXT;
