-- The demo's source data: a small shop.
DROP DATABASE IF EXISTS shop;
CREATE DATABASE shop;
USE shop;
CREATE TABLE customers (
  id INT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(200),
  tier ENUM('basic', 'gold') NOT NULL DEFAULT 'basic',
  created_at DATETIME(6) NOT NULL
);
CREATE TABLE orders (
  id BIGINT UNSIGNED PRIMARY KEY,
  customer_id INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  amount DECIMAL(12, 2) NOT NULL,
  note TEXT,
  placed_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
);
INSERT INTO customers VALUES
  (1, 'Ada Lovelace', 'ada@example.com', 'gold', '2026-01-05 09:30:00.000001'),
  (2, 'Grace Hopper', NULL, 'basic', '2026-02-11 14:00:00'),
  (3, 'Zoë Ångström', 'zoe@example.com', 'basic', '2026-03-01 08:15:30.5');
INSERT INTO orders (id, customer_id, status, amount, note, placed_at) VALUES
  (1001, 1, 'paid', 120.50, 'gift wrap', '2026-03-02 10:00:00.123'),
  (1002, 2, 'draft', 9.99, NULL, '2026-03-02 10:05:00'),
  (1003, 3, 'shipped', 42.00, 'fragile: 😀', '2026-03-03 16:45:10.5');
