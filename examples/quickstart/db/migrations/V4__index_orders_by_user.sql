-- CONCURRENTLY cannot run inside a transaction block, and Flyway refuses a migration that mixes
-- it with statements that can (the SET below) unless the script's .conf file says how to run
-- it: V4__index_orders_by_user.sql.conf has executeInTransaction=false.
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);
