// The MySQL destination against the project's MariaDB: schema creation under mapped names, the full
// load's two modes, exactly-once application of upstream transactions (rows and checkpoint in one
// transaction), DDL recorded as pending and finished after a crash, and every column type end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MYSQL_PORT, rootConnection, uniqueName } from './helpers/env.js';
import { MysqlDestination, type ObjectSpec } from '../../src/spec/schema.js';
import {
  MysqlApplier, TargetNames, checkNoConflicts, connectDestination, createDatabase, createTable, createViews, existingTables, listViews,
  type DestinationEndpoint,
} from '../../src/connectors/sinks/mysql/index.js';
import { writeCheckpoint } from '../../src/connectors/sinks/mysql/checkpoint.js';
import { describeTable } from '../../src/connectors/sources/mysql/inspect.js';
import { TableChunker } from '../../src/connectors/sources/mysql/snapshot-reader.js';
import type { ChangeEvent, Row } from '../../src/model/source-data.js';
import { MigError } from '../../src/util/errors.js';
import { typeTableSql } from '../support/type-sql.js';

const SRC = uniqueName('mdsrc');
const SRC2 = uniqueName('mdapp');
const DST = uniqueName('mddst');
const DST2 = uniqueName('mdappdst');
const CP = uniqueName('mdcp');

const objects: ObjectSpec[] = [
  {
    database: SRC,
    target: DST,
    tables: [
      { name: 'orders', target: 'orders_v2', rename: { amount: 'total' }, columns: { exclude: ['secret'] } },
      { name: 'users' },
      { name: 'nokey' },
      { name: 'types' },
      { name: 'blobs' },
      { name: 'gen' },
    ],
  },
  { database: SRC2, target: DST2 },
];
const names = new TargetNames(objects);
const spec = (over: Partial<MysqlDestination> = {}) =>
  MysqlDestination.parse({ type: 'mysql', host: '127.0.0.1', port: MYSQL_PORT, user: 'root', checkpointDatabase: CP, batchRows: 3, ...over });
const ep: DestinationEndpoint = { spec: spec(), projectRoot: process.cwd() };

let root: Connection;
const notes: string[] = [];
const openApplier = (migration = 'm1') => MysqlApplier.open(ep, { migration, names, onNote: (n) => notes.push(n) });

async function rows(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [r] = await root.query<RowDataPacket[]>(sql, params);
  return r;
}

async function count(sql: string): Promise<number> {
  const [r] = await rows(sql);
  return Number(r!.n);
}

let nextId = 1;
const ins = (table: string, after: Row, database = SRC): ChangeEvent => ({ kind: 'row', op: 'insert', database, table, after, timestamp: 0, id: nextId++ });
const upd = (table: string, before: Row, after: Row, database = SRC): ChangeEvent => ({ kind: 'row', op: 'update', database, table, before, after, timestamp: 0, id: nextId++ });
const del = (table: string, before: Row, database = SRC): ChangeEvent => ({ kind: 'row', op: 'delete', database, table, before, timestamp: 0, id: nextId++ });
const ddl = (sql: string, database = SRC): ChangeEvent => ({ kind: 'ddl', database, sql, timestamp: 0, id: nextId++ });

