-- A typo an assistant could easily write: the column is "notes", not "note".
UPDATE orders
SET note = 'imported'
WHERE notes IS NULL;
