// The sink contract (src/connectors/contract.ts), checked for every sink kind registered in SINKS
// against the real services: the schema phase is idempotent, a key's changes end in the order they
// were sent, a replayed batch leaves the destination as one delivery did (or, where the sink says it
// cannot, as exact duplicates), what send() or applyTransactions() acknowledged is visible to a fresh
// reader, and failures are classified for the engine's retry windows.
//
// The suite iterates over the registry: a new sink kind gets it by adding one fixture below (how to
// spell its destination, and how to read back what the destination holds). A kind without a fixture
// fails here.
import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { SINKS } from '../../../src/connectors/registry.js';
import { isTransactional, type ChangeSink, type SinkKind, type SinkOpenRequest, type UpstreamTransaction } from '../../../src/connectors/contract.js';
import { DEFAULT_RETRY } from '../../../src/connectors/sinks/tablestore/retry.js';
import { connectSource } from '../../../src/connectors/sources/mysql/connect.js';
import { endpointFor } from '../../../src/connectors/sources/mysql/endpoint.js';
import { serverInfo } from '../../../src/connectors/sources/mysql/inspect.js';
import { DEFAULT_VALUE_OPTIONS } from '../../../src/connectors/sources/mysql/type-map.js';
import { decodeCanal } from '../../../src/connectors/sources/tidb/canal-decode.js';
import { recordingHook } from '../../../src/engine/record-events.js';
import { newTableState } from '../../../src/engine/table-state.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import type { ChangeEvent, Row, TableInfo } from '../../../src/model/source-data.js';
import type { DesiredTable } from '../../../src/model/targets.js';
import { desiredFor } from '../../../src/plan/desired.js';
import { inspectSource } from '../../../src/plan/live.js';
import { normalize, specDigest } from '../../../src/spec/normalize.js';
import type { Destination, Migration } from '../../../src/spec/schema.js';
import type { MigrationState } from '../../../src/state/model.js';
import { startTablestoreServer, type TablestoreTestServer } from '../../support/tablestore/index.js';
import { sdkClient, TableStore, type SdkValue } from '../../support/tablestore/sdk.js';
import { KAFKA_BROKERS, KAFKA_SCRAM_BROKERS, MYSQL_PORT, rootConnection, uniqueName } from '../helpers/env.js';
import { readTopic } from '../helpers/kafka.js';

/** A row as the destination holds it: every source column as text, null when absent or NULL. */
type HeldRow = Record<string, string | null>;
/** What a target holds: rows by key (the `id` column, as text). */
type Held = Map<string, HeldRow>;

/** A message of a log-like destination (Kafka), with its change decoded by the project's decoder. */
interface LoggedMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  event: Extract<ChangeEvent, { kind: 'row' }>;
}

/** One test's migration: its table, its target and how to open its sink. */
interface Harness {
  kind: SinkKind;
  migration: Migration;
  table: DesiredTable;
  shape: TableInfo;
  /** The destination object the table's rows go to (kind.targetOf). */
  target: string;
  mstate: MigrationState;
  /** Every event the sink announced through the request's hook. */
  events: ApplyEvent[];
  shapeOf: (id: string) => TableInfo | undefined;
  /** Opens the sink the way the engine does (run-binlog.ts): schema phase, then the table leaves `pending`. */
  open(): Promise<ChangeSink<unknown>>;
}

interface Fixture {
  /** Starts what the destination needs (once per kind) and stops it again. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** The destination spec of one test's migration, and where its source database goes (objects[].target). */
  destination(run: string): { destination: Record<string, unknown>; objectTarget?: string };
  /** The same destination at an address where nothing listens. */
  unreachable(port: number, run: string): Record<string, unknown>;
  /**
   * A destination refusing the credentials, produced for real; `env` is set while it is opened, and
   * `refusal` matches the error it gives. A string says why the kind has no such failure to produce.
   */
  badCredentials(run: string): { destination: Record<string, unknown>; env: Record<string, string>; refusal: RegExp } | string;
  /** Runs fn with the sink's own retry waits shortened (never its outcome); default: as it is. */
  withoutRetryWaits?<T>(fn: () => Promise<T>): Promise<T>;
  /** What the target holds, read through a new, independent client (connection, consumer). */
  read(h: Harness): Promise<Held>;
  /** The target's messages in (partition, offset) order: required of a sink whose replay duplicates. */
  messages?(h: Harness): Promise<LoggedMessage[]>;
  /** The target's definition (key, partitions, columns), to compare across schema phases. */
  describeTarget(h: Harness): Promise<unknown>;
  /** How many times the hook announced that the schema phase created the target. */
  created(h: Harness): number;
  cleanup?(h: Harness): Promise<void>;
}

