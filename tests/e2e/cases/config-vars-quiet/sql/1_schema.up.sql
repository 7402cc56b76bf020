CREATE SCHEMA {{ index .Options "Namespace" }};
CREATE TABLE {{ index .Options "Namespace" }}.invoices (id int);
