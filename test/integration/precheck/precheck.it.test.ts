// The precheck against the real MariaDB and Kafka: a user without replication privileges, a table
// without a key, an INVISIBLE column, a topic someone else wrote to, and binlog_row_image=MINIMAL
// (set globally only for the moment the facts are read, and always restored: other tests share
// the server). Then the built CLI: its lines, its exit code, spec.precheck.ignore, and apply refusing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { Kafka, logLevel } from 'kafkajs';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../helpers/env.js';
import { runMig } from '../../e2e/helpers/run-mig.js';
import { loadValid } from '../../../src/plan/make.js';
import { emptyState } from '../../../src/state/model.js';
import { evaluatePrechecks, runPrechecks } from '../../../src/precheck/run.js';
import { gatherSourceFacts } from '../../../src/precheck/source-facts.js';
import { gatherKafkaFacts } from '../../../src/connectors/sinks/kafka/precheck-facts.js';
import { topicsWritten } from '../../../src/precheck/topic-names.js';
import type { Finding, PrecheckReport } from '../../../src/precheck/types.js';
import type { LiveView } from '../../../src/plan/build.js';
import type { TableInfo } from '../../../src/model/source-data.js';

const db = uniqueName('pc');
const user = `pcu_${process.pid}`;
const password = `pw-${Date.now().toString(36)}`;
const foreignTopic = `${db}.foreign`;
const env = { PC_PASSWORD: password };
let conn: Connection;
let cwd: string;

function spec(extra = ''): string {
  return `apiVersion: mig/v1
kind: Migration
metadata: { name: pc-${process.pid} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: ${user}, password: "\${env:PC_PASSWORD}" }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${db}.all }
  types: [schema, full, incremental]
  objects:
    - database: ${db}
      tables:
        - { name: keyed }
        - { name: nokey }
        - { name: hid }
        - { name: other, topic: ${foreignTopic} }
${extra}`;
}

function writeSpec(text: string): string {
  const dir = path.join(cwd, 'migrations.d');
  writeFileSync(path.join(dir, 'pc.yaml'), text);
  return dir;
}

function find(report: PrecheckReport, id: string): Finding {
  const f = report.migrations[0]!.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}`);
  return f;
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-precheck-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.keyed (id INT PRIMARY KEY, v VARCHAR(10))`);
  await conn.query(`CREATE TABLE ${db}.nokey (a INT, b VARCHAR(10))`);
  await conn.query(`CREATE TABLE ${db}.hid (id INT PRIMARY KEY, secret VARCHAR(10) INVISIBLE DEFAULT 'x')`);
  await conn.query(`CREATE TABLE ${db}.other (id INT PRIMARY KEY)`);
  await conn.query(`DROP USER IF EXISTS '${user}'@'%'`);
  await conn.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await conn.query(`GRANT SELECT ON \`${db}\`.* TO '${user}'@'%'`);
  // A topic another producer already wrote to: the conflict DTS's "Precheck and Report Errors" reports.
  const kafka = new Kafka({ clientId: 'precheck-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: foreignTopic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: foreignTopic, messages: [{ value: 'not from mig' }] });
  await producer.disconnect();
});

