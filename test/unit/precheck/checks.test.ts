// The checks over fixed facts: each finding's status, observed value and fix, ignores, and the
// verdict apply acts on. No server is involved; the integration test covers reading the facts.
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration, type MigrationInput } from '../../../src/spec/schema.js';
import { parseSpecText } from '../../../src/spec/load.js';
import { evaluatePrechecks, type PrecheckInput } from '../../../src/precheck/run.js';
import type { DestinationFacts, Finding, ServerFacts, SourceFacts, TableFacts } from '../../../src/precheck/types.js';
import type { MigrationState, TableState } from '../../../src/state/model.js';
import { IGNORABLE_CHECK_IDS, CHECKS } from '../../../src/model/precheck-catalog.js';
import { REGISTRY } from '../../../src/precheck/registry.js';
import { effectiveServerId } from '../../../src/precheck/checks-server.js';
import { precheckFailedError } from '../../../src/precheck/report.js';

type SpecBody = MigrationInput['spec'];

function migration(name = 'shop', spec: Partial<SpecBody> = {}): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1',
    kind: 'Migration',
    metadata: { name },
    spec: {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'mig' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: 'shop' },
      objects: [{ database: 'shop' }],
      ...spec,
    },
  });
}

const MARIADB_VARS = {
  log_bin: 'ON',
  binlog_format: 'ROW',
  binlog_row_image: 'FULL',
  binlog_row_metadata: 'FULL',
  log_slave_updates: 'OFF',
  expire_logs_days: '0.000000',
  binlog_expire_logs_seconds: '0',
};

function server(over: Partial<ServerFacts> = {}, vars: Record<string, string> = {}): ServerFacts {
  return { version: '10.11.19-MariaDB-log', flavor: 'mariadb', serverId: 1, account: 'mig@%', variables: { ...MARIADB_VARS, ...vars }, ...over };
}

const ok = <T>(value: T) => ({ ok: true as const, value });

function source(over: Partial<SourceFacts> = {}, s: ServerFacts = server()): SourceFacts {
  const tables: TableFacts[] = [
    { database: 'shop', table: 'orders', hasKey: true, invisible: [] },
    { database: 'shop', table: 'customers', hasKey: true, invisible: [] },
  ];
  return {
    connection: { ok: true, server: s },
    replica: ok({ isReplica: false, sources: [], evidence: 'SHOW ALL SLAVES STATUS is empty' }),
    grants: ok(['GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `mig`@`%`', 'GRANT SELECT ON `shop`.* TO `mig`@`%`']),
    databases: ok(['shop']),
    tables: ok(tables),
    views: ok([]),
    ...over,
  };
}

function destination(over: Partial<DestinationFacts> = {}): DestinationFacts {
  return { connection: { ok: true }, topics: ok(['shop']), messages: new Map(), ...over };
}

function run(m: Migration, src: SourceFacts = source(), dst: DestinationFacts = destination(), all?: Migration[]) {
  const input: PrecheckInput = { migration: m, file: 'migrations.d/shop.yaml', state: undefined, source: src, destination: dst };
  return evaluatePrechecks([input], all ?? [m]);
}