beforeAll(async () => {
  root = await rootConnection();
  await root.query(`CREATE DATABASE ${SRC} DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await root.query(`CREATE DATABASE ${SRC2}`);
  await root.query(`CREATE TABLE ${SRC}.users (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)`);
  await root.query(`CREATE TABLE ${SRC}.orders (
      id INT NOT NULL, amount DECIMAL(10,2) NOT NULL, secret VARCHAR(20), note TEXT, user_id INT,
      PRIMARY KEY (id), KEY k_amount (amount, secret), UNIQUE KEY u_secret (secret),
      CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES ${SRC}.users (id))`);
  await root.query(`CREATE TABLE ${SRC}.nokey (a INT, b VARCHAR(10))`);
  await root.query(`CREATE TABLE ${SRC}.blobs (id INT PRIMARY KEY, b LONGBLOB)`);
  await root.query(`CREATE TABLE ${SRC}.gen (id INT PRIMARY KEY, a INT, twice INT AS (a * 2) VIRTUAL, kept INT AS (a + 1) STORED)`);
  await root.query(`CREATE TABLE ${SRC2}.t (id INT PRIMARY KEY, v VARCHAR(10))`);
  await root.query(`CREATE VIEW ${SRC2}.v_inner AS SELECT id, v FROM ${SRC2}.t WHERE id > 0`);
  await root.query(`CREATE VIEW ${SRC2}.v_outer AS SELECT id FROM ${SRC2}.v_inner`);
});

afterAll(async () => {
  for (const db of [SRC, SRC2, DST, DST2, CP]) await root.query(`DROP DATABASE IF EXISTS ${db}`);
  await root.end();
});

describe('connecting', () => {
  const fails = async (over: Partial<MysqlDestination>, password?: string) => {
    const err = await connectDestination({ spec: spec(over), password, projectRoot: process.cwd() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigError);
    return err as MigError;
  };

  it('says what to fix, and never prints the password', async () => {
    const auth = await fails({ user: 'nobody_here' }, 'S3cret-pw!');
    expect(auth.code).toBe('destination-auth');
    expect(`${auth.message} ${auth.hint}`).not.toContain('S3cret-pw!');
    expect(auth.hint).toMatch(/spec.destination.user/);
    expect((await fails({ port: 1 })).code).toBe('destination-unreachable');
    // The test server has TLS off: asking for TLS must fail, not fall back to plain text.
    const tls = await fails({ tls: {} });
    expect(tls.code).toBe('destination-tls');
    expect(tls.hint).toMatch(/enable TLS|tls/);
  });
});

describe('schema', () => {
  it('creates databases and tables under mapped names, without left-out columns and foreign keys', async () => {
    const src = await rootConnection();
    const dest = await connectDestination(ep);
    try {
      expect(await createDatabase(src, dest, names, SRC)).toBe(DST);
      expect(await createDatabase(src, dest, names, SRC2)).toBe(DST2);
      const [db] = await rows('SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [DST]);
      expect(db!.c).toBe('utf8mb4_unicode_ci');
      const refs = ['users', 'orders', 'nokey', 'blobs', 'gen'].map((table) => ({ database: SRC, table }));
      const created = [];
      for (const r of refs) created.push(await createTable(src, dest, names, r));
      created.push(await createTable(src, dest, names, { database: SRC2, table: 't' }));
      const orders = created[1]!;
      expect(orders.target).toEqual({ database: DST, table: 'orders_v2' });
      expect(orders.existed).toBe(false);
      expect(orders.notes.join('\n')).toMatch(/foreign key fk_user is not created/);
      expect(orders.notes.join('\n')).toMatch(/unique key u_secret is dropped/);
      const cols = await rows('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [DST, 'orders_v2']);
      expect(cols.map((c) => c.c)).toEqual(['id', 'total', 'note', 'user_id']);
      const idx = await rows('SELECT INDEX_NAME AS i, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX', [DST, 'orders_v2']);
      // fk_user is the index InnoDB made for the foreign key at the source: the index stays, the key goes.
      expect(idx.map((r) => `${r.i}.${r.c}`)).toEqual(['fk_user.user_id', 'k_amount.total', 'PRIMARY.id']);
      const fks = await rows("SELECT COUNT(*) AS n FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = ? AND CONSTRAINT_TYPE = 'FOREIGN KEY'", [DST]);
      expect(Number(fks[0]!.n)).toBe(0);

      // Again: kept as they are.
      expect((await createTable(src, dest, names, refs[1]!)).existed).toBe(true);
      const targets = created.map((c) => c.target);
      expect(await existingTables(dest, [...targets, { database: DST, table: 'nope' }])).toHaveLength(targets.length);
      await expect(checkNoConflicts(dest, targets, undefined)).rejects.toThrow(/already exist/);
      await expect(checkNoConflicts(dest, targets, 'ignore')).resolves.toHaveLength(targets.length);

      // Views of the whole database, the one reading the other created after it, DEFINER gone.
      const views = await listViews(src, SRC2);
      expect(views).toEqual(['v_inner', 'v_outer']);
      const made = await createViews(src, dest, names, SRC2, [...views].reverse());
      expect(made.map((v) => v.target.table).sort()).toEqual(['v_inner', 'v_outer']);
      const [vdef] = await rows('SELECT VIEW_DEFINITION AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [DST2, 'v_inner']);
      expect(String(vdef!.d)).toContain(`\`${DST2}\`.\`t\``);
      expect(String(vdef!.d)).not.toContain(SRC2 + '`');
    } finally {
      await src.end();
      await dest.end();
    }
  });
});

