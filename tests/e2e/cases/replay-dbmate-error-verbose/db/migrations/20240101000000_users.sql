-- migrate:up
CREATE TABLE users (id int PRIMARY KEY, email text);

-- migrate:down
DROP TABLE users;
