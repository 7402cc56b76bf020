-- Adds a unique constraint.
-- Reviewed by nobody.

-- migrate:up
ALTER TABLE users
  ADD CONSTRAINT users_email_key UNIQUE (emial);

-- migrate:down
ALTER TABLE users DROP CONSTRAINT users_email_key;
