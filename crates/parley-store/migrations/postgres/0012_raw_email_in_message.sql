-- The raw email moves into its message's row (as SQLite's 0013 does, where it spares two
-- B-trees per emailed message; here it keeps one schema for both backends' queries).
ALTER TABLE messages ADD COLUMN email_raw BYTEA;
UPDATE messages m
   SET email_raw = o.raw
  FROM email_originals o
 WHERE o.message_id = m.id;
DROP TABLE email_originals;