function finding(report: ReturnType<typeof run>, id: string): Finding {
  const f = report.migrations[0]!.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}`);
  return f;
}

describe('precheck registry', () => {
  it('runs every catalog check once, in a stable order', () => {
    expect(REGISTRY.map((c) => c.id).sort()).toEqual(Object.keys(CHECKS).sort());
    expect(REGISTRY[0]!.id).toBe('source.connection');
  });

  it('passes a well-configured MariaDB source', () => {
    const r = run(migration());
    expect(r.migrations.map((m) => [m.migration, m.file])).toEqual([['shop', 'migrations.d/shop.yaml']]);
    // Checks of other source and destination kinds say so and skip.
    const findings = r.migrations[0]!.findings;
    expect(findings.filter((f) => f.status !== 'pass' && !f.message.startsWith('not applicable'))).toEqual([]);
    expect(findings.filter((f) => f.status === 'skipped').map((f) => f.id)).toEqual(['source.privilege-backfill', 'source.privilege-heartbeat', 'destination.existing-tables', 'destination.tablestore-limits', 'source.feed-topic']);
    expect(r.ok).toBe(true);
  });
});

describe('where a check applies', () => {
  const skipped = (r: ReturnType<typeof run>, id: string) => {
    const f = finding(r, id);
    expect(f.status).toBe('skipped');
    return f.message;
  };

  it('a Kafka destination skips the table checks, and a binary-log source the feed check, each saying why', () => {
    const r = run(migration());
    expect(skipped(r, 'destination.existing-tables')).toBe('not applicable: the destination is kafka (see destination.existing-topics)');
    expect(skipped(r, 'destination.tablestore-limits')).toBe('not applicable: the destination is kafka');
    expect(skipped(r, 'source.feed-topic')).toBe('not applicable: the source is not TiDB');
  });

  it('a MySQL destination skips the Tablestore limits; a TiDB source checks its feed only when incremental reads it', () => {
    const feed = { brokers: ['127.0.0.1:19092'], topic: 'obinlog' };
    const tidb = (types: SpecBody['types']) => migration('t', { source: { type: 'tidb', host: '127.0.0.1', user: 'mig', binlogKafka: feed }, destination: { type: 'mysql', host: '127.0.0.1', user: 'root' }, types });
    const dst = destination({ tables: ok([]), feed: ok({ partitions: 2, messages: 7 }) });
    const r = run(tidb(['schema', 'full', 'incremental']), source(), dst);
    expect(skipped(r, 'destination.tablestore-limits')).toBe('not applicable: the destination is mysql');
    expect(finding(r, 'destination.existing-tables')).toMatchObject({ status: 'pass', observed: 'none of the tables exists yet' });
    expect(finding(r, 'source.feed-topic')).toMatchObject({ status: 'pass', observed: '2 partition(s) read, 7 message(s) held', expected: 'topic obinlog readable at 127.0.0.1:19092' });
    expect(skipped(run(tidb(['schema', 'full']), source(), dst), 'source.feed-topic')).toBe('not needed: incremental is not in spec.types');
  });
});

describe('binary log checks', () => {
  it('binlog_row_image=MINIMAL fails with the SET GLOBAL that fixes it', () => {
    const r = run(migration(), source({}, server({}, { binlog_row_image: 'MINIMAL' })));
    const f = finding(r, 'source.binlog-row-image');
    expect(f).toMatchObject({ status: 'fail', severity: 'error', ignorable: false, observed: 'binlog_row_image=MINIMAL', expected: 'binlog_row_image=FULL', fix: "SET GLOBAL binlog_row_image = 'FULL'" });
    expect(f.message).toMatch(/under \[mysqld\]/);
    expect(r.ok).toBe(false);
  });

  it('MySQL 8 gets SET PERSIST, which survives a restart', () => {
    const s = server({ version: '8.0.36', flavor: 'mysql' }, { binlog_format: 'STATEMENT' });
    expect(finding(run(migration('m', { source: { type: 'mysql', host: 'h', user: 'mig' } }), source({}, s)), 'source.binlog-format').fix).toBe("SET PERSIST binlog_format = 'ROW'");
  });

  it('PolarDB for MySQL reads loose_polar_log_bin and is fixed in the console', () => {
    const s = server({ version: '8.0.18', flavor: 'mysql' }, { log_bin: 'ON', loose_polar_log_bin: 'OFF' });
    const f = finding(run(migration('p', { source: { type: 'polardb-mysql', host: 'h', user: 'mig' } }), source({}, s)), 'source.binlog-enabled');
    expect(f).toMatchObject({ status: 'fail', observed: 'loose_polar_log_bin=OFF', fix: 'in the PolarDB console, set the parameter loose_polar_log_bin to ON (the cluster restarts)' });
  });

  it('binlog checks are skipped without incremental', () => {
    const r = run(migration('f', { types: ['schema', 'full'] }), source({}, server({}, { log_bin: 'OFF', binlog_format: 'MIXED' })));
    expect(finding(r, 'source.binlog-enabled').status).toBe('skipped');
    expect(finding(r, 'source.binlog-format').status).toBe('skipped');
    expect(finding(r, 'source.privilege-replication').status).toBe('skipped');
    expect(r.ok).toBe(true);
  });

  it('binlog_row_metadata is skipped on servers without it', () => {
    const vars: Record<string, string> = { ...MARIADB_VARS };
    delete vars.binlog_row_metadata;
    const r = run(migration(), source({}, { ...server({ version: '10.4.32-MariaDB' }), variables: vars }));
    expect(finding(r, 'source.binlog-row-metadata').status).toBe('skipped');
  });

  it('a replica without log_slave_updates is a warning; not being a replica passes', () => {
    const replica = source({ replica: ok({ isReplica: true, sources: ['10.0.0.2:3306'], evidence: 'SHOW ALL SLAVES STATUS is empty' }) });
    const f = finding(run(migration(), replica), 'source.log-slave-updates');
    expect(f).toMatchObject({ status: 'fail', severity: 'warning', ignorable: true, observed: 'replica of 10.0.0.2:3306, log_slave_updates=OFF' });
    expect(f.fix).toBe('add log_slave_updates = ON under [mysqld] in the server configuration and restart (it cannot be changed at run time)');
    expect(run(migration(), replica).ok).toBe(true);
  });

  it('retention: 1 day fails the self-managed 7 with the statement for the server', () => {
    const s = server({}, { expire_logs_days: '1.000000', binlog_expire_logs_seconds: '86400' });
    const f = finding(run(migration(), source({}, s)), 'source.binlog-retention');
    expect(f).toMatchObject({ status: 'fail', severity: 'warning', observed: '1 day(s) (binlog_expire_logs_seconds=86400)', expected: 'at least 7 days', fix: 'SET GLOBAL binlog_expire_logs_seconds = 604800' });
    const polar = finding(run(migration('p', { source: { type: 'polardb-x', host: 'h', user: 'mig' } }), source({}, server({ flavor: 'mysql', version: '5.7.25-TDDL' }, { binlog_expire_logs_seconds: '345600' }))), 'source.binlog-retention');
    expect(polar).toMatchObject({ status: 'pass', expected: 'at least 3 days (7 recommended)' });
  });
});

describe('privileges', () => {
  it('a user without the replication privileges gets the exact GRANT', () => {
    const f = finding(run(migration(), source({ grants: ok(['GRANT USAGE ON *.* TO `mig`@`%`', 'GRANT SELECT ON `shop`.* TO `mig`@`%`']) })), 'source.privilege-replication');
    expect(f).toMatchObject({ status: 'fail', observed: 'mig@% lacks REPLICATION SLAVE and BINLOG MONITOR', fix: "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'mig'@'%'" });
  });

  it('MySQL and MariaDB before 10.5.2 ask for REPLICATION CLIENT', () => {
    const s = server({ version: '5.7.44-log', flavor: 'mysql' });
    const f = finding(run(migration(), source({ grants: ok(["GRANT REPLICATION SLAVE ON *.* TO 'mig'@'%'", "GRANT SELECT ON `shop`.* TO 'mig'@'%'"]) }, s)), 'source.privilege-replication');
    expect(f.fix).toBe("GRANT REPLICATION CLIENT ON *.* TO 'mig'@'%'");
  });

  it('SELECT is checked per listed table, and per database for whole databases', () => {
    const m = migration('m', { objects: [{ database: 'shop', tables: [{ name: 'orders' }, { name: 'customers' }] }, { database: 'crm' }] });
    const grants = ok(['GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `mig`@`%`', 'GRANT SELECT ON `shop`.`orders` TO `mig`@`%`']);
    const f = finding(run(m, source({ grants, databases: ok(['shop', 'crm']) })), 'source.privilege-select');
    expect(f.observed).toBe('mig@% has no SELECT on shop.customers, crm.*');
    expect(f.fix).toBe("GRANT SELECT ON `shop`.`customers` TO 'mig'@'%'; GRANT SELECT ON `crm`.* TO 'mig'@'%'");
  });
});

describe('tables', () => {
  it('a table without a key is an ignorable warning; spec.precheck.ignore turns it into ignored', () => {
    const tables = ok<TableFacts[]>([{ database: 'shop', table: 'log', hasKey: false, invisible: [] }]);
    const f = finding(run(migration(), source({ tables })), 'source.primary-key');
    expect(f).toMatchObject({ status: 'fail', severity: 'warning', ignorable: true, observed: '1 table without a primary or unique key: shop.log', fix: 'ALTER TABLE `shop`.`log` ADD PRIMARY KEY (<columns>)' });
    const ignored = run(migration('shop', { precheck: { ignore: ['source.primary-key'] } }), source({ tables }));
    expect(finding(ignored, 'source.primary-key').status).toBe('ignored');
    expect(ignored.summary).toMatchObject({ ignored: 1, warnings: 0 });
    // The consequence named is the destination's own.
    expect(f.message).toContain('partition 0');
    const toMysql = migration('shop', { destination: { type: 'mysql', host: '127.0.0.1', user: 'root' } });
    const m = finding(run(toMysql, source({ tables })), 'source.primary-key').message;
    expect(m).toContain('emptying the destination table first only when this migration created it');
    expect(m).not.toContain('partition');
  });

  it('invisible columns: MySQL gets SET VISIBLE, MariaDB the column restated; an excluded column is fine', () => {
    const invisible = [{ name: 'secret', columnType: 'varchar(10)', nullable: true, default: "'x'" }];
    const tables = ok<TableFacts[]>([{ database: 'shop', table: 't', hasKey: true, invisible }]);
    const maria = finding(run(migration(), source({ tables })), 'source.invisible-columns');
    expect(maria).toMatchObject({ status: 'fail', severity: 'warning', observed: 'invisible: shop.t.secret', fix: "ALTER TABLE `shop`.`t` MODIFY COLUMN `secret` varchar(10) NULL DEFAULT 'x'" });
    const mysql = finding(run(migration(), source({ tables }, server({ flavor: 'mysql', version: '8.0.36' }))), 'source.invisible-columns');
    expect(mysql.fix).toBe('ALTER TABLE `shop`.`t` ALTER COLUMN `secret` SET VISIBLE');
    const excluded = migration('x', { objects: [{ database: 'shop', tables: [{ name: 't', columns: { exclude: ['secret'] } }] }] });
    expect(finding(run(excluded, source({ tables })), 'source.invisible-columns').status).toBe('pass');
  });

  it('views in a migrated database are named as not migrated', () => {
    const f = finding(run(migration(), source({ views: ok([{ database: 'shop', name: 'v_orders' }]) })), 'source.views');
    expect(f).toMatchObject({ status: 'fail', severity: 'warning', observed: '1 view: shop.v_orders; SHOW VIEW not granted' });
  });

  it('a MySQL destination creates the views of whole databases: SHOW VIEW is checked, with the exact GRANT', () => {
    const m = migration('t', {
      source: { type: 'tidb', host: '127.0.0.1', user: 'mig', binlogKafka: { brokers: ['127.0.0.1:19092'], topic: 'obinlog' } },
      destination: { type: 'mysql', host: '127.0.0.1', user: 'root' },
    });
    const views = ok([{ database: 'shop', name: 'v_orders' }]);
    expect(finding(run(m, source({ views })), 'source.views')).toMatchObject({ status: 'fail', severity: 'warning', observed: '1 view to create (shop.v_orders); SHOW VIEW not granted on shop', fix: "GRANT SHOW VIEW ON `shop`.* TO 'mig'@'%'" });
    const granted = ok(['GRANT SELECT, SHOW VIEW ON `shop`.* TO `mig`@`%`']);
    expect(finding(run(m, source({ views, grants: granted })), 'source.views')).toMatchObject({ status: 'pass', observed: '1 view created at the destination: shop.v_orders; SHOW VIEW granted' });
  });

  it('missing objects are an error', () => {
    const m = migration('m', { objects: [{ database: 'shop', tables: [{ name: 'nope' }] }, { database: 'gone' }] });
    expect(finding(run(m), 'source.objects-exist')).toMatchObject({ status: 'fail', observed: 'missing: table shop.nope, database gone' });
  });

  it('more than 1,000 listed tables warns', () => {
    const tables = Array.from({ length: 1001 }, (_, i) => ({ name: `t${i}` }));
    expect(finding(run(migration('big', { objects: [{ database: 'shop', tables }] })), 'migration.table-count')).toMatchObject({ status: 'fail', severity: 'warning' });
  });
});

describe('server id', () => {
  it("clashes with the source's own id and with another migration on the same source", () => {
    const m = migration('a', { source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'mig', serverId: 1 } });
    const f = finding(run(m), 'source.server-id');
    expect(f.status).toBe('fail');
    expect(f.observed).toBe("server id 1, also used by the source's own @@server_id");
    expect(f.fix).toMatch(/^set spec\.source\.serverId: \d+$/);
    const b = migration('b', { source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'mig', serverId: effectiveServerId(migration('c')) } });
    const c = migration('c');
    expect(finding(run(c, source(), destination(), [b, c]), 'source.server-id').observed).toMatch(/also used by migration b on the same source/);
    const elsewhere = migration('d', { source: { type: 'mariadb', host: 'other', port: 3307, user: 'mig', serverId: effectiveServerId(c) } });
    expect(finding(run(c, source(), destination(), [elsewhere, c]), 'source.server-id').status).toBe('pass');
  });
});

describe('destination', () => {
  it('a topic holding messages outside the state fails under conflictMode error, and is skipped under ignore', () => {
    const dst = destination({ topics: ok(['shop']), messages: new Map([['shop', ok(5)]]) });
    const f = finding(run(migration(), source(), dst), 'destination.existing-topics');
    expect(f).toMatchObject({ status: 'fail', ignorable: false, observed: 'not created by this migration, yet holding messages: shop (5 message(s))' });
    expect(f.fix).toContain('kafka-topics.sh --bootstrap-server 127.0.0.1:19092 --delete --topic shop');
    expect(finding(run(migration('shop', { conflictMode: 'ignore' }), source(), dst), 'destination.existing-topics').status).toBe('skipped');
  });

  it('an empty topic created outside mig is adopted', () => {
    const dst = destination({ messages: new Map([['shop', ok(0)]]) });
    expect(finding(run(migration(), source(), dst), 'destination.existing-topics')).toMatchObject({ status: 'pass', observed: '1 empty topic(s) not created by mig' });
  });

  it("a new topic colliding with an existing one by '.'/'_' is an error", () => {
    const m = migration('m', { objects: [{ database: 'shop', tables: [{ name: 'orders', topic: 'shop.orders' }] }] });
    expect(finding(run(m, source(), destination({ topics: ok(['shop', 'shop_orders']) })), 'destination.topic-collision').observed).toBe('shop.orders collides with existing topic shop_orders');
  });

  it('a Tablestore table counts as ours while the state holds it, pending (reset for a re-snapshot) or not', () => {
    const m = migration('ts', {
      destination: { type: 'tablestore', endpoint: 'http://127.0.0.1:1', instance: 'mig-test', accessKeyId: '${env:ID}', accessKeySecret: '${env:SECRET}' },
      objects: [{ database: 'shop', tables: [{ name: 'orders' }, { name: 'customers' }] }],
    });
    const dst = destination({ topics: { ok: false, error: 'not a Kafka destination' }, tables: ok(['orders', 'customers']) });
    const table = (id: string, topic: string, phase: 'pending' | 'incremental') => ({ id, target: topic, phase, snapshotDigest: 'd', keyColumns: [], rowsCopied: 0 });
    const state = { name: 'ts', spec: m, digest: 'd', appliedAt: '', topics: {}, tables: { 'shop.orders': table('shop.orders', 'orders', 'pending') } };
    const report = evaluatePrechecks([{ migration: m, file: 'f', state, source: source(), destination: dst }]);
    const f = report.migrations[0]!.findings.find((x) => x.id === 'destination.existing-tables')!;
    expect(f).toMatchObject({ status: 'fail', observed: 'already at the destination: customers' });
  });

  it('unreachable Kafka fails its connection check and skips what needs it', () => {
    const r = run(migration(), source(), { connection: { ok: false, error: 'connection refused', hint: 'check the brokers' }, topics: { ok: false, error: 'x' }, messages: new Map() });
    expect(finding(r, 'destination.connection')).toMatchObject({ status: 'fail', observed: 'connection refused', fix: 'check the brokers' });
    expect(finding(r, 'destination.existing-topics').status).toBe('skipped');
  });
});

describe('unreachable source', () => {
  it('fails the connection with its fix and skips the checks that read the server', () => {
    const src: SourceFacts = { ...source(), connection: { ok: false, code: 'source-auth', error: "refused user 'mig'", hint: 'check spec.source.user' } };
    const r = run(migration(), src);
    expect(finding(r, 'source.connection')).toMatchObject({ status: 'fail', fix: 'check spec.source.user' });
    expect(finding(r, 'source.binlog-format').status).toBe('skipped');
    expect(precheckFailedError(r).message).toContain('shop: source.connection');
  });
});

describe('spec.precheck.ignore', () => {
  const spec = (ignore: string) => `apiVersion: mig/v1
