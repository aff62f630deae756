// The source heartbeat without a server: the stream's filter (heartbeat rows and DDL out, their
// ms time onto the checkpoint), the spec's defaults, validate's refusal of a heartbeat table that
// is also migrated, the precheck's grant rule, and how the plan shows the setting.
import { describe, expect, it } from 'vitest';
import { HeartbeatFilter } from '../../../src/engine/heartbeat-filter.js';
import { heartbeatMs } from '../../../src/connectors/sources/mysql/heartbeat.js';
import { heartbeatOf, isHeartbeatTable } from '../../../src/spec/heartbeat.js';
import { MigrationDoc, type Migration, type MigrationInput } from '../../../src/spec/schema.js';
import { parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import { evaluatePrechecks } from '../../../src/precheck/run.js';
import type { SourceFacts } from '../../../src/precheck/types.js';
import { heartbeatChanges } from '../../../src/plan/operation-settings.js';
import type { ChangeEvent, TxBatch } from '../../../src/model/source-data.js';

const HB = { database: 'shop', table: 'mig_heartbeat' };
const end = (pos: number, timestamp?: number) => ({ file: 'mariadb-bin.000001', pos, ...(timestamp ? { timestamp } : {}) });
const beat = (ms: number, migration = 'shop'): ChangeEvent => ({ kind: 'row', op: 'update', database: 'shop', table: 'mig_heartbeat', before: { migration, beat_ms: '1', beat_at: 'x' }, after: { migration, beat_ms: String(ms), beat_at: 'x' }, timestamp: Math.floor(ms / 1000) * 1000, id: 1 });
const order = (id: number): ChangeEvent => ({ kind: 'row', op: 'insert', database: 'shop', table: 'orders', after: { id: String(id) }, timestamp: 0, id });

describe('the stream heartbeat filter', () => {
  it('takes a heartbeat transaction out, stamps its end with the row\'s ms time, and marks it a heartbeat', () => {
    const f = new HeartbeatFilter(HB);
    const out = f.take({ events: [beat(1_700_000_000_123)], end: end(500, 1_700_000_000_000) });
    expect(out).toEqual({ events: [], end: end(500, 1_700_000_000_123), heartbeat: true });
  });

  it('keeps other changes of the same transaction, unmarked, and leaves batches without a heartbeat as they are', () => {
    const f = new HeartbeatFilter(HB);
    const mixed = f.take({ events: [order(1), beat(1_700_000_000_500), order(2)], end: end(600, 1_700_000_000_000) });
    expect(mixed).toEqual({ events: [order(1), order(2)], end: end(600, 1_700_000_000_500) });
    const part: TxBatch = { events: [order(3)] };
    expect(f.take(part)).toBe(part);
  });

  it('never moves the time back: a later transaction whose 1-second binlog time is older keeps the heartbeat\'s', () => {
    const f = new HeartbeatFilter(HB);
    f.take({ events: [beat(1_700_000_005_900)], end: end(700, 1_700_000_005_000) });
    expect(f.take({ events: [order(4)], end: end(800, 1_700_000_005_000) }).end!.timestamp).toBe(1_700_000_005_900);
    const later: TxBatch = { events: [order(5)], end: end(900, 1_700_000_006_000) };
    expect(f.take(later)).toBe(later);
  });

  it('takes out the CREATE TABLE of the heartbeat table and rows of other migrations\' heartbeats', () => {
    const f = new HeartbeatFilter(HB);
    const ddl: ChangeEvent = { kind: 'ddl', database: 'shop', table: 'mig_heartbeat', sql: 'CREATE TABLE IF NOT EXISTS `shop`.`mig_heartbeat` (…)', timestamp: 0, id: 2 };
    expect(f.take({ events: [ddl], end: end(1000) })).toEqual({ events: [], end: end(1000), heartbeat: true });
    expect(f.take({ events: [beat(1_700_000_009_000, 'other')], end: end(1100) }).events).toEqual([]);
    expect(f.isHeartbeatTable('shop', 'orders')).toBe(false);
  });

  it('reads the row\'s beat_ms, and nothing from other rows', () => {
    expect(heartbeatMs(beat(42_000), HB)).toBe(42_000);
    expect(heartbeatMs(order(1), HB)).toBeUndefined();
  });
});

type SpecBody = MigrationInput['spec'];
function migration(spec: Partial<SpecBody> = {}): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration', metadata: { name: 'shop' },
    spec: {
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'mig' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:19092'], topic: 'shop' },
      objects: [{ database: 'shop' }, { database: 'crm' }],
      ...spec,
    },
  });
}

