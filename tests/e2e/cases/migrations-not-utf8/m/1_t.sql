CREATE TABLE t (id int);
-- café in Latin-1
