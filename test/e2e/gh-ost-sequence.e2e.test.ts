// gh-ost cannot be installed here, so this test issues its statements by hand, as gh-ost writes
// them (github/gh-ost: go/logic/applier.go CreateChangelogTable, CreateGhostTable, AlterGhost,
// WriteChangelog, CreateAtomicCutOverSentryTable, AtomicCutOverMagicLock, AtomicCutoverRename,
// dropTable; go/sql/builder.go BuildRangeInsertQuery, BuildDMLInsertQuery (replace into),
// BuildDMLUpdateQuery, BuildDMLDeleteQuery; table names from go/base/context.go), on a migrated
// table while a writer changes it and mig apply --follow streams: to Kafka, and to a MySQL
// destination taking the database whole (where `_orders_gho`, `_orders_ghc` and `_orders_del`
// would otherwise be created). The writer pauses for the cut-over: gh-ost's lock would hold it anyway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { KAFKA_BROKERS, MYSQL_PORT, uniqueName } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig } from './helpers/run-mig.js';
import { textConnection } from './helpers/tidb.js';
import { startWriteLoad, type LoadOp, type LoadTable } from './helpers/write-load.js';
import { checkKafkaStream, follow, oscProject, ordersTable, type Phases } from './helpers/online-schema-change.js';

const ROWS = 1500;
const ALTER = "add column extra varchar(20) not null default 'x'";
let conn: Connection;
let lockSession: Connection;
let renameSession: Connection;
const databases: string[] = [];

beforeAll(async () => {
  conn = await textConnection();
  lockSession = await textConnection();
  renameSession = await textConnection();
});