const RUN = uniqueName('sinkc');
const SRC = `${RUN}_src`;
const FEED = 'contract-feed:0';
const PW_ENV = 'MIG_IT_SINK_CONTRACT_PASSWORD';
const KEY_ID_ENV = 'MIG_IT_SINK_CONTRACT_AK_ID';
const KEY_SECRET_ENV = 'MIG_IT_SINK_CONTRACT_AK_SECRET';

let projectRoot: string;
let specDir: string;
let root: Connection;
let sourceVersion: string;

// ---------------------------------------------------------------------------------------------
// Fixtures: one per sink kind.

const text = (v: unknown): string | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

function heldRow(shape: TableInfo, get: (column: string) => unknown): HeldRow {
  return Object.fromEntries(shape.columns.map((c) => [c.name, text(get(c.name))]));
}

function kafkaFixture(): Fixture {
  const kafka = new Kafka({ clientId: 'mig-sink-contract', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
  const messages = async (h: Harness): Promise<LoggedMessage[]> =>
    (await readTopic(h.target)).map((m) => {
      const decoded = decodeCanal(m.raw, DEFAULT_VALUE_OPTIONS, { offset: String(m.offset), partition: m.partition, topic: h.target });
      expect(decoded.events).toHaveLength(1);
      return { partition: m.partition, offset: m.offset, key: m.key, value: m.raw, event: decoded.events[0] as LoggedMessage['event'] };
    });
  return {
    destination: (run) => ({ destination: { type: 'kafka', brokers: KAFKA_BROKERS, topic: run, format: 'canal-json', partitions: 3 } }),
    unreachable: (port, run) => ({ type: 'kafka', brokers: [`127.0.0.1:${port}`], topic: run, format: 'canal-json' }),
    // SCRAM with a user the broker has no credentials for: the listener refuses the handshake.
    badCredentials: (run) => ({
      destination: { type: 'kafka', brokers: KAFKA_SCRAM_BROKERS, topic: run, format: 'canal-json', sasl: { mechanism: 'scram-sha-256', username: `no-such-user-${process.pid}`, password: `\${env:${PW_ENV}}` } },
      env: { [PW_ENV]: 'not-a-password-of-anyone' },
      refusal: /rejected SASL SCRAM-SHA-256 as user no-such-user/,
    }),
    messages,
    // The topic replayed into a table: what a consumer applying the messages in order holds.
    read: async (h) => {
      const held: Held = new Map();
      for (const m of await messages(h)) {
        const image = m.event.op === 'delete' ? m.event.before! : m.event.after!;
        if (m.event.op === 'delete') held.delete(text(image.id)!);
        else held.set(text(image.id)!, heldRow(h.shape, (c) => image[c]));
      }
      return held;
    },
    describeTarget: async (h) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [h.target] });
        return meta.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionId).sort() }));
      } finally {
        await admin.disconnect();
      }
    },
    created: (h) => h.events.filter((e) => e.type === 'topic-created' && e.topic === h.target).length,
    cleanup: async (h) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [h.target] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

