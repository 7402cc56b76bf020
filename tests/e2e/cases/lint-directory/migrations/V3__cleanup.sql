SET lock_timeout = '5s';

-- pgdrift:ignore drop-table archived to cold storage in OPS-42
DROP TABLE IF EXISTS audit_log;
-- pgdrift:ignore drop-tabel typo in the rule id
DROP TABLE sessions;