afterAll(async () => {
  for (const d of databases) await conn.query(`DROP DATABASE IF EXISTS ${d}`);
  for (const c of [conn, lockSession, renameSession]) await c.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** gh-ost's run on `db`.orders with a writer before, during and after it; the statements by phase. */
async function ghostRun(db: string, table: LoadTable): Promise<Phases> {
  const t = `\`${db}\`.\`orders\``;
  const gho = `\`${db}\`.\`_orders_gho\``;
  const ghc = `\`${db}\`.\`_orders_ghc\``;
  const del = `\`${db}\`.\`_orders_del\``;
  const load1 = startWriteLoad(conn, { tables: [table], perSecond: 40, insertShare: 0.4, deleteShare: 0.2 });
  await sleep(1500);
  const started = load1.ops.length;
  const changelog = (id: number, hint: string, value: string) =>
    conn.query(`insert /* gh-ost */ into ${ghc}\n\t\t\t\t(id, hint, value)\n\t\t\tvalues\n\t\t\t\t(NULLIF(?, 0), ?, ?)\n\t\t\ton duplicate key update\n\t\t\t\tlast_update=NOW(),\n\t\t\t\tvalue=VALUES(value)`, [id, hint, value]);
  await conn.query(`drop /* gh-ost */ table if exists ${ghc}`);
  await conn.query(`create /* gh-ost */ table ${ghc} (\n\t\t\tid bigint auto_increment,\n\t\t\tlast_update timestamp not null DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n\t\t\thint varchar(64) charset ascii not null,\n\t\t\tvalue varchar(4096) charset ascii not null,\n\t\t\tprimary key(id),\n\t\t\tunique key hint_uidx(hint)\n\t\t) auto_increment=256`);
  await conn.query(`create /* gh-ost */ table ${gho} like ${t}`);
  await conn.query(`alter /* gh-ost */ table ${gho} ${ALTER}`);
  await changelog(2, 'state', 'GhostTableMigrated');
  // The writer's changes reach the ghost as gh-ost applies them from the binlog: one statement each.
  let applied = 0;
  const applyBacklog = async (ops: LoadOp[]) => {
    for (; applied < ops.length; applied++) {
      const o = ops[applied]!;
      if (o.op === 'delete') {
        await conn.query(`delete /* gh-ost ${db}.orders */ from ${gho} where ((\`id\` = ?))`, [o.id]);
        continue;
      }
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT id, grp, n, note FROM ${t} WHERE id = ?`, [o.id]);
      const r = rows[0];
      if (!r) continue; // deleted since; its delete follows in the backlog
      if (o.op === 'insert') await conn.query(`replace /* gh-ost ${db}.orders */ into ${gho} (\`id\`, \`grp\`, \`n\`, \`note\`) values (?, ?, ?, ?)`, [r.id, r.grp, r.n, r.note]);
      else await conn.query(`update /* gh-ost ${db}.orders */ ${gho} set \`id\`=?, \`grp\`=?, \`n\`=?, \`note\`=? where ((\`id\` = ?))`, [r.id, r.grp, r.n, r.note, r.id]);
    }
  };
  const [[{ top }]] = (await conn.query<RowDataPacket[]>(`SELECT MAX(id) AS top FROM ${t}`)) as unknown as [[{ top: number }]];
  for (let lo = 0; lo < Number(top) + 1000; lo += 200) {
    await conn.query(`insert /* gh-ost ${db}.orders */ ignore into ${gho} (\`id\`, \`grp\`, \`n\`, \`note\`)\n      (select \`id\`, \`grp\`, \`n\`, \`note\` from ${t} force index (\`PRIMARY\`)\n        where (((\`id\` > ?)) and ((\`id\` <= ?))) lock in share mode\n      )`, [lo, lo + 200]);
    await applyBacklog(load1.ops);
    await changelog(1, 'heartbeat', new Date().toISOString());
    await sleep(50);
  }
  await load1.stop();
  await applyBacklog(load1.ops);
  await changelog(2, 'state', 'AllEventsUpToLockProcessed');
  // The atomic cut-over: the sentry table, LOCK TABLES on one session, the RENAME waiting on another,
  // then the sentry dropped and the lock released, so the RENAME goes through.
  await lockSession.query(`create /* gh-ost */ table ${del} (\n\t\t\tid int auto_increment primary key\n\t\t) engine=InnoDB comment='ghost-cut-over-sentry'`);
  await lockSession.query(`lock /* gh-ost */ tables ${t} write, ${del} write`);
  const renamed = renameSession.query(`rename /* gh-ost */ table ${t} to ${del}, ${gho} to ${t}`);
  await sleep(300);
  await lockSession.query(`drop /* gh-ost */ table if exists ${del}`);
  await lockSession.query('unlock tables');
  await renamed;
  const finished = load1.ops.length;
  await conn.query(`drop /* gh-ost */ table if exists ${ghc}`);
  await conn.query(`drop /* gh-ost */ table if exists ${del}`);
  const load2 = startWriteLoad(conn, { tables: [table], perSecond: 40, insertShare: 0.4, deleteShare: 0.2, seed: 7 });
  await sleep(1500);
  await load2.stop();
  return { ops: [...load1.ops, ...load2.ops], started, finished };
}

async function sourceTable(prefix: string): Promise<{ db: string; table: LoadTable }> {
  const db = uniqueName(prefix);
  databases.push(db);
  return { db, table: await ordersTable(conn, db, ROWS) };
}

describe("gh-ost's statement sequence on a migrated table", () => {
  it('Kafka: every change once and in order across the cut-over, which is one ALTER message', async () => {
    const { db, table } = await sourceTable('ghostk');
    const topic = `${db}.orders`;
    const cwd = oscProject('ghost-kafka', `{ type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic}, partitions: 1 }`, `[{ database: ${db}, tables: [{ name: orders }] }]`);
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    const f = await follow(cwd);
    const p = await ghostRun(db, table);
    const expected = ROWS + p.ops.length + 1;
    await f.until(async () => (await readTopic(topic)).length >= expected, `not every message arrived (${expected} expected)`);
    expect(await f.stop(), f.output()).toBe(0);
    const messages = await readTopic(topic);
    expect(messages).toHaveLength(expected);
    const figures = checkKafkaStream(messages, ROWS, p, /_orders_gho|_orders_ghc|_orders_del/);
    console.log(`gh-ost sequence → Kafka: ${JSON.stringify(figures)}`);
    expect(figures.ddl).toEqual([`ALTER TABLE \`${db}\`.\`orders\` ${ALTER}`]);
    expect(figures.rowsBeforeSwap).toBe(p.finished);
  });

  it('MySQL destination, database taken whole: no helper table is created, the table gets the column and matches', async () => {
    const { db, table } = await sourceTable('ghostm');
    const dst = uniqueName('ghostmdst');
    const cp = uniqueName('ghostmcp');
    databases.push(dst, cp);
    const cwd = oscProject('ghost-mysql', `{ type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root, checkpointDatabase: ${cp} }`, `[{ database: ${db}, target: ${dst} }]`);
    const a1 = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd });
    expect(a1.code, a1.stdout + a1.stderr).toBe(0);
    const f = await follow(cwd);
    const p = await ghostRun(db, table);
    const dump = async (d: string) => (await conn.query<RowDataPacket[]>(`SELECT * FROM ${d}.orders ORDER BY id`))[0];
    const src = await dump(db);
    await f.until(async () => JSON.stringify(await dump(dst)) === JSON.stringify(src), 'the destination never matched the source');
    expect(await f.stop(), f.output()).toBe(0);
    const [tables] = await conn.query<RowDataPacket[]>(`SHOW TABLES FROM ${dst}`);
    expect(tables.map((r) => Object.values(r)[0])).toEqual(['orders']);
    const [cols] = await conn.query<RowDataPacket[]>(`SHOW COLUMNS FROM ${dst}.orders`);
    expect(cols.map((c) => c.Field)).toEqual(['id', 'grp', 'n', 'note', 'extra']);
    expect(f.output()).toContain(`${p.ops.length + 1} change(s) written (read ${p.ops.length + 1}, filtered 0, skipped 0)`);
    console.log(`gh-ost sequence → MySQL: ${JSON.stringify({ statements: { before: p.started, during: p.finished - p.started, after: p.ops.length - p.finished }, sourceRows: src.length, destinationRows: (await dump(dst)).length })}`);
    const plan = await runMig(['plan', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});