function tablestoreFixture(): Fixture {
  let server: TablestoreTestServer | undefined;
  const running = () => {
    if (!server) throw new Error('the Tablestore test server is not running');
    return server;
  };
  const dest = (endpoint: string) => ({
    type: 'tablestore', endpoint, instance: 'mig-test', accessKeyId: `\${env:${KEY_ID_ENV}}`, accessKeySecret: `\${env:${KEY_SECRET_ENV}}`,
  });
  return {
    start: async () => {
      server = await startTablestoreServer();
      process.env[KEY_ID_ENV] = server.accessKeyId;
      process.env[KEY_SECRET_ENV] = server.accessKeySecret;
    },
    stop: async () => {
      await server?.close();
      server = undefined;
    },
    destination: () => ({ destination: dest(running().endpoint) }),
    unreachable: (port) => dest(`http://127.0.0.1:${port}`),
    // The test server checks request signatures like the service: another secret is OTSAuthFailed.
    badCredentials: () => ({
      destination: { ...dest(running().endpoint), accessKeySecret: `\${env:${PW_ENV}}` },
      env: { [PW_ENV]: 'not-the-access-key-secret' },
      refusal: /OTSAuthFailed/,
    }),
    // A connection failure is retried with backoff (about a minute in all) before it surfaces; the
    // retry options' own sleep hook makes the same attempts without the waits.
    withoutRetryWaits: async (fn) => {
      const before = DEFAULT_RETRY.sleep;
      DEFAULT_RETRY.sleep = () => Promise.resolve();
      try {
        return await fn();
      } finally {
        DEFAULT_RETRY.sleep = before;
      }
    },
    // GetRange over the whole table through a new SDK client.
    read: async (h) => {
      const client = sdkClient(running());
      const held: Held = new Map();
      let start: Record<string, unknown>[] | null = [{ id: TableStore.INF_MIN }];
      while (start) {
        const res = await client.getRange({
          tableName: h.target,
          direction: TableStore.Direction.FORWARD,
          inclusiveStartPrimaryKey: start,
          exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
          maxVersions: 1,
        });
        for (const r of res.rows) {
          const values = new Map<string, SdkValue>();
          for (const k of r.primaryKey ?? []) values.set(k.name, k.value);
          for (const a of r.attributes ?? []) values.set(a.columnName, a.columnValue);
          held.set(text(values.get('id'))!, heldRow(h.shape, (c) => values.get(c)));
        }
        start = res.nextStartPrimaryKey ? res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : null;
      }
      return held;
    },
    describeTarget: async (h) => {
      const d = await sdkClient(running()).describeTable({ tableName: h.target });
      return { primaryKey: d.tableMeta.primaryKey.map((k) => ({ name: k.name, type: k.type })), options: d.tableOptions };
    },
    created: (h) => h.events.filter((e) => e.type === 'change-applied' && e.summary.startsWith(`created Tablestore table ${h.target} `)).length,
  };
}

function mysqlFixture(): Fixture {
  const target = `${RUN}_dst`;
  const checkpoints = `${RUN}_cp`;
  const dest = (port: number) => ({ type: 'mysql', host: '127.0.0.1', port, user: 'root', checkpointDatabase: checkpoints, connectTimeoutMs: 3000 });
  const split = (h: Harness) => {
    const [db, t] = h.target.split('.');
    return { db: db!, t: t! };
  };
  return {
    destination: () => ({ destination: dest(MYSQL_PORT), objectTarget: target }),
    unreachable: (port) => dest(port),
    badCredentials: () => ({ destination: { ...dest(MYSQL_PORT), password: `\${env:${PW_ENV}}` }, env: { [PW_ENV]: 'not-the-root-password' }, refusal: /refused user 'root'.*Access denied/ }),
    // A new session each time.
    read: async (h) => {
      const { db, t } = split(h);
      const conn = await rootConnection();
      try {
        const [rows] = await conn.query<RowDataPacket[]>(`SELECT * FROM \`${db}\`.\`${t}\` ORDER BY id`);
        return new Map(rows.map((r) => [text(r.id)!, heldRow(h.shape, (c) => r[c])]));
      } finally {
        await conn.end();
      }
    },
    describeTarget: async (h) => {
      const { db, t } = split(h);
      const conn = await rootConnection();
      try {
        const [rows] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE \`${db}\`.\`${t}\``);
        return rows[0]!['Create Table'];
      } finally {
        await conn.end();
      }
    },
    created: (h) => h.events.filter((e) => e.type === 'change-applied' && e.summary.startsWith(`created table ${h.target}`)).length,
    cleanup: async () => {
      await root.query(`DROP DATABASE IF EXISTS \`${target}\``);
      await root.query(`DROP DATABASE IF EXISTS \`${checkpoints}\``);
    },
  };
}

// Typed by the spec's destination types, so a new destination type does not compile without one;
// looked up by the registry's kinds at run time, so a kind without one fails below.
const FIXTURES: Record<Destination['type'], Fixture> = {
  kafka: kafkaFixture(),
  tablestore: tablestoreFixture(),
  mysql: mysqlFixture(),
};

// ---------------------------------------------------------------------------------------------
// Building requests the way the engine does, and changes to send.

