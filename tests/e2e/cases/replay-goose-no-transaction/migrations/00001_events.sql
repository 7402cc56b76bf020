-- +goose Up
CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, at timestamptz NOT NULL DEFAULT now());

-- +goose Down
DROP TABLE events;
