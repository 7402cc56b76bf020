CREATE TABLE users (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  legacy_code text
);
INSERT INTO users SELECT g, 'user' || g || '@example.com', 'x' FROM generate_series(1, 100) AS g;
