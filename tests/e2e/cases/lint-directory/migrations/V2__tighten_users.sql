SET lock_timeout = '5s';

ALTER TABLE users DROP COLUMN legacy_name;
CREATE INDEX users_email_lower_idx ON users (lower(email));
ALTER TABLE users
  ADD COLUMN signup_source varchar(20) NOT NULL;
