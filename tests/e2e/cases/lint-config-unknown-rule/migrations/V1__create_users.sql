CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  legacy_name text
);
CREATE INDEX users_email_idx ON users (email);
