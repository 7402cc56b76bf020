-- CONCURRENTLY cannot run inside a transaction block: pgdrift sees that in the
-- parse tree and replays this migration without one, as Flyway would need to.
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);
