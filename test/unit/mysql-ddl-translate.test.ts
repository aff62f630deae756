// Replicated DDL rewritten for a MySQL destination's names: many statement shapes, qualified and
// unqualified names, renamed and left-out columns, statements outside the migration.
import { describe, expect, it } from 'vitest';
import { TargetNames } from '../../src/connectors/sinks/mysql/names.js';
import { translateDdl } from '../../src/connectors/sinks/mysql/ddl-translate.js';
import { rewriteCreateTable } from '../../src/connectors/sinks/mysql/create-table.js';
import { tokenize } from '../../src/connectors/sinks/mysql/sql-tokens.js';
import { MigError } from '../../src/util/errors.js';

const names = new TargetNames([
  {
    database: 'shop',
    target: 'shop_dst',
    tables: [
      { name: 'orders', target: 'orders_v2', rename: { amount: 'total', note: 'remark' }, columns: { exclude: ['secret'] } },
      { name: 'users' },
      { name: 'picked', columns: { include: ['id', 'a'] } },
      { name: 'noddl', operations: ['insert', 'update', 'delete'] },
    ],
  },
  { database: 'app', target: 'app_dst' },
  { database: 'same' },
]);

const tr = (database: string, sql: string) => translateDdl({ database, sql }, names);
const sqlOf = (database: string, sql: string) => tr(database, sql)?.sql;

describe('CREATE TABLE', () => {
  it('maps an unqualified name through the session database, renames and leaves out columns', () => {
    const t = tr('shop', 'CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, secret VARCHAR(10), note TEXT)')!;
    expect(t.kind).toBe('create-table');
    expect(t.database).toBe('shop_dst');
    expect(t.tables).toEqual([{ database: 'shop_dst', table: 'orders_v2' }]);
    expect(t.sql).toBe('CREATE TABLE `shop_dst`.`orders_v2` (\n  id INT PRIMARY KEY,\n  `total` DECIMAL(10,2) NOT NULL,\n  `remark` TEXT\n)');
  });

  it('maps a qualified name whatever the session database is', () => {
    expect(sqlOf('elsewhere', 'create table `shop`.`users` (id int)')).toBe('create table `shop_dst`.`users` (\n  id int\n)');
    expect(sqlOf('', 'CREATE TABLE IF NOT EXISTS same.t (a INT) ENGINE=InnoDB;')).toBe('CREATE TABLE IF NOT EXISTS `same`.`t` (\n  a INT\n) ENGINE=InnoDB');
  });

  it('removes left-out columns from keys, drops unique keys and generated columns that need them, drops foreign keys', () => {
    const t = tr('shop', `CREATE TABLE orders (
      id INT, amount INT, secret INT, note TEXT,
      tot2 INT AS (amount * 2) VIRTUAL, s2 INT AS (secret + 1) STORED,
      PRIMARY KEY (id), KEY k (amount, secret), UNIQUE KEY u (id, secret), KEY only_secret (secret),
      CONSTRAINT fk FOREIGN KEY (id) REFERENCES users (id), CONSTRAINT c CHECK (amount > 0), CHECK (secret > 0))`)!;
    expect(t.sql).toContain('`total` INT');
    expect(t.sql).toContain('tot2 INT AS (`total` * 2) VIRTUAL');
    expect(t.sql).not.toMatch(/secret|s2|FOREIGN|only_secret|UNIQUE/);
    expect(t.sql).toContain('KEY k (`total`)');
    expect(t.sql).toContain('CONSTRAINT c CHECK (`total` > 0)');
    expect(t.notes.join('\n')).toMatch(/generated column s2 is left out/);
    expect(t.notes.join('\n')).toMatch(/unique key u is dropped/);
    expect(t.notes.join('\n')).toMatch(/foreign key fk is not created/);
  });

  it('include lists: columns not listed are left out', () => {
    expect(sqlOf('shop', 'CREATE TABLE picked (id INT, a INT, b INT, KEY kb (b))')).toBe('CREATE TABLE `shop_dst`.`picked` (\n  id INT,\n  a INT\n)');
  });

  it('keeps TiDB comments, partitioning (renamed) and table options', () => {
    const show = 'CREATE TABLE `orders` (\n  `id` bigint(20) NOT NULL /*T![auto_rand] AUTO_RANDOM(5) */,\n  `amount` decimal(10,2) DEFAULT NULL,\n  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin\n/*!50100 PARTITION BY RANGE (`amount`)\n(PARTITION p0 VALUES LESS THAN (10)) */';
    const r = rewriteCreateTable(show, names.table('shop', 'orders')!, { ifNotExists: true });
    expect(r.sql).toBe('CREATE TABLE IF NOT EXISTS `shop_dst`.`orders_v2` (\n  `id` bigint(20) NOT NULL /*T![auto_rand] AUTO_RANDOM(5) */,\n  `total` decimal(10,2) DEFAULT NULL,\n  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin\n/*!50100 PARTITION BY RANGE (`total`)\n(PARTITION p0 VALUES LESS THAN (10)) */');
  });

  it('keeps strings and comments that look like names', () => {
    const r = sqlOf('shop', "CREATE TABLE orders (id INT, amount INT DEFAULT 0 COMMENT 'amount; secret, ) note', note TEXT) COMMENT='orders (amount)'");
    expect(r).toBe("CREATE TABLE `shop_dst`.`orders_v2` (\n  id INT,\n  `total` INT DEFAULT 0 COMMENT 'amount; secret, ) note',\n  `remark` TEXT\n) COMMENT='orders (amount)'");
  });

  it('CREATE TABLE … LIKE maps both names', () => {
    expect(sqlOf('same', 'CREATE TABLE t2 LIKE shop.orders')).toBe('CREATE TABLE `same`.`t2` LIKE `shop_dst`.`orders_v2`');
    expect(sqlOf('shop', 'CREATE TABLE users (LIKE orders)')).toBe('CREATE TABLE `shop_dst`.`users` (LIKE `shop_dst`.`orders_v2`)');
  });

  it('skips tables outside the migration, temporary tables and tables without ddl', () => {
    expect(tr('shop', 'CREATE TABLE not_listed (a INT)')).toBeUndefined();
    expect(tr('nowhere', 'CREATE TABLE t (a INT)')).toBeUndefined();
    expect(tr('same', 'CREATE TEMPORARY TABLE t (a INT)')).toBeUndefined();
    expect(tr('shop', 'CREATE TABLE noddl (a INT)')).toBeUndefined();
  });

  it('fails on a table left with no columns', () => {
    expect(() => tr('shop', 'CREATE TABLE picked (x INT)')).toThrow(/every column is left out/);
  });
});