describe('full load', () => {
  it('keep-existing leaves existing rows, upsert overwrites; both in batches of batchRows', async () => {
    await root.query(`INSERT INTO ${DST}.users VALUES (1, 'already there')`);
    const a = await openApplier();
    try {
      const load = Array.from({ length: 7 }, (_, i) => ({ id: String(i + 1), name: `user ${i + 1}` }));
      expect(await a.writeRows({ database: SRC, table: 'users' }, load, 'keep-existing')).toBe(7);
      let r = await rows(`SELECT id, name FROM ${DST}.users ORDER BY id`);
      expect(r).toHaveLength(7);
      expect(r[0]!.name).toBe('already there');
      expect(r[6]!.name).toBe('user 7');
      await a.writeRows({ database: SRC, table: 'users' }, load, 'upsert');
      r = await rows(`SELECT id, name FROM ${DST}.users ORDER BY id`);
      expect(r[0]!.name).toBe('user 1');
      // Mapped names and left-out columns.
      await a.writeRows({ database: SRC, table: 'orders' }, [{ id: '1', amount: '9.99', secret: 's', note: 'n', user_id: '1' }], 'upsert');
      expect(await rows(`SELECT * FROM ${DST}.orders_v2`)).toEqual([{ id: 1, total: '9.99', note: 'n', user_id: 1 }]);
    } finally {
      await a.close();
    }
  });

  it('keep-existing still fails on a value the column cannot hold (unlike INSERT IGNORE)', async () => {
    const a = await openApplier();
    try {
      const err = await a.writeRows({ database: SRC, table: 'users' }, [{ id: 'x', name: 'bad' }], 'keep-existing').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigError);
      expect((err as MigError).message).toMatch(/loading .*users/);
    } finally {
      await a.close();
    }
  });

  it('cuts statements at max_allowed_packet', async () => {
    const [p] = await rows('SELECT @@max_allowed_packet AS p');
    const max = Number(p!.p);
    const size = 1 << 20; // 1 MiB of bytes is 2 MiB of hex in the statement
    const n = Math.ceil((max * 1.5) / (2 * size));
    const a = new MysqlApplier({ migration: 'm1', names, checkpointDatabase: CP, batchRows: 100_000, connect: () => connectDestination(ep) });
    try {
      const load = Array.from({ length: n }, (_, i) => ({ id: String(i), b: Buffer.alloc(size, i % 256) }));
      await a.writeRows({ database: SRC, table: 'blobs' }, load, 'upsert');
      const [c] = await rows(`SELECT COUNT(*) AS n, SUM(LENGTH(b)) AS bytes FROM ${DST}.blobs`);
      expect(Number(c!.n)).toBe(n);
      expect(Number(c!.bytes)).toBe(n * size);
    } finally {
      await a.close();
    }
  });

  it('does not write generated columns', async () => {
    const a = await openApplier();
    try {
      await a.writeRows({ database: SRC, table: 'gen' }, [{ id: '1', a: '5', twice: '10', kept: '6' }], 'upsert');
      await a.applyTransaction([upd('gen', { id: '1', a: '5', twice: '10', kept: '6' }, { id: '1', a: '7', twice: '14', kept: '8' })], { feed: 'gen:0', offset: 1 });
      expect(await rows(`SELECT * FROM ${DST}.gen`)).toEqual([{ id: 1, a: 7, twice: 14, kept: 8 }]);
    } finally {
      await a.close();
    }
  });
});