describe('spec.heartbeat', () => {
  it('defaults to the first database in spec.objects, mig_heartbeat and every second; off writes nothing', () => {
    expect(heartbeatOf(migration({ heartbeat: { enabled: true } }))).toEqual({ database: 'shop', table: 'mig_heartbeat', id: 'shop.mig_heartbeat', intervalSeconds: 1 });
    expect(heartbeatOf(migration({ heartbeat: { enabled: true, database: 'ops', table: 'beats', intervalSeconds: 5 } }))).toEqual({ database: 'ops', table: 'beats', id: 'ops.beats', intervalSeconds: 5 });
    expect(heartbeatOf(migration({ heartbeat: { enabled: false } }))).toBeUndefined();
    expect(heartbeatOf(migration())).toBeUndefined();
    expect(isHeartbeatTable(migration({ heartbeat: { enabled: true } }), 'shop', 'mig_heartbeat')).toBe(true);
    expect(isHeartbeatTable(migration(), 'shop', 'mig_heartbeat')).toBe(false);
  });

  const SPEC = (heartbeat: string, tables: string) => `apiVersion: mig/v1
kind: Migration
metadata: { name: shop }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: 3307, user: mig }
  destination: { type: kafka, brokers: ["127.0.0.1:19092"], topic: shop }
  heartbeat: ${heartbeat}
  objects:
    - database: shop
      tables:
${tables}
`;

  it('validate refuses a heartbeat table that is also listed in spec.objects, at the table, with file:line and a fix', () => {
    const { migrations, diagnostics } = parseSpecText(SPEC('{ enabled: true }', '        - name: orders\n        - name: mig_heartbeat'), 'migrations.d/shop.yaml');
    expect(diagnostics).toEqual([]);
    const found = runSemanticChecks(migrations).filter((d) => d.code.startsWith('heartbeat'));
    expect(found.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.path}`)).toEqual(['migrations.d/shop.yaml:12:17 error heartbeat-table-migrated spec.objects[0].tables[1].name']);
    expect(found[0]!.message).toBe('`shop.mig_heartbeat` is the heartbeat table (spec.heartbeat, migrations.d/shop.yaml:7) and is listed here as a table to migrate: mig writes it and never forwards its rows');
    expect(found[0]!.fix).toBe('remove shop.mig_heartbeat from spec.objects, or give the heartbeat another table (spec.heartbeat.table, default mig_heartbeat)');
  });

  it('validate accepts the same table while the heartbeat is off, or when the heartbeat has its own table', () => {
    for (const hb of ['{ enabled: false }', '{ enabled: true, table: beats }']) {
      const { migrations } = parseSpecText(SPEC(hb, '        - name: mig_heartbeat'), 'migrations.d/shop.yaml');
      expect(runSemanticChecks(migrations).filter((d) => d.code.startsWith('heartbeat'))).toEqual([]);
    }
  });
});

describe('the heartbeat grant (source.privilege-heartbeat)', () => {
  const facts = (...lines: string[]): SourceFacts => ({
    connection: { ok: true, server: { version: '10.11.19-MariaDB-log', flavor: 'mariadb', serverId: 1, account: 'mig@%', variables: { log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL', binlog_row_metadata: 'FULL', log_slave_updates: 'OFF', expire_logs_days: '0', binlog_expire_logs_seconds: '0' } } },
    replica: { ok: true, value: { isReplica: false, sources: [], evidence: 'none' } },
    grants: { ok: true, value: ['GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `mig`@`%`', 'GRANT SELECT ON `shop`.* TO `mig`@`%`', ...lines] },
    databases: { ok: true, value: ['shop', 'crm'] },
    tables: { ok: true, value: [] },
    views: { ok: true, value: [] },
  });
  const check = (m: Migration, src: SourceFacts) => {
    const r = evaluatePrechecks([{ migration: m, file: 'f.yaml', state: undefined, source: src, destination: { connection: { ok: true }, topics: { ok: true, value: ['shop'] }, messages: new Map() } }]);
    return r.migrations[0]!.findings.find((f) => f.id === 'source.privilege-heartbeat')!;
  };

  it('skips when the heartbeat is off', () => {
    expect(check(migration(), facts()).status).toBe('skipped');
  });

  it('fails with the missing privileges and the exact GRANT, or the way to turn it off', () => {
    const f = check(migration({ heartbeat: { enabled: true } }), facts('GRANT INSERT ON `shop`.* TO `mig`@`%`'));
    expect(f).toMatchObject({
      status: 'fail', severity: 'error',
      observed: 'mig@% lacks CREATE, UPDATE on shop.*',
      fix: "GRANT CREATE, UPDATE ON `shop`.* TO 'mig'@'%'; or set spec.heartbeat.enabled: false",
    });
  });

  it('passes on a grant on the database, on the table itself, or globally', () => {
    const m = migration({ heartbeat: { enabled: true } });
    expect(check(m, facts('GRANT CREATE, INSERT, UPDATE ON `shop`.* TO `mig`@`%`'))).toMatchObject({ status: 'pass', observed: 'mig@% may create and write shop.mig_heartbeat' });
    expect(check(m, facts('GRANT CREATE, INSERT, UPDATE ON `shop`.`mig_heartbeat` TO `mig`@`%`')).status).toBe('pass');
    expect(check(m, facts('GRANT ALL PRIVILEGES ON *.* TO `mig`@`%`')).status).toBe('pass');
  });
});

describe('the heartbeat in the plan', () => {
  it('is a ~ setting applied at the checkpoint, with the effective table and interval', () => {
    const off = migration();
    const on = migration({ heartbeat: { enabled: true } });
    expect(heartbeatChanges('shop', off, on)).toEqual([{
      kind: 'setting', action: 'update', migration: 'shop', field: 'spec.heartbeat',
      reason: 'no heartbeat (lag measured from the last change) → heartbeat every 1 s into shop.mig_heartbeat on the source (applied live at the checkpoint)', risks: [],
    }]);
    expect(heartbeatChanges('shop', on, migration({ heartbeat: { enabled: true, intervalSeconds: 1, table: 'mig_heartbeat' } }))).toEqual([]);
    expect(heartbeatChanges('shop', off, migration({ heartbeat: { enabled: false } }))).toEqual([]);
  });
});
