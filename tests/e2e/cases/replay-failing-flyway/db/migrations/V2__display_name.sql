-- widen the name, then fill a column that does not exist yet
ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);

UPDATE accounts
   SET display_name = name;