describe('ALTER TABLE', () => {
  it('renames columns in ADD/DROP/MODIFY/CHANGE/ALTER/RENAME COLUMN and AFTER', () => {
    expect(sqlOf('shop', 'ALTER TABLE orders ADD COLUMN c INT AFTER amount, MODIFY note VARCHAR(100), ALTER COLUMN amount SET DEFAULT 1, DROP COLUMN note'))
      .toBe('ALTER TABLE `shop_dst`.`orders_v2` ADD COLUMN c INT AFTER `total`, MODIFY `remark` VARCHAR(100), ALTER COLUMN `total` SET DEFAULT 1, DROP COLUMN `remark`');
    expect(sqlOf('shop', 'ALTER TABLE orders CHANGE COLUMN amount amount2 DECIMAL(12,2) NOT NULL FIRST'))
      .toBe('ALTER TABLE `shop_dst`.`orders_v2` CHANGE COLUMN `total` amount2 DECIMAL(12,2) NOT NULL FIRST');
    expect(sqlOf('shop', 'alter table `shop`.`orders` rename column note to note2')).toBe('alter table `shop_dst`.`orders_v2` rename column `remark` to note2');
  });

  it('drops clauses on columns left out; skips the statement when none is left', () => {
    const t = tr('shop', 'ALTER TABLE orders ADD secret2 INT, DROP COLUMN secret, ADD INDEX i (note, secret), ADD UNIQUE u (secret, id)')!;
    expect(t.sql).toBe('ALTER TABLE `shop_dst`.`orders_v2` ADD secret2 INT, ADD INDEX i (`remark`)');
    expect(t.notes.join('\n')).toMatch(/column secret is not migrated/);
    expect(tr('shop', 'ALTER TABLE orders DROP secret')).toBeUndefined();
    expect(tr('shop', 'ALTER TABLE picked ADD COLUMN b INT')).toBeUndefined();
    expect(sqlOf('shop', 'ALTER TABLE orders ADD COLUMN x INT AFTER secret')).toBe('ALTER TABLE `shop_dst`.`orders_v2` ADD COLUMN x INT ');
  });

  it('a column renamed into the migration is added', () => {
    expect(sqlOf('shop', 'ALTER TABLE picked CHANGE b a INT NOT NULL')).toBe('ALTER TABLE `shop_dst`.`picked` ADD COLUMN a INT NOT NULL');
  });

  it('ADD COLUMN (list), keys, generated columns, CHECK', () => {
    expect(sqlOf('shop', 'ALTER TABLE orders ADD (x INT, secret INT, y INT AS (amount + 1))')).toBe('ALTER TABLE `shop_dst`.`orders_v2` ADD (x INT, y INT AS (`total` + 1))');
    expect(sqlOf('shop', 'ALTER TABLE orders ADD PRIMARY KEY (id), ADD CONSTRAINT ck CHECK (amount >= 0)')).toBe('ALTER TABLE `shop_dst`.`orders_v2` ADD PRIMARY KEY (id), ADD CONSTRAINT ck CHECK (`total` >= 0)');
  });

  it('drops foreign keys and TiDB-only clauses, keeps table options and index operations', () => {
    expect(tr('shop', 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES users(id)')).toBeUndefined();
    expect(tr('shop', 'ALTER TABLE orders DROP FOREIGN KEY fk')).toBeUndefined();
    expect(tr('same', 'ALTER TABLE t SET TIFLASH REPLICA 1')).toBeUndefined();
    expect(sqlOf('same', 'ALTER TABLE t ENGINE=InnoDB, CONVERT TO CHARACTER SET utf8mb4')).toBe('ALTER TABLE `same`.`t` ENGINE=InnoDB, CONVERT TO CHARACTER SET utf8mb4');
    expect(sqlOf('same', 'ALTER TABLE t DROP INDEX i, RENAME INDEX a TO b, ALTER INDEX c INVISIBLE')).toBe('ALTER TABLE `same`.`t` DROP INDEX i, RENAME INDEX a TO b, ALTER INDEX c INVISIBLE');
  });

  it('RENAME TO maps the new name too', () => {
    const t = tr('shop', 'ALTER TABLE orders RENAME TO orders_old')!;
    expect(t.sql).toBe('ALTER TABLE `shop_dst`.`orders_v2` RENAME TO `shop_dst`.`orders_old`');
    expect(t.tables).toEqual([{ database: 'shop_dst', table: 'orders_v2' }, { database: 'shop_dst', table: 'orders_old' }]);
    expect(sqlOf('shop', 'ALTER TABLE users RENAME AS app.people')).toBe('ALTER TABLE `shop_dst`.`users` RENAME AS `app_dst`.`people`');
  });

  it('skips tables outside the migration', () => {
    expect(tr('shop', 'ALTER TABLE zzz ADD x INT')).toBeUndefined();
    expect(tr('other', 'ALTER TABLE t ADD x INT')).toBeUndefined();
    expect(tr('other', 'ALTER TABLE shop.users ADD x INT')!.sql).toBe('ALTER TABLE `shop_dst`.`users` ADD x INT');
  });
});

describe('DROP, RENAME, TRUNCATE, INDEX', () => {
  it('DROP TABLE keeps only migrated tables', () => {
    expect(sqlOf('shop', 'DROP TABLE IF EXISTS orders, zzz, `users` CASCADE')).toBe('DROP TABLE IF EXISTS `shop_dst`.`orders_v2`, `shop_dst`.`users`');
    expect(sqlOf('x', 'DROP TABLE same.t')).toBe('DROP TABLE `same`.`t`');
    expect(tr('shop', 'DROP TABLE zzz')).toBeUndefined();
    expect(tr('shop', 'DROP TEMPORARY TABLE orders')).toBeUndefined();
  });

  it('RENAME TABLE maps each pair, skipping tables outside the migration', () => {
    const t = tr('shop', 'RENAME TABLE orders TO orders_old, users TO app.people, zzz TO yyy')!;
    expect(t.sql).toBe('RENAME TABLE `shop_dst`.`orders_v2` TO `shop_dst`.`orders_old`, `shop_dst`.`users` TO `app_dst`.`people`');
    expect(tr('shop', 'RENAME TABLE zzz TO yyy')).toBeUndefined();
    expect(tr('shop', 'RENAME TABLE zzz TO users')).toBeUndefined();
  });

  it('TRUNCATE with and without TABLE', () => {
    expect(sqlOf('shop', 'TRUNCATE orders')).toBe('TRUNCATE TABLE `shop_dst`.`orders_v2`');
    expect(sqlOf('x', 'truncate table `same`.`t`')).toBe('TRUNCATE TABLE `same`.`t`');
    expect(tr('shop', 'TRUNCATE TABLE noddl')).toBeUndefined();
  });

  it('CREATE/DROP INDEX', () => {
    expect(sqlOf('shop', 'CREATE INDEX idx ON orders (amount(5) DESC, note)')).toBe('CREATE INDEX idx ON `shop_dst`.`orders_v2` (`total`(5) DESC,`remark`)');
    expect(tr('shop', 'CREATE UNIQUE INDEX u ON orders (id, secret)')).toBeUndefined();
    expect(sqlOf('shop', 'CREATE INDEX idx ON orders (id, secret)')).toBe('CREATE INDEX idx ON `shop_dst`.`orders_v2` (id)');
    expect(sqlOf('shop', 'DROP INDEX idx ON orders')).toBe('DROP INDEX idx ON `shop_dst`.`orders_v2`');
  });
});

describe('views', () => {
  it('strips DEFINER and maps the view and the databases its SELECT reads', () => {
    const t = tr('app', 'CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v` AS select `app`.`t`.`id` AS `id` from `app`.`t` join `shop`.`orders` `o` on `o`.`id` = `t`.`id`')!;
    expect(t.kind).toBe('create-view');
    expect(t.sql).toBe('CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `app_dst`.`v` AS select `app_dst`.`t`.`id` AS `id` from `app_dst`.`t` join `shop_dst`.`orders_v2` `o` on `o`.`id` = `t`.`id`');
    expect(t.database).toBe('app_dst');
  });

  it('CREATE OR REPLACE, ALTER VIEW, DEFINER forms', () => {
    expect(sqlOf('app', "CREATE OR REPLACE DEFINER = CURRENT_USER VIEW v2 AS SELECT 1")).toBe('CREATE OR REPLACE VIEW `app_dst`.`v2` AS SELECT 1');
    expect(sqlOf('app', "CREATE DEFINER='u'@'localhost' VIEW v3 (a) AS SELECT x FROM t")).toBe('CREATE VIEW `app_dst`.`v3` (a) AS SELECT x FROM t');
    expect(tr('app', 'ALTER DEFINER=root@localhost VIEW v AS SELECT 2')).toEqual(expect.objectContaining({ kind: 'alter-view', sql: 'ALTER VIEW `app_dst`.`v` AS SELECT 2' }));
  });

  it('views of databases whose tables are picked one by one stay behind', () => {
    expect(tr('shop', 'CREATE VIEW v AS SELECT 1')).toBeUndefined();
    expect(sqlOf('app', 'DROP VIEW IF EXISTS v, shop.v, same.w')).toBe('DROP VIEW IF EXISTS `app_dst`.`v`, `same`.`w`');
  });
});

describe('statements mig does not replicate', () => {
  it('database statements: skipped outside the migration, an error inside it', () => {
    expect(tr('x', 'CREATE DATABASE newdb')).toBeUndefined();
    expect(() => tr('x', 'DROP DATABASE shop')).toThrow(MigError);
    expect(() => tr('x', 'DROP DATABASE shop')).toThrow(/database statements are not replicated/);
  });

  it('unknown statements: an error with a fix in a migrated database, skipped elsewhere', () => {
    let err: unknown;
    try {
      tr('shop', 'CREATE TRIGGER trg BEFORE INSERT ON orders FOR EACH ROW SET NEW.a = 1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MigError);
    expect((err as MigError).code).toBe('ddl-unsupported');
    expect((err as MigError).hint).toMatch(/set ddl: ignore/);
    expect(tr('other', 'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1')).toBeUndefined();
    // A database whose tables all leave ddl out: skipped too.
    const quiet = new TargetNames([{ database: 'q', tables: [{ name: 't', operations: ['insert'] }] }]);
    expect(translateDdl({ database: 'q', sql: 'CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1' }, quiet)).toBeUndefined();
    expect(quiet.replicatesDdl('q')).toBe(false);
    expect(names.replicatesDdl('shop')).toBe(true);
    // The DDL policy: a table's own ddl, and spec.ddl for the tables that set none.
    expect(new TargetNames([{ database: 'q', tables: [{ name: 't', ddl: 'ignore' }] }]).replicatesDdl('q')).toBe(false);
    expect(new TargetNames([{ database: 'q' }], 'ignore').replicatesDdl('q')).toBe(false);
    expect(new TargetNames([{ database: 'q', tables: [{ name: 't', ddl: 'replicate' }] }], 'ignore').replicatesDdl('q')).toBe(true);
    expect(translateDdl({ database: 'q', sql: 'ALTER TABLE t ADD x INT' }, new TargetNames([{ database: 'q', tables: [{ name: 't', ddl: 'stop' }] }]))).toBeUndefined();
  });
});

describe('tokenizer', () => {
  it('keeps strings, quoted names and comments whole', () => {
    const t = tokenize("SELECT 'a''b\\'c', `x``y`, /* c */ -- d\n#e\n\"q\"").filter((x) => x.type !== 'space');
    expect(t.map((x) => [x.type, x.value])).toEqual([
      ['word', 'SELECT'], ['string', "'a''b\\'c'"], ['punct', ','], ['ident', 'x`y'], ['punct', ','],
      ['comment', '/* c */'], ['comment', '-- d'], ['comment', '#e'], ['string', '"q"'],
    ]);
  });
});