describe('incremental', () => {
  const feed = 'tidb_obinlog:0';

  it('creates the checkpoint table and applies insert, update (with key change) and delete exactly once', async () => {
    const a = await openApplier();
    try {
      await a.ensureCheckpointTable();
      await a.ensureCheckpointTable();
      expect(await a.readCheckpoints()).toEqual([expect.objectContaining({ feed: 'gen:0', kafkaOffset: '1' })]);
      await root.query(`DELETE FROM ${DST}.orders_v2`);
      const o1 = { id: '10', amount: '1.00', secret: 'x', note: 'a', user_id: null };
      const o2 = { id: '11', amount: '2.00', secret: 'y', note: 'b', user_id: null };
      let r = await a.applyTransaction([ins('orders', o1), ins('orders', o2)], { feed, offset: 100, commitTs: '450000000000000001' });
      expect(r).toMatchObject({ applied: 1, rows: 2 });
      r = await a.applyTransaction([upd('orders', o1, { ...o1, amount: '1.50' }), upd('orders', o2, { ...o2, id: '12' })], { feed, offset: 101 });
      expect(r.applied).toBe(1);
      expect(await rows(`SELECT id, total FROM ${DST}.orders_v2 ORDER BY id`)).toEqual([{ id: 10, total: '1.50' }, { id: 12, total: '2.00' }]);
      await a.applyTransaction([del('orders', { ...o2, id: '12' })], { feed, offset: 102 });
      expect(await rows(`SELECT id FROM ${DST}.orders_v2`)).toEqual([{ id: 10 }]);
      // Delivered again (a consumer restarting before it committed its own offset): skipped.
      r = await a.applyTransaction([ins('orders', o2)], { feed, offset: 100 });
      expect(r).toMatchObject({ applied: 0, alreadyApplied: 1 });
      expect(await rows(`SELECT id FROM ${DST}.orders_v2`)).toEqual([{ id: 10 }]);
      const cps = await a.readCheckpoints();
      expect(cps.find((c) => c.feed === feed)).toMatchObject({ kafkaOffset: '102', commitTs: '450000000000000001', ddlPending: null });
    } finally {
      await a.close();
    }
    // A new applier (after a restart) knows the position from the table.
    const b = await openApplier();
    try {
      const r = await b.applyTransaction([ins('orders', { id: '99', amount: '0', secret: null, note: null, user_id: null })], { feed, offset: 102 });
      expect(r.alreadyApplied).toBe(1);
      expect(await count(`SELECT COUNT(*) AS n FROM ${DST}.orders_v2 WHERE id = 99`)).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('applies a transaction over several tables and databases, and runs of transactions, in one commit', async () => {
    const a = await openApplier();
    try {
      const r = await a.applyTransactions([
        { events: [ins('users', { id: '20', name: 'u20' }), ins('orders', { id: '20', amount: '5', secret: 's', note: null, user_id: '20' }), ins('t', { id: '1', v: 'x' }, SRC2)], checkpoint: { feed, offset: 103 } },
        { events: [upd('users', { id: '20', name: 'u20' }, { id: '20', name: 'u20b' }), ins('users', { id: '21', name: 'u21' }), ins('users', { id: '22', name: 'u22' })], checkpoint: { feed, offset: 104 } },
        { events: [ins('elsewhere', { id: '1' }, 'not_migrated')], checkpoint: { feed, offset: 105 } },
      ]);
      expect(r).toEqual({ applied: 3, alreadyApplied: 0, rows: 6, ignoredRows: 1 });
      expect(await rows(`SELECT id, name FROM ${DST}.users WHERE id >= 20 ORDER BY id`)).toEqual([{ id: 20, name: 'u20b' }, { id: 21, name: 'u21' }, { id: 22, name: 'u22' }]);
      expect(await rows(`SELECT * FROM ${DST2}.t`)).toEqual([{ id: 1, v: 'x' }]);
      expect((await a.readCheckpoints()).find((c) => c.feed === feed)!.kafkaOffset).toBe('105');
    } finally {
      await a.close();
    }
  });

  it('keeps the order of changes to one key inside a transaction (batched statements included)', async () => {
    const a = await openApplier();
    try {
      const u = (id: string, name: string) => ({ id, name });
      await a.applyTransaction([
        ins('users', u('200', 'a')), ins('users', u('201', 'a')), upd('users', u('200', 'a'), u('200', 'b')),
        del('users', u('200', 'b')), del('users', u('201', 'a')), ins('users', u('200', 'c')), upd('users', u('200', 'c'), u('202', 'd')),
        ins('users', u('203', 'e')), del('users', u('203', 'e')),
      ], { feed: 'order:0', offset: 1 });
      expect(await rows(`SELECT id, name FROM ${DST}.users WHERE id >= 200 ORDER BY id`)).toEqual([{ id: 202, name: 'd' }]);
    } finally {
      await a.close();
    }
  });

  it('a failure inside the transaction leaves neither rows nor checkpoint', async () => {
    const a = await openApplier();
    try {
      const before = (await a.readCheckpoints()).find((c) => c.feed === feed)!;
      const err = await a
        .applyTransaction([ins('users', { id: '30', name: 'u30' }), upd('users', { id: '20', name: 'u20b' }, { id: '20', name: 'changed' }), ins('users', { id: 'not a number', name: 'bad' })], { feed, offset: 106 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigError);
      expect((err as MigError).message).toMatch(/insert on .*users .*offset 106/);
      expect(await count(`SELECT COUNT(*) AS n FROM ${DST}.users WHERE id = 30`)).toBe(0);
      expect(await rows(`SELECT name FROM ${DST}.users WHERE id = 20`)).toEqual([{ name: 'u20b' }]);
      const after = (await a.readCheckpoints()).find((c) => c.feed === feed)!;
      expect(after.kafkaOffset).toBe(before.kafkaOffset);
      // The same transaction, fixed, applies afterwards.
      await a.applyTransaction([ins('users', { id: '30', name: 'u30' })], { feed, offset: 106 });
      expect(await rows(`SELECT name FROM ${DST}.users WHERE id = 30`)).toEqual([{ name: 'u30' }]);
    } finally {
      await a.close();
    }
  });

  it('an update whose row is missing inserts the after image; tables without a key change one row', async () => {
    const a = await openApplier();
    try {
      await a.applyTransaction([upd('users', { id: '40', name: 'gone' }, { id: '40', name: 'back' })], { feed, offset: 107 });
      expect(await rows(`SELECT name FROM ${DST}.users WHERE id = 40`)).toEqual([{ name: 'back' }]);
      // An update to identical values matches its row (found rows, not changed rows): no second row.
      await a.applyTransaction([upd('users', { id: '40', name: 'back' }, { id: '40', name: 'back' })], { feed, offset: 108 });
      expect(await count(`SELECT COUNT(*) AS n FROM ${DST}.users WHERE id = 40`)).toBe(1);
      await a.applyTransaction([ins('nokey', { a: '1', b: 'x' }), ins('nokey', { a: '1', b: 'x' }), ins('nokey', { a: null, b: 'n' })], { feed, offset: 109 });
      await a.applyTransaction([upd('nokey', { a: '1', b: 'x' }, { a: '2', b: 'x' }), upd('nokey', { a: null, b: 'n' }, { a: null, b: 'm' })], { feed, offset: 110 });
      expect(await rows(`SELECT a, b FROM ${DST}.nokey ORDER BY a, b`)).toEqual([{ a: null, b: 'm' }, { a: 1, b: 'x' }, { a: 2, b: 'x' }]);
      await a.applyTransaction([del('nokey', { a: '1', b: 'x' })], { feed, offset: 111 });
      expect(await rows(`SELECT a, b FROM ${DST}.nokey ORDER BY a, b`)).toEqual([{ a: null, b: 'm' }, { a: 2, b: 'x' }]);
    } finally {
      await a.close();
    }
  });

  it('retries the whole transaction after a lock wait timeout', async () => {
    const a = new MysqlApplier({
      migration: 'm1', names, checkpointDatabase: CP, batchRows: 100,
      connect: async () => {
        const c = await connectDestination(ep);
        await c.query('SET SESSION innodb_lock_wait_timeout = 1');
        return c;
      },
    });
    const blocker = await rootConnection();
    try {
      await blocker.query('START TRANSACTION');
      await blocker.query(`UPDATE ${DST}.users SET name = 'locked' WHERE id = 21`);
      const release = setTimeout(() => void blocker.query('ROLLBACK'), 1500);
      const r = await a.applyTransaction([ins('users', { id: '50', name: 'u50' }), upd('users', { id: '21', name: 'u21' }, { id: '21', name: 'u21b' })], { feed, offset: 112 });
      clearTimeout(release);
      expect(r.applied).toBe(1);
      expect(await rows(`SELECT id, name FROM ${DST}.users WHERE id IN (21, 50) ORDER BY id`)).toEqual([{ id: 21, name: 'u21b' }, { id: 50, name: 'u50' }]);
    } finally {
      await blocker.end();
      await a.close();
    }
  });

  it('reconnects when its session is killed', async () => {
    let sessions = 0;
    let lastId = 0;
    const a = new MysqlApplier({
      migration: 'm1', names, checkpointDatabase: CP, batchRows: 100,
      connect: async () => {
        sessions++;
        const c = await connectDestination(ep);
        const [r] = await c.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
        lastId = Number(r[0]!.id);
        return c;
      },
    });
    try {
      await a.applyTransaction([ins('users', { id: '60', name: 'u60' })], { feed, offset: 113 });
      await root.query(`KILL CONNECTION ${lastId}`);
      await new Promise((r) => setTimeout(r, 100));
      await a.applyTransaction([ins('users', { id: '61', name: 'u61' })], { feed, offset: 114 });
      expect(sessions).toBe(2);
      expect(await rows(`SELECT id FROM ${DST}.users WHERE id IN (60, 61) ORDER BY id`)).toEqual([{ id: 60 }, { id: 61 }]);
    } finally {
      await a.close();
    }
  });
});

describe('DDL', () => {
  const feed = 'ddl:0';

  it('applies replicated DDL under mapped names and clears ddl_pending', async () => {
    const a = await openApplier();
    try {
      await a.applyTransaction([ddl('ALTER TABLE orders ADD COLUMN extra INT AFTER amount, ADD COLUMN secret2 INT')], { feed, offset: 1 });
      const cols = await rows('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [DST, 'orders_v2']);
      expect(cols.map((c) => c.c)).toEqual(['id', 'total', 'extra', 'note', 'user_id', 'secret2']);
      // Rows after the DDL see the new shape (cached table shapes were dropped).
      await a.applyTransaction([ins('orders', { id: '70', amount: '7', extra: '1', secret: 'z', note: null, user_id: null, secret2: '2' })], { feed, offset: 2 });
      expect(await rows(`SELECT id, extra, secret2 FROM ${DST}.orders_v2 WHERE id = 70`)).toEqual([{ id: 70, extra: 1, secret2: 2 }]);
      await a.applyTransaction([ddl('CREATE TABLE fresh (id INT PRIMARY KEY)', SRC2)], { feed, offset: 3 });
      expect(await existingTables(root, [{ database: DST2, table: 'fresh' }])).toHaveLength(1);
      // A database that does not exist at the destination yet (dropped here by hand) is created.
      await root.query(`DROP DATABASE ${DST2}`);
      await a.applyTransaction([ddl('CREATE TABLE again (id INT PRIMARY KEY)', SRC2)], { feed: 'ddl2:0', offset: 1 });
      expect(await existingTables(root, [{ database: DST2, table: 'again' }])).toHaveLength(1);
      // Outside the migration: nothing runs, the position still moves.
      await a.applyTransaction([ddl('CREATE TABLE not_listed (id INT)')], { feed, offset: 4 });
      expect(await existingTables(root, [{ database: DST, table: 'not_listed' }])).toHaveLength(0);
      expect((await a.readCheckpoints()).find((c) => c.feed === feed)).toMatchObject({ kafkaOffset: '4', ddlPending: null });
    } finally {
      await a.close();
    }
  });

  it('a DDL left pending by a crash runs before anything else; one that had run counts as done', async () => {
    const dest = await connectDestination(ep);
    try {
      // Crash after step 1 (checkpoint + ddl_pending committed), before the statement ran.
      await writeCheckpoint(dest, CP, 'm1', { feed, offset: 5 }, { kind: 'alter-table', database: DST, sql: `ALTER TABLE \`${DST}\`.\`users\` ADD COLUMN email VARCHAR(80)`, tables: [{ database: DST, table: 'users' }] });
    } finally {
      await dest.end();
    }
    let a = await openApplier();
    try {
      // The next transaction on the feed first finishes the DDL, then uses the new column.
      await a.applyTransaction([ins('users', { id: '80', name: 'u80', email: 'e@x' })], { feed, offset: 6 });
      expect(await rows(`SELECT email FROM ${DST}.users WHERE id = 80`)).toEqual([{ email: 'e@x' }]);
      expect((await a.readCheckpoints()).find((c) => c.feed === feed)).toMatchObject({ kafkaOffset: '6', ddlPending: null });
    } finally {
      await a.close();
    }
    // Crash after step 2 (the statement ran) but before step 3 cleared ddl_pending.
    const d2 = await connectDestination(ep);
    const pending = { kind: 'alter-table' as const, database: DST, sql: `ALTER TABLE \`${DST}\`.\`users\` ADD COLUMN phone VARCHAR(20)`, tables: [{ database: DST, table: 'users' }] };
    try {
      await writeCheckpoint(d2, CP, 'm1', { feed, offset: 7 }, pending);
      await d2.query(pending.sql);
    } finally {
      await d2.end();
    }
    notes.length = 0;
    a = await openApplier();
    try {
      expect(await a.finishPendingDdl()).toEqual([pending]);
      expect(notes.join('\n')).toMatch(/already in place .*1060/);
      expect((await a.readCheckpoints()).find((c) => c.feed === feed)!.ddlPending).toBeNull();
      expect(await a.finishPendingDdl()).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it('a DDL that fails stays pending and names the fix; replays of applied DDL count as done', async () => {
    const a = await openApplier();
    try {
      const err = await a.applyTransaction([ddl('ALTER TABLE users ADD COLUMN bad INT DEFAULT \'not a number\'')], { feed, offset: 8 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigError);
      expect((err as MigError).hint).toMatch(/stays pending/);
      expect((await a.readCheckpoints()).find((c) => c.feed === feed)!.ddlPending).not.toBeNull();
    } finally {
      await a.close();
    }
    // The user fixes the destination by hand (here: makes the change themselves); the rerun sees it done.
    await root.query(`ALTER TABLE ${DST}.users ADD COLUMN bad INT`);
    const b = await openApplier();
    try {
      await b.finishPendingDdl();
      expect((await b.readCheckpoints()).find((c) => c.feed === feed)!.ddlPending).toBeNull();
      // A feed replaying a CREATE TABLE the schema phase already made: done, not an error.
      await b.applyTransaction([ddl('CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)')], { feed, offset: 9 });
      await b.applyTransaction([ddl('RENAME TABLE nokey TO nokey2')], { feed, offset: 10 });
      expect(await existingTables(root, [{ database: DST, table: 'nokey2' }])).toHaveLength(1);
      await b.applyTransaction([ddl('TRUNCATE TABLE blobs'), ], { feed, offset: 11 });
      expect(await count(`SELECT COUNT(*) AS n FROM ${DST}.blobs`)).toBe(0);
      await b.applyTransaction([ddl('DROP TABLE IF EXISTS fresh', SRC2)], { feed, offset: 12 });
      expect(await existingTables(root, [{ database: DST2, table: 'fresh' }])).toHaveLength(0);
    } finally {
      await b.close();
    }
  });
});

// Every column type: the source's canonical values (as the full-load reader gives them) written by
// writeRows and by applyTransaction read back identical, through the same reader, at the destination.
const { columns: TYPE_COLUMNS, rows: TYPE_ROWS } = typeTableSql({ mariadbTypes: true, invalidDate: true });

describe('column types', () => {
  it('every MariaDB column type round-trips through writeRows and applyTransaction', async () => {
    await root.query(`CREATE TABLE ${SRC}.types (${TYPE_COLUMNS})`);
    await root.query(`SET SESSION sql_mode = 'ALLOW_INVALID_DATES', time_zone = '+00:00'`);
    for (const v of TYPE_ROWS) await root.query(`INSERT INTO ${SRC}.types VALUES ${v}`);
    await root.query(`SET SESSION sql_mode = DEFAULT`);
    const src = await rootConnection();
    await src.query("SET time_zone = '+00:00'");
    const read = async (db: string, table: string) => {
      const shape = (await describeTable(src, db, table))!;
      return (await new TableChunker(src, shape, 100).next(undefined)).rows;
    };
    const dest = await connectDestination(ep);
    const a = await openApplier();
    try {
      await createTable(src, dest, names, { database: SRC, table: 'types' });
      const source = await read(SRC, 'types');
      expect(source).toHaveLength(3);
      await a.writeRows({ database: SRC, table: 'types' }, source, 'upsert');
      expect(await read(DST, 'types')).toEqual(source);

      // Incremental: delete everything, insert again row by row, then update each row to another's values.
      await a.applyTransaction(source.map((r) => del('types', r)), { feed: 'types:0', offset: 1 });
      expect(await read(DST, 'types')).toEqual([]);
      await a.applyTransaction(source.map((r) => ins('types', r)), { feed: 'types:0', offset: 2 });
      expect(await read(DST, 'types')).toEqual(source);
      const rotated = source.map((r, i) => ({ ...source[(i + 1) % source.length]!, id: r.id }));
      await a.applyTransaction(source.map((r, i) => upd('types', r, rotated[i]!)), { feed: 'types:0', offset: 3 });
      expect(await read(DST, 'types')).toEqual(rotated);
      // WKB bytes for geometry are accepted too.
      const [wkb] = await rows('SELECT ST_AsWKB(ST_GeomFromText(\'POINT(7 8)\')) AS w');
      await a.applyTransaction([upd('types', rotated[0]!, { ...rotated[0]!, g: wkb!.w as Buffer })], { feed: 'types:0', offset: 4 });
      expect(await rows(`SELECT ST_AsText(g) AS g FROM ${DST}.types WHERE id = 1`)).toEqual([{ g: 'POINT(7 8)' }]);
    } finally {
      await a.close();
      await dest.end();
      await src.end();
    }
  });
});
