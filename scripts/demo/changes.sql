-- Changes made while mig streams: each becomes one Canal JSON message (the draft order is filtered out).
USE shop;
INSERT INTO orders (id, customer_id, status, amount, note) VALUES (1004, 1, 'paid', 75.25, 'second order');
INSERT INTO orders (id, customer_id, status, amount) VALUES (1005, 2, 'draft', 1.00);
UPDATE customers SET tier = 'gold', email = 'grace@example.com' WHERE id = 2;
DELETE FROM orders WHERE id = 1003;
ALTER TABLE customers ADD COLUMN country CHAR(2) NULL AFTER email;
INSERT INTO customers (id, name, email, country, tier, created_at) VALUES (4, 'Katherine Johnson', NULL, 'US', 'basic', NOW(6));
