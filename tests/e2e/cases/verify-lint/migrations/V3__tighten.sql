SET lock_timeout = '5s';

-- pgdrift:allow-destructive emails are unique already; the index replaces users_email_idx
DROP INDEX users_email_idx;
ALTER TABLE users ALTER COLUMN id TYPE numeric(30);
