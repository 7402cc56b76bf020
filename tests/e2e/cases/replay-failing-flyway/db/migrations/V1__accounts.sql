CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    name varchar(50) NOT NULL
);
