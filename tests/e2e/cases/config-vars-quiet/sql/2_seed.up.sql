INSERT INTO {{ index .Options "Namespace" }}.invoices (id, amount) VALUES (1, 10);
