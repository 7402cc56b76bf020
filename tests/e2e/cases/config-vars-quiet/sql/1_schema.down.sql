DROP SCHEMA {{ index .Options "Namespace" }} CASCADE;