const opened: ChangeSink<unknown>[] = [];
const harnesses: { fx: Fixture; h: Harness }[] = [];

async function prepare(kind: SinkKind, fx: Fixture, name: string, destination?: Record<string, unknown>): Promise<Harness> {
  const table = `${kind.type}_${name}`;
  await root.query(`CREATE TABLE IF NOT EXISTS \`${SRC}\`.\`${table}\` (id INT NOT NULL PRIMARY KEY, v VARCHAR(40), n INT)`);
  const spelled = fx.destination(`${RUN}_${kind.type}_${name}`);
  const migration = normalize({
    apiVersion: 'mig/v1',
    kind: 'Migration',
    metadata: { name: `sc-${kind.type}-${name}-${process.pid}` },
    spec: {
      source: { type: 'mariadb', host: '127.0.0.1', port: MYSQL_PORT, user: 'root' },
      destination: (destination ?? spelled.destination) as Destination,
      types: ['schema', 'full', 'incremental'],
      objects: [{ database: SRC, ...(spelled.objectTarget ? { target: spelled.objectTarget } : {}), tables: [{ name: table }] }],
    },
  });
  const dest = migration.spec.destination;
  expect(dest.type).toBe(kind.type);
  const endpoint = await endpointFor(migration, specDir);
  const live = await inspectSource(migration, endpoint);
  if (!live.ok) throw new Error(`cannot read the source: ${live.error}`);
  const desired = desiredFor(migration, live);
  expect(desired.errors).toEqual([]);
  expect(desired.tables).toHaveLength(1);
  const t = desired.tables[0]!;
  const shape = live.tables.get(t.id)!;
  expect(t.target).toBe(kind.targetOf(dest, SRC, t.settings, spelled.objectTarget));
  const mstate: MigrationState = { name: migration.metadata.name, spec: migration, digest: specDigest(migration), appliedAt: new Date().toISOString(), tables: {}, topics: {} };
  mstate.tables[t.id] = newTableState(t, true);
  const events: ApplyEvent[] = [];
  const hook = recordingHook(mstate, (e) => events.push(e));
  const h: Harness = {
    kind, migration, table: t, shape, target: t.target, mstate, events,
    shapeOf: (id) => live.tables.get(id),
    open: async () => {
      const request: SinkOpenRequest = {
        migration, mstate, tables: desired.tables, topics: desired.topics, shapes: live.tables, flavor: 'mariadb',
        createMissing: true, sourceVersion, openSourceSession: () => connectSource(endpoint), specDir, hook,
      };
      const sink = await kind.open(dest, request);
      opened.push(sink);
      // What the engine does once the sink opened (run-binlog.ts): the tables leave `pending`.
      for (const ts of Object.values(mstate.tables)) if (ts.phase === 'pending') ts.phase = 'schema';
      return sink;
    },
  };
  if (!destination) harnesses.push({ fx, h });
  return h;
}

let nextEventId = 1;
const row = (id: number, v: string, n: number | null): Row => ({ id: String(id), v, n: n === null ? null : String(n) });
const held = (r: Row): HeldRow => ({ id: text(r.id), v: text(r.v), n: text(r.n) });
const ins = (h: Harness, after: Row): ChangeEvent => ({ kind: 'row', op: 'insert', database: SRC, table: h.table.table, after, timestamp: Date.now(), id: nextEventId++ });
const upd = (h: Harness, before: Row, after: Row): ChangeEvent => ({ kind: 'row', op: 'update', database: SRC, table: h.table.table, before, after, timestamp: Date.now(), id: nextEventId++ });
const del = (h: Harness, before: Row): ChangeEvent => ({ kind: 'row', op: 'delete', database: SRC, table: h.table.table, before, timestamp: Date.now(), id: nextEventId++ });

/** The rows a sequence of changes leaves. */
function replayed(events: ChangeEvent[]): Held {
  const out: Held = new Map();
  for (const e of events) {
    if (e.kind !== 'row') continue;
    if (e.op === 'delete') out.delete(String(e.before!.id));
    else {
      if (e.op === 'update' && e.before!.id !== e.after!.id) out.delete(String(e.before!.id));
      out.set(String(e.after!.id), held(e.after!));
    }
  }
  return out;
}