afterAll(async () => {
  delete process.env.PC_PASSWORD;
  const admin = new Kafka({ clientId: 'precheck-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [foreignTopic] }).catch(() => undefined);
  await admin.disconnect();
  await conn.query(`DROP USER IF EXISTS '${user}'@'%'`);
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

describe('precheck against MariaDB and Kafka', () => {
  it('finds each misconfiguration with its observed value and fix', async () => {
    const dir = writeSpec(spec());
    process.env.PC_PASSWORD = password;
    const loaded = await loadValid(dir);
    const m = loaded[0]!.migration;
    const endpoint = { spec: m.spec.source, password };

    // binlog_row_image is per session, copied from the global value at connect: set it globally
    // only while the facts are read, and put back what was there whatever happens.
    const [[before]] = await conn.query<RowDataPacket[]>('SELECT @@GLOBAL.binlog_row_image AS v');
    let source;
    try {
      await conn.query("SET GLOBAL binlog_row_image = 'MINIMAL'");
      source = await gatherSourceFacts(m, endpoint);
    } finally {
      await conn.query('SET GLOBAL binlog_row_image = ?', [String(before!.v)]);
    }
    const [[after]] = await conn.query<RowDataPacket[]>('SELECT @@GLOBAL.binlog_row_image AS v');
    expect(after!.v).toBe(before!.v);

    const dest = m.spec.destination;
    if (dest.type !== 'kafka') throw new Error('the fixture writes to Kafka');
    const destination = await gatherKafkaFacts(dest, topicsWritten(m), {}, undefined);
    const report = evaluatePrechecks([{ migration: m, file: loaded[0]!.file, state: undefined, source, destination }]);

    expect(find(report, 'source.connection')).toMatchObject({ status: 'pass', observed: `connected to 127.0.0.1:${MYSQL_PORT} as ${user}@%` });
    expect(find(report, 'source.binlog-row-image')).toMatchObject({
      status: 'fail',
      severity: 'error',
      observed: 'binlog_row_image=MINIMAL',
      fix: "SET GLOBAL binlog_row_image = 'FULL'",
    });
    expect(find(report, 'source.privilege-replication')).toMatchObject({
      status: 'fail',
      severity: 'error',
      observed: `${user}@% lacks REPLICATION SLAVE and BINLOG MONITOR`,
      fix: `GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '${user}'@'%'`,
    });
    expect(find(report, 'source.privilege-select')).toMatchObject({ status: 'pass' });
    expect(find(report, 'source.primary-key')).toMatchObject({
      status: 'fail',
      severity: 'warning',
      ignorable: true,
      observed: `1 table without a primary or unique key: ${db}.nokey`,
      fix: `ALTER TABLE \`${db}\`.\`nokey\` ADD PRIMARY KEY (<columns>)`,
    });
    expect(find(report, 'source.invisible-columns')).toMatchObject({
      status: 'fail',
      severity: 'warning',
      observed: `invisible: ${db}.hid.secret`,
      fix: `ALTER TABLE \`${db}\`.\`hid\` MODIFY COLUMN \`secret\` varchar(10) NULL DEFAULT 'x'`,
    });
    expect(find(report, 'destination.existing-topics')).toMatchObject({
      status: 'fail',
      observed: `not created by this migration, yet holding messages: ${foreignTopic} (1 message(s))`,
    });
    // Without SLAVE MONITOR the replica question is answered from Slaves_running.
    expect(find(report, 'source.log-slave-updates')).toMatchObject({ status: 'pass' });
    expect(find(report, 'source.log-slave-updates').observed).toMatch(/^not a replica/);
    expect(report.ok).toBe(false);
  });

  it('runPrechecks reads the same through the spec and its secret', async () => {
    const dir = writeSpec(spec());
    process.env.PC_PASSWORD = password;
    const report = await runPrechecks(await loadValid(dir), emptyState('x'), { specDir: dir });
    expect(find(report, 'source.binlog-row-image').status).toBe('pass');
    expect(find(report, 'source.privilege-replication').status).toBe('fail');
    expect(find(report, 'destination.connection').status).toBe('pass');
  });

  it('a migration that has streamed and gets new tables needs CREATE and writes on mig_meta.*, read from SHOW GRANTS', async () => {
    const dir = writeSpec(spec());
    process.env.PC_PASSWORD = password;
    const loaded = await loadValid(dir);
    const m = loaded[0]!.migration;
    const state = emptyState('x');
    state.migrations[m.metadata.name] = { name: m.metadata.name, spec: m, digest: 'd', appliedAt: '', topics: {}, tables: {}, checkpoint: { file: 'mariadb-bin.000001', pos: 4 } };
    const backfill = async () => find(await runPrechecks(loaded, state, { specDir: dir }), 'source.privilege-backfill');
    expect(await backfill()).toMatchObject({
      status: 'fail',
      severity: 'error',
      observed: `${user}@% lacks CREATE, INSERT, UPDATE, SELECT on mig_meta.*, and 4 tables to backfill (${db}.keyed, ${db}.nokey, ${db}.hid, ${db}.other) while the stream keeps running`,
      fix: `GRANT CREATE, INSERT, UPDATE, SELECT ON \`mig_meta\`.* TO '${user}'@'%'; or copy from a new snapshot instead, which needs no writes on the source: mig apply --replace ${m.metadata.name}`,
    });
    // A wildcard grant as MariaDB prints it back (the escaped underscore) covers mig_meta.
    await conn.query(`GRANT CREATE, INSERT, UPDATE, SELECT ON \`mig\\_%\`.* TO '${user}'@'%'`);
    try {
      expect(await backfill()).toMatchObject({ status: 'pass', observed: `${user}@% may create and write mig_meta.* for 4 tables to backfill (${db}.keyed, ${db}.nokey, ${db}.hid, ${db}.other)` });
    } finally {
      await conn.query(`REVOKE CREATE, INSERT, UPDATE, SELECT ON \`mig\\_%\`.* FROM '${user}'@'%'`);
    }
  });

  it('mig precheck prints one line per check, the fix under each failure, and exits 1', async () => {
    writeSpec(spec());
    const r = await runMig(['precheck', '--state', path.join(cwd, 'state.json')], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}✓ source\.connection +connected to /m);
    expect(r.stdout).toMatch(new RegExp(`^ {2}✗ source\\.privilege-replication +${user}@% lacks REPLICATION SLAVE and BINLOG MONITOR$`, 'm'));
    expect(r.stdout).toContain(`      fix: GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '${user}'@'%'`);
    expect(r.stdout).toMatch(new RegExp(`^ {2}! source\\.primary-key +1 table without a primary or unique key: ${db}\\.nokey$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}! source\.invisible-columns +invisible: /m);
    expect(r.stdout).toMatch(/^ {2}✗ destination\.existing-topics +not created by this migration/m);
    expect(r.stdout).toMatch(/^Precheck failed: 2 error\(s\), 2 warning\(s\), 0 ignored, \d+ passed, \d+ skipped\./m);
    expect(r.stdout).not.toContain(password);
  });

  it('spec.precheck.ignore reports an accepted warning as ignored; conflictMode: ignore skips the topic check', async () => {
    writeSpec(spec('  conflictMode: ignore\n  precheck: { ignore: [source.primary-key] }\n'));
    const r = await runMig(['precheck', '--json', '--state', path.join(cwd, 'state.json')], { cwd, env });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as PrecheckReport;
    expect(find(report, 'source.primary-key').status).toBe('ignored');
    expect(find(report, 'destination.existing-topics').status).toBe('skipped');
    expect(report.summary).toMatchObject({ failed: 1, warnings: 1, ignored: 1 });
    const human = await runMig(['precheck', '--state', path.join(cwd, 'state.json')], { cwd, env });
    expect(human.stdout).toMatch(/^ {2}~ source\.primary-key +ignored \(spec\.precheck\.ignore\): 1 table without/m);
  });

  it('mig apply refuses to run while an error fails, naming the id and its fix', async () => {
    writeSpec(spec('  conflictMode: ignore\n'));
    const r = await runMig(['apply', '--auto-approve', '--state', path.join(cwd, 'state.json')], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: the precheck failed; nothing was applied');
    expect(r.stderr).toContain(`source.privilege-replication: ${user}@% lacks REPLICATION SLAVE and BINLOG MONITOR`);
    expect(r.stderr).toContain(`fix: GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '${user}'@'%'`);
  });

  it('mig plan shows the failures above the plan and carries the report in --json', async () => {
    writeSpec(spec('  conflictMode: ignore\n'));
    const human = await runMig(['plan', '--state', path.join(cwd, 'state.json')], { cwd, env });
    expect(human.stdout.indexOf('✗ source.privilege-replication')).toBeGreaterThanOrEqual(0);
    expect(human.stdout.indexOf('✗ source.privilege-replication')).toBeLessThan(human.stdout.indexOf(`migration pc-${process.pid}`));
    const json = await runMig(['plan', '--json', '--state', path.join(cwd, 'state.json')], { cwd, env });
    const plan = JSON.parse(json.stdout) as { precheck?: PrecheckReport };
    expect(plan.precheck?.ok).toBe(false);
    const offline = await runMig(['plan', '--offline', '--json', '--state', path.join(cwd, 'state.json')], { cwd, env });
    expect((JSON.parse(offline.stdout) as { precheck?: unknown }).precheck).toBeUndefined();
  });
});

describe('precheck with the live view a plan already read', () => {
  const dst = `${db}_dst`;

  beforeAll(async () => {
    await conn.query(`CREATE DATABASE ${dst}`);
    await conn.query(`CREATE TABLE ${dst}.keyed (id INT PRIMARY KEY)`);
    await conn.query(`CREATE TABLE ${dst}.ghost (id INT PRIMARY KEY)`);
  });

  afterAll(async () => {
    await conn.query(`DROP DATABASE IF EXISTS ${dst}`);
  });

  it('resolves the destination tables against the given source view instead of reading the source', async () => {
    const dir = writeSpec(`apiVersion: mig/v1
kind: Migration
metadata: { name: pc-${process.pid} }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: ${user}, password: "\${env:PC_PASSWORD}" }
  destination: { type: mysql, host: 127.0.0.1, port: ${MYSQL_PORT}, user: root }
  types: [schema, full]
  objects:
    - { database: ${db}, target: ${dst} }
`);
    process.env.PC_PASSWORD = password;
    const loaded = await loadValid(dir);
    const existing = (r: PrecheckReport) => find(r, 'destination.existing-tables');

    // Read from the source: its tables keyed, nokey, hid and other; of their copies only keyed exists.
    const read = await runPrechecks(loaded, emptyState('x'), { specDir: dir });
    expect(existing(read)).toMatchObject({ status: 'fail', observed: `already at the destination: ${dst}.keyed` });

    // A view in which the database holds only ghost (no such table at the source): its copy is the one found.
    const ghost: TableInfo = {
      database: db,
      table: 'ghost',
      columns: [{ name: 'id', dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false }],
      primaryKey: ['id'],
      chunkKey: ['id'],
      keyKind: 'primary',
      estimatedRows: 0,
    };
    const view: LiveView = { source: { ok: true, databases: new Set([db]), tables: new Map([[`${db}.ghost`, ghost]]) }, topics: { ok: true, topics: new Map() } };
    const given = await runPrechecks(loaded, emptyState('x'), { specDir: dir, live: new Map([[loaded[0]!.migration.metadata.name, view]]) });
    expect(existing(given)).toMatchObject({ status: 'fail', observed: `already at the destination: ${dst}.ghost` });
    expect(find(given, 'destination.connection').status).toBe('pass');
  });
});
