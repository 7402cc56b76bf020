ALTER TABLE orders ADD COLUMN notes text;
COMMENT ON COLUMN orders.notes IS 'Free text from the customer';