/** Transactions of up to `size` consecutive changes, at offsets counting on from `first`. */
function transactions(events: ChangeEvent[], first: number, size = 3): UpstreamTransaction[] {
  const out: UpstreamTransaction[] = [];
  for (let i = 0; i < events.length; i += size) out.push({ events: events.slice(i, i + size), checkpoint: { feed: FEED, offset: first + out.length } });
  return out;
}

/**
 * Delivers changes batch by batch as the engine would: whole transactions with their position to a
 * transactional sink, encoded items through send() to the others. Returns the last offset used.
 */
async function deliver(h: Harness, sink: ChangeSink<unknown>, batches: ChangeEvent[][], firstOffset = 1): Promise<number> {
  let offset = firstOffset;
  for (const batch of batches) {
    if (isTransactional(sink)) {
      const txs = transactions(batch, offset);
      const r = await sink.applyTransactions(txs);
      expect(r.applied).toBe(txs.length);
      offset += txs.length;
    } else {
      const items = batch.map((e) => sink.change(e, h.shapeOf, Date.now()));
      expect(items.filter((i) => i === undefined)).toEqual([]);
      await sink.send(items);
    }
  }
  return offset - 1;
}

const snapshotItems = (h: Harness, sink: ChangeSink<unknown>, rows: Row[]): unknown[] =>
  rows.map((r) => {
    const item = sink.snapshotRow(h.shape, r, Date.now(), Date.now());
    expect(item).toBeDefined();
    return item;
  });

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  const err = await fn().then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the sink to fail').toBeDefined();
  return err;
}

function withoutRetryWaits<T>(fx: Fixture, fn: () => Promise<T>): Promise<T> {
  return fx.withoutRetryWaits ? fx.withoutRetryWaits(fn) : fn();
}

async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  projectRoot = mkdtempSync(path.join(tmpdir(), 'mig-sink-contract-'));
  specDir = path.join(projectRoot, 'migrations.d');
  mkdirSync(specDir);
  root = await rootConnection();
  await root.query(`CREATE DATABASE \`${SRC}\``);
  const probe = await rootConnection();
  try {
    sourceVersion = (await serverInfo(probe)).version;
  } finally {
    await probe.end();
  }
});

afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close().catch(() => undefined);
});

afterAll(async () => {
  for (const { fx, h } of harnesses) await fx.cleanup?.(h).catch(() => undefined);
  await root?.query(`DROP DATABASE IF EXISTS \`${SRC}\``);
  await root?.end();
  if (projectRoot) rmSync(projectRoot, { recursive: true, force: true });
});

const kinds = Object.values(SINKS) as unknown as SinkKind[];

it('the registry lists sink kinds', () => {
  expect(kinds.length).toBeGreaterThan(0);
});

