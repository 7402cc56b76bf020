SET lock_timeout = '5s';

-- The static rules cannot see inside this string; the schema snapshots can.
DO $$ BEGIN EXECUTE 'ALTER TABLE users DROP COLUMN legacy_code'; END $$;
CREATE INDEX users_email_idx ON users (email);
