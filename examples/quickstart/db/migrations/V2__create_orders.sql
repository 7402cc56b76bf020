CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');

CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint       NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status      order_status NOT NULL DEFAULT 'pending',
    total_cents integer      NOT NULL CHECK (total_cents >= 0),
    created_at  timestamptz  NOT NULL DEFAULT now()
);