kind: Migration
metadata: { name: shop }
spec:
  source: { type: mariadb, host: 127.0.0.1, user: root }
  destination: { type: kafka, brokers: ["127.0.0.1:19092"], topic: shop }
  objects: [{ database: shop }]
  precheck:
    ignore: [${ignore}]
`;

  it('accepts ignorable ids', () => {
    expect(parseSpecText(spec('source.primary-key, source.binlog-retention'), 'm.yaml').diagnostics).toEqual([]);
  });

  it('refuses an unknown or non-ignorable id, listing the ignorable ones', () => {
    for (const id of ['source.binlog-format', 'source.primary-keys']) {
      const { diagnostics } = parseSpecText(spec(id), 'm.yaml');
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]).toMatchObject({ severity: 'error', path: 'spec.precheck.ignore[0]' });
      for (const ok of IGNORABLE_CHECK_IDS) expect(diagnostics[0]!.fix).toContain(ok);
    }
    expect(parseSpecText(spec('source.primary-keys'), 'm.yaml').diagnostics[0]!.fix).toMatch(/did you mean `source.primary-key`/);
  });
});

describe('destination topics recorded by another migration', () => {
  it('still conflict (DTS compares names, not owners), and the finding names the owner', () => {
    const m = migration();
    const input: PrecheckInput = { migration: m, file: 'f.yaml', state: undefined, otherTopics: new Map([['shop', 'legacy']]), source: source(), destination: destination({ messages: new Map([['shop', ok(3)]]) }) };
    const f = evaluatePrechecks([input]).migrations[0]!.findings.find((x) => x.id === 'destination.existing-topics')!;
    expect(f.observed).toBe('not created by this migration, yet holding messages: shop (3 message(s), written by migration legacy)');
  });
});

describe('backfill privileges (source.privilege-backfill)', () => {
  const done = (id: string, snapshotDigest = `d-${id}`): TableState => ({ id, phase: 'incremental', target: 'shop', snapshotDigest, keyColumns: ['id'], rowsCopied: 10, fullDoneAt: '2026-01-01T00:00:00Z' });
  const streamed = (m: Migration, tables: TableState[] = [done('shop.orders')], over: Partial<MigrationState> = {}): MigrationState => ({
    name: m.metadata.name, spec: m, digest: 'x', appliedAt: '2026-01-01T00:00:00Z', topics: {},
    tables: Object.fromEntries(tables.map((t) => [t.id, t])),
    checkpoint: { file: 'mariadb-bin.000002', pos: 400 },
    ...over,
  });
  const desired = (...ids: string[]) => ok(ids.map((id) => ({ id, snapshotDigest: `d-${id}` })));
  const grants = (...lines: string[]) => source({ grants: ok(['GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `mig`@`%`', 'GRANT SELECT ON `shop`.* TO `mig`@`%`', ...lines]) });
  const check = (m: Migration, over: Partial<PrecheckInput>, src = grants()) =>
    evaluatePrechecks([{ migration: m, file: 'f.yaml', state: streamed(m), source: src, destination: destination(), desiredTables: desired('shop.orders', 'shop.customers'), ...over }]);

  it('fails with the tables to backfill, the exact GRANT and the new-snapshot alternative', () => {
    const m = migration();
    const r = check(m, {});
    const f = finding(r, 'source.privilege-backfill');
    expect(f).toMatchObject({
      status: 'fail',
      severity: 'error',
      ignorable: false,
      observed: 'mig@% lacks CREATE, INSERT, UPDATE, SELECT on mig_meta.*, and 1 table to backfill (shop.customers) while the stream keeps running',
      fix: "GRANT CREATE, INSERT, UPDATE, SELECT ON `mig_meta`.* TO 'mig'@'%'; or copy from a new snapshot instead, which needs no writes on the source: mig apply --replace shop",
    });
    expect(f.message).toContain('mig_meta.watermarks');
    expect(r.ok).toBe(false);
    expect(precheckFailedError(r).message).toContain('shop: source.privilege-backfill: mig@% lacks CREATE');
  });

  it('passes on a grant on mig_meta, a wildcard matching it, or global privileges; names only what is missing', () => {
    const m = migration();
    const status = (...lines: string[]) => finding(check(m, {}, grants(...lines)), 'source.privilege-backfill');
    expect(status('GRANT CREATE, INSERT, UPDATE, SELECT ON `mig_meta`.* TO `mig`@`%`')).toMatchObject({ status: 'pass', observed: 'mig@% may create and write mig_meta.* for 1 table to backfill (shop.customers)' });
    expect(status('GRANT ALL PRIVILEGES ON `mig\\_%`.* TO `mig`@`%`').status).toBe('pass');
    expect(status('GRANT ALL PRIVILEGES ON *.* TO `mig`@`%`').status).toBe('pass');
    expect(status('GRANT SELECT, INSERT, UPDATE, CREATE ON *.* TO `mig`@`%`').status).toBe('pass');
    // `mig\_meta` escapes the underscore: it matches mig_meta only, and a table grant cannot create the database.
    expect(status('GRANT INSERT, UPDATE, SELECT ON `mig_meta`.`watermarks` TO `mig`@`%`').fix).toMatch(/^GRANT CREATE, INSERT, UPDATE, SELECT ON/);
    expect(status('GRANT INSERT, UPDATE, SELECT ON `mig\\_meta`.* TO `mig`@`%`').fix).toMatch(/^GRANT CREATE ON `mig_meta`\.\* TO 'mig'@'%';/);
  });

  it('counts tables whose copy settings changed, whose copy is unfinished, or that --replace names; --replace MIGRATION backfills nothing', () => {
    const m = migration();
    const observed = (over: Partial<PrecheckInput>) => finding(check(m, { desiredTables: desired('shop.orders'), ...over }), 'source.privilege-backfill');
    expect(observed({ state: streamed(m, [done('shop.orders', 'old')]) }).observed).toContain('(shop.orders)');
    expect(observed({ state: streamed(m, [{ ...done('shop.orders'), fullDoneAt: undefined, backfill: { generation: 2, startedAt: 'x', chunks: 1, superseded: 0 } }]) }).observed).toContain('(shop.orders)');
    expect(observed({ replace: ['shop/shop.orders'] }).observed).toContain('(shop.orders)');
    expect(finding(check(m, { replace: ['shop'] }), 'source.privilege-backfill').status).toBe('skipped');
  });

  it('a generation recorded but not taken up counts: its new tables are to be backfilled', () => {
    const m = migration();
    const added: TableState = { id: 'shop.customers', phase: 'pending', target: 'shop', snapshotDigest: 'd-shop.customers', keyColumns: ['id'], rowsCopied: 0 };
    const state = streamed(m, [done('shop.orders')], { desired: { generation: 2, recordedAt: 'x', spec: m, digest: 'x', dropTables: [], addTables: [added] } });
    expect(finding(check(m, { state }), 'source.privilege-backfill').status).toBe('fail');
    const resnapshot = streamed(m, [done('shop.orders')], { desired: { generation: 2, recordedAt: 'x', spec: m, digest: 'x', resnapshot: true, dropTables: ['shop.orders'], addTables: [] } });
    expect(finding(check(m, { state: resnapshot }), 'source.privilege-backfill').status).toBe('skipped');
  });

  it('says nothing when nothing would be backfilled, or the migration never backfills', () => {
    const m = migration();
    const skipped = (mm: Migration, over: Partial<PrecheckInput>) => {
      const f = finding(check(mm, over), 'source.privilege-backfill');
      expect(f.status).toBe('skipped');
      return f.message;
    };
    expect(skipped(m, { desiredTables: desired('shop.orders') })).toBe('not needed: no table to backfill');
    expect(skipped(m, { state: streamed(m, [done('shop.orders')], { checkpoint: undefined }) })).toMatch(/^not applicable: /);
    expect(skipped(m, { state: undefined })).toMatch(/^not applicable: /);
    const fullOnly = migration('shop', { types: ['schema', 'full'] });
    expect(skipped(fullOnly, { state: streamed(fullOnly) })).toMatch(/^not applicable: /);
    const feed = { brokers: ['127.0.0.1:19092'], topic: 'obinlog' };
    const tidb = migration('shop', { source: { type: 'tidb', host: '127.0.0.1', user: 'mig', binlogKafka: feed }, destination: { type: 'mysql', host: '127.0.0.1', user: 'root' } });
    expect(skipped(tidb, { state: streamed(tidb) })).toMatch(/^not applicable: /);
    expect(skipped(m, { desiredTables: { ok: false, error: 'source down' } })).toBe("not checked: the source's tables could not be resolved (source down)");
  });
});