for (const kind of kinds) {
  describe(`${kind.label} sink (${kind.type})`, () => {
    const fx = (FIXTURES as Partial<Record<string, Fixture>>)[kind.type];
    if (!fx) {
      it('has a contract fixture', () => {
        throw new Error(`sink kind ${kind.type} is registered in SINKS but sink-contract.it.test.ts has no fixture for it: add one to FIXTURES`);
      });
      return;
    }

    beforeAll(async () => {
      await fx.start?.();
    });
    afterAll(async () => {
      while (opened.length > 0) await opened.pop()!.close().catch(() => undefined);
      await fx.stop?.();
    });

    it('schema phase: a second open with createMissing finds the target and leaves it as it was', async () => {
      const h = await prepare(kind, fx, 'schema');
      const first = await h.open();
      expect(fx.created(h)).toBe(1);
      const made = await fx.describeTarget(h);
      // Something in the target that a second creation would lose.
      const marker = row(1, 'kept', 7);
      await first.send(snapshotItems(h, first, [marker]));
      await first.close();

      const second = await h.open();
      expect(fx.created(h)).toBe(1);
      expect(await fx.describeTarget(h)).toEqual(made);
      expect(await fx.read(h)).toEqual(new Map([['1', held(marker)]]));
      await second.close();
    });

    it('per-key order: each key ends with its last change, sent in several batches', async () => {
      const h = await prepare(kind, fx, 'order');
      const sink = await h.open();
      expect(sink.capabilities.perKeyOrder).toBe(true);
      // Per key: insert, three updates, delete, then (except every fourth key) a final re-insert.
      const perKey = new Map<number, ChangeEvent[]>();
      for (let k = 1; k <= 12; k++) {
        const states = [row(k, `k${k}-0`, 0), row(k, `k${k}-1`, 1), row(k, `k${k}-2`, null), row(k, `k${k}-3`, 3)];
        const seq: ChangeEvent[] = [ins(h, states[0]!)];
        for (let i = 1; i < states.length; i++) seq.push(upd(h, states[i - 1]!, states[i]!));
        seq.push(del(h, states.at(-1)!));
        if (k % 4 !== 0) seq.push(ins(h, row(k, `k${k}-final`, k * 100)));
        perKey.set(k, seq);
      }
      // Round-robin over the keys, so each batch holds consecutive changes of the same key too.
      const all: ChangeEvent[] = [];
      for (let step = 0; step < 6; step++) for (const seq of perKey.values()) if (seq[step]) all.push(seq[step]!);
      const batches = [all.slice(0, 20), all.slice(20, 45), all.slice(45)];
      await deliver(h, sink, batches);

      const expected = replayed(all);
      expect(expected.size).toBe(9);
      expect(expected.get('1')).toEqual({ id: '1', v: 'k1-final', n: '100' });
      expect(await fx.read(h)).toEqual(expected);

      if (fx.messages) {
        // A log keeps every change: a key's messages are its changes in the order they were sent.
        const msgs = await fx.messages(h);
        expect(msgs).toHaveLength(all.length);
        for (const [k, seq] of perKey) {
          const mine = msgs.filter((m) => m.key === JSON.stringify([String(k)]));
          expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
          expect(mine.map((m) => [m.event.op, m.event.after?.v ?? m.event.before?.v])).toEqual(seq.map((e) => [e.kind === 'row' && e.op, e.kind === 'row' && (e.after?.v ?? e.before?.v)]));
        }
      }
    });

    it('replay: the same batch sent twice', async () => {
      const h = await prepare(kind, fx, 'replay');
      const sink = await h.open();
      const rows = Array.from({ length: 6 }, (_, i) => row(i + 1, `r${i + 1}`, i));
      const items = snapshotItems(h, sink, rows);
      let sent: ChangeEvent[] = rows.map((r) => ins(h, r));
      if (!isTransactional(sink)) {
        // Changes go through send() too (a transactional sink takes them with their position, below).
        const changes = [upd(h, rows[1]!, row(2, 'r2-new', 20)), del(h, rows[2]!), ins(h, row(7, 'r7', 7)), upd(h, row(7, 'r7', 7), row(7, 'r7-new', null))];
        items.push(...changes.map((e) => sink.change(e, h.shapeOf, Date.now())));
        sent = [...sent, ...changes];
      }
      await sink.send(items);
      const once = await fx.read(h);
      expect(once).toEqual(replayed(sent));
      const logOnce = await fx.messages?.(h);

      await sink.send(items);
      if (sink.capabilities.idempotentReplay) {
        expect(await fx.read(h)).toEqual(once);
      } else {
        // Documented instead: the replay's messages are exact copies of the first delivery's, in the
        // same order (per partition, the only order Kafka has), and nothing is lost.
        expect(fx.messages, `${kind.type} does not replay idempotently: its fixture must read its messages`).toBeDefined();
        const logTwice = (await fx.messages!(h)).map((m) => ({ p: m.partition, key: m.key, value: m.value.toString('base64') }));
        const first = logOnce!.map((m) => ({ p: m.partition, key: m.key, value: m.value.toString('base64') }));
        expect(first).toHaveLength(items.length);
        expect(logTwice).toHaveLength(2 * first.length);
        for (const p of new Set(first.map((m) => m.p))) {
          const a = first.filter((m) => m.p === p);
          expect(logTwice.filter((m) => m.p === p)).toEqual([...a, ...a]);
        }
        expect(await fx.read(h)).toEqual(once);
      }

      if (isTransactional(sink)) {
        // The same transactions applied twice: the second time each is skipped, rows and position as after one.
        const a = rows[0]!;
        const txEvents = [upd(h, a, row(1, 'tx1', 1)), ins(h, row(10, 'tx10', 10)), upd(h, row(10, 'tx10', 10), row(10, 'tx10b', 11)), del(h, rows[3]!), ins(h, row(11, 'tx11', null))];
        const txs = transactions(txEvents, 1, 2);
        expect((await sink.applyTransactions(txs)).applied).toBe(txs.length);
        const rowsOnce = await fx.read(h);
        expect(rowsOnce).toEqual(replayed([...sent, ...txEvents]));
        const cpOnce = await sink.readCheckpoints();
        expect(cpOnce).toEqual([expect.objectContaining({ feed: FEED, kafkaOffset: String(txs.length) })]);

        expect((await sink.applyTransactions(txs)).applied).toBe(0);
        expect(await fx.read(h)).toEqual(rowsOnce);
        expect(await sink.readCheckpoints()).toEqual(cpOnce);

        // Redelivered with one new transaction after it: only the new one is applied.
        const next = { events: [upd(h, row(11, 'tx11', null), row(11, 'tx11b', 5))], checkpoint: { feed: FEED, offset: txs.length + 1 } };
        expect((await sink.applyTransactions([txs.at(-1)!, next])).applied).toBe(1);
        expect((await fx.read(h)).get('11')).toEqual({ id: '11', v: 'tx11b', n: '5' });
        expect(await sink.readCheckpoints()).toEqual([expect.objectContaining({ feed: FEED, kafkaOffset: String(txs.length + 1) })]);
      }
    });

    it('durable before checkpoint: what send() acknowledged, a fresh reader sees', async () => {
      const h = await prepare(kind, fx, 'durable');
      const sink = await h.open();
      const rows = Array.from({ length: 40 }, (_, i) => row(100 + i, `d${i}`, i));
      const items = snapshotItems(h, sink, rows);
      let sent: ChangeEvent[] = rows.map((r) => ins(h, r));
      if (!isTransactional(sink)) {
        const changes = [...rows.slice(0, 10).map((r) => upd(h, r, { ...r, v: `${r.v}-u` })), ...rows.slice(10, 15).map((r) => del(h, r))];
        items.push(...changes.map((e) => sink.change(e, h.shapeOf, Date.now())));
        sent = [...sent, ...changes];
      }
      await sink.send(items);
      expect(await fx.read(h)).toEqual(replayed(sent));
      // A log holds every item, not only the rows they leave.
      if (fx.messages) expect((await fx.messages(h)).length).toBe(items.length);

      if (isTransactional(sink)) {
        const changes = [...rows.slice(0, 10).map((r) => upd(h, r, { ...r, v: `${r.v}-u` })), ...rows.slice(10, 15).map((r) => del(h, r))];
        const last = await deliver(h, sink, [changes.slice(0, 8), changes.slice(8)], 1);
        expect(await fx.read(h)).toEqual(replayed([...sent, ...changes]));
        const position = [expect.objectContaining({ feed: FEED, kafkaOffset: String(last) })];
        expect(await sink.readCheckpoints()).toEqual(position);
        // A sink opened afresh (its own session) reads the same position.
        const other = await h.open();
        expect(isTransactional(other) && (await other.readCheckpoints())).toEqual(position);
      }
    });

    it('a connection error is classified retryable-connection', async () => {
      const h = await prepare(kind, fx, 'down');
      // A working sink of this kind: its classify judges the failure of the one below.
      const sink = await h.open();
      const port = await closedPort();
      const down = await prepare(kind, fx, 'down', fx.unreachable(port, `${RUN}_${kind.type}_down`));
      const refused = await failure(() => withoutRetryWaits(fx, () => down.open()));
      expect(String(refused), 'the failure is the closed port').toMatch(new RegExp(`\\b${port}\\b`));
      expect(sink.classify(refused), String(refused)).toBe('retryable-connection');
    });

    it('refused credentials are classified fatal', async () => {
      const bad = fx.badCredentials(`${RUN}_${kind.type}_auth`);
      if (typeof bad === 'string') {
        // The fixture says why no permanent failure of this kind can be produced for real here.
        console.info(`${kind.type}: ${bad}`);
        return;
      }
      const h = await prepare(kind, fx, 'auth');
      const sink = await h.open();
      const denied = await withEnv(bad.env, async () => {
        const other = await prepare(kind, fx, 'auth', bad.destination);
        return failure(() => withoutRetryWaits(fx, () => other.open()));
      });
      expect(String(denied), 'the failure is the refused credentials').toMatch(bad.refusal);
      expect(sink.classify(denied), String(denied)).toBe('fatal');
    });
  });
}
