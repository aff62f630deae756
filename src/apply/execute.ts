// apply: makes the recorded state match the plan, then runs each migration's phases
// (schema → full → incremental), checkpointing as it goes. Callers hold the state lock.
import { createHash } from 'node:crypto';
import type { LoadedMigration } from '../spec/index.js';
import type { Migration } from '../spec/schema.js';
import type { MigrationState, State, TableState } from '../state/model.js';
import type { StateStore } from '../state/store.js';
import type { Plan } from '../plan/change.js';
import { desiredFor, type DesiredTable } from '../plan/desired.js';
import { endpointFor } from '../plan/make.js';
import { inspectSource } from '../plan/live.js';
import { connectSource } from '../source/mysql/connect.js';
import { currentBinlogEnd, serverInfo } from '../source/mysql/inspect.js';
import { KafkaAdmin } from '../sink/kafka/admin.js';
import { KafkaWriter } from '../sink/kafka/writer.js';
import { resolveKafkaSecrets, type KafkaSecrets } from '../sink/kafka/secrets.js';
import { formatFor } from '../sink/kafka/formats/index.js';
import { recordSchema } from '../sink/kafka/formats/dts-avro.js';
import { SchemaRegistry } from '../sink/kafka/schema-registry.js';
import { MigError } from '../util/errors.js';
import { Checkpointer } from './checkpointer.js';
import type { RunContext } from './context.js';
import type { ApplyHook } from './events.js';
import { runFullLoad } from './full-load.js';
import { Router } from './router.js';
import { runStream } from './stream.js';

export interface ApplyOptions {
  specDir: string;
  untilCaughtUp: boolean;
  follow: boolean;
  signal: AbortSignal;
  hook: ApplyHook;
}

export interface ApplyResult {
  state: State;
  /** Migrations whose incremental phase is ready but was not started (no --follow/--until-caught-up). */
  handoff: string[];
}

export async function executeApply(plan: Plan, loaded: LoadedMigration[], store: StateStore, state: State, opts: ApplyOptions): Promise<ApplyResult> {
  const cp = new Checkpointer(store, state);
  recordChanges(plan, loaded, state, opts.hook);
  await cp.save();
  const handoff: string[] = [];
  const runs = loaded.map(async (l) => {
    const h = await runMigration(l.migration, cp, opts);
    if (h) handoff.push(l.migration.metadata.name);
  });
  // Migrations are independent; one failing must not leave the others' checkpoints unsaved.
  const results = await Promise.allSettled(runs);
  await cp.save();
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { state: cp.state, handoff };
}

/** Applies the plan's changes to the recorded state: what to forget, reset or add. */
function recordChanges(plan: Plan, loaded: LoadedMigration[], state: State, hook: ApplyHook): void {
  const byName = new Map(loaded.map((l) => [l.migration.metadata.name, l]));
  for (const mp of plan.migrations) {
    for (const c of mp.changes) {
      if (c.kind === 'migration' && c.action === 'replace') {
        const ms = state.migrations[mp.name];
        if (ms) {
          ms.tables = {};
          ms.snapshot = undefined;
          ms.checkpoint = undefined;
        }
        hook({ type: 'change-applied', migration: mp.name, summary: 'checkpoint dropped; every table is copied again from a new snapshot' });
      } else if (c.kind === 'migration' && c.action === 'delete') {
        delete state.migrations[mp.name];
        hook({ type: 'change-applied', migration: mp.name, summary: 'forgotten (topics kept)' });
      } else if (c.kind === 'table' && c.action === 'delete') {
        const ms = state.migrations[mp.name];
        if (ms) delete ms.tables[c.table];
        hook({ type: 'change-applied', migration: mp.name, summary: `${c.table}: no longer replicated` });
      } else if (c.kind === 'table' && c.action === 'replace') {
        const ms = state.migrations[mp.name];
        if (ms) delete ms.tables[c.table]; // re-created below from the spec, pending a new snapshot
        hook({ type: 'change-applied', migration: mp.name, summary: `${c.table}: reset for a new snapshot` });
      }
    }
    const l = byName.get(mp.name);
    if (!l) continue;
    const m = l.migration;
    const prev = state.migrations[mp.name];
    // Everything recorded so far (checkpoints, skipped rows…) carries over; only the spec is new.
    state.migrations[mp.name] = {
      ...prev,
      name: mp.name,
      spec: m,
      digest: mp.digest ?? prev?.digest ?? '',
      appliedAt: new Date().toISOString(),
      tables: prev?.tables ?? {},
      topics: prev?.topics ?? {},
    };
  }
}

/** Default replication server id: stable per migration name, away from small ids servers use. */
export function defaultServerId(name: string): number {
  const h = createHash('sha256').update(name).digest();
  return 100000 + (h.readUInt32BE(0) % 1_000_000_000);
}

async function runMigration(m: Migration, cp: Checkpointer, opts: ApplyOptions): Promise<boolean> {
  const name = m.metadata.name;
  const mstate = cp.state.migrations[name]!;
  opts.hook({ type: 'migration-start', migration: name });
  const endpoint = await endpointFor(m, opts.specDir);
  const kafkaSecrets = await resolveKafkaSecrets(m.spec.destination, opts.specDir);
  const live = await inspectSource(m, endpoint);
  if (!live.ok) throw new MigError('source-unreachable', `${name}: cannot read the source: ${live.error}`, 'check spec.source and that the server is running');
  const desired = desiredFor(m, live);
  if (desired.errors.length > 0) throw new MigError('spec-source-mismatch', `${name}: ${desired.errors.join('; ')}`, 'fix spec.objects or create the objects on the source');
  const types = new Set(m.spec.types);
  const probe = await connectSource(endpoint);
  let flavor: 'mariadb' | 'mysql';
  let version: string;
  try {
    const info = await serverInfo(probe);
    flavor = info.flavor;
    version = info.version;
    if (types.has('incremental')) requireBinlog(name, info);
    // A migration without full load streams from wherever the log is when it first runs.
    if (types.has('incremental') && !types.has('full') && !mstate.snapshot) {
      const end = await currentBinlogEnd(probe);
      mstate.snapshot = { position: { ...end, serverId: info.serverId }, takenAt: new Date().toISOString() };
    }
  } finally {
    await probe.end().catch(() => undefined);
  }

  for (const t of desired.tables) {
    if (!mstate.tables[t.id]) mstate.tables[t.id] = newTableState(t, types.has('full'));
    mstate.tables[t.id]!.topic = t.topic;
  }
  await ensureTopics(m, mstate, desired.topics, types.has('schema'), opts.hook, kafkaSecrets);
  for (const t of desired.tables) if (mstate.tables[t.id]!.phase === 'pending') mstate.tables[t.id]!.phase = 'schema';
  await cp.save();

  const schemaIds = await registerValueSchemas(m, desired.topics.map((t) => t.name), opts.hook);
  const writer = await KafkaWriter.connect(m.spec.destination, kafkaSecrets);
  try {
    const desiredMap = new Map<string, DesiredTable>(desired.tables.map((t) => [t.id, t]));
    const ctx: RunContext = {
      migration: m, mstate, endpoint, flavor, writer,
      router: new Router({
        tables: desiredMap,
        destination: m.spec.destination,
        format: formatFor(m.spec.destination.format),
        source: { type: 'MySQL', version },
        flavor,
        partitionsOf: (topic) => mstate.topics[topic]?.partitions ?? 1,
        schemaIds,
        onOversized: (row) => {
          const phase = mstate.tables[row.table]?.fullDoneAt ? 'incremental' : 'full';
          (mstate.skippedRows ??= []).push({ ...row, at: new Date().toISOString(), phase });
          opts.hook({ type: 'table-warning', migration: name, table: row.table, message: `skipped a row of ${row.bytes} bytes (key ${row.key ?? 'none'}): over destination.maxMessageBytes; recorded in the state` });
        },
      }),
      shapes: live.tables, desired: desiredMap, checkpointer: cp, hook: opts.hook, signal: opts.signal,
    };
    if (types.has('full')) await runFullLoad(ctx);
    if (opts.signal.aborted || !types.has('incremental')) return false;
    for (const t of desired.tables) if (mstate.tables[t.id]!.fullDoneAt || !types.has('full')) mstate.tables[t.id]!.phase = 'incremental';
    await cp.save();
    if (!opts.untilCaughtUp && !opts.follow) {
      opts.hook({ type: 'handoff', migration: name, position: mstate.checkpoint ?? mstate.snapshot!.position });
      return true;
    }
    await runStream(ctx, { untilCaughtUp: opts.untilCaughtUp && !opts.follow, serverId: m.spec.source.serverId ?? defaultServerId(name) });
    return false;
  } finally {
    await writer.close();
    opts.hook({ type: 'migration-done', migration: name });
  }
}

function newTableState(t: DesiredTable, full: boolean): TableState {
  return { id: t.id, phase: 'pending', topic: t.topic, snapshotDigest: t.snapshotDigest, keyColumns: [], rowsCopied: 0, ...(full ? {} : { fullDoneAt: undefined }) };
}

function requireBinlog(name: string, info: Awaited<ReturnType<typeof serverInfo>>): void {
  const fixes: string[] = [];
  if (!info.logBin) fixes.push('enable the binary log (log_bin=ON in the server configuration; needs a restart)');
  if (info.binlogFormat.toUpperCase() !== 'ROW') fixes.push("SET GLOBAL binlog_format = 'ROW'");
  if (info.binlogRowImage.toUpperCase() !== 'FULL') fixes.push("SET GLOBAL binlog_row_image = 'FULL'");
  if (info.binlogRowMetadata !== null && info.binlogRowMetadata.toUpperCase() !== 'FULL') fixes.push("SET GLOBAL binlog_row_metadata = 'FULL'");
  if (fixes.length > 0) {
    throw new MigError('source-binlog-settings', `${name}: the source's binary log cannot feed incremental migration (log_bin=${info.logBin ? 'ON' : 'OFF'}, binlog_format=${info.binlogFormat}, binlog_row_image=${info.binlogRowImage}, binlog_row_metadata=${info.binlogRowMetadata ?? 'n/a'})`, fixes.join('; '));
  }
}

async function ensureTopics(m: Migration, mstate: MigrationState, topics: { name: string; partitions: number }[], createMissing: boolean, hook: ApplyHook, secrets: KafkaSecrets): Promise<void> {
  const name = m.metadata.name;
  const admin = await KafkaAdmin.connect(m.spec.destination, secrets);
  try {
    const live = await admin.describe(topics.map((t) => t.name));
    for (const t of topics) {
      const have = live.get(t.name);
      if (!have) {
        if (!createMissing) throw new MigError('topic-missing', `${name}: topic ${t.name} does not exist and "schema" is not in spec.types`, 'create the topic, or add schema to spec.types so mig creates it');
        await admin.create(t.name, t.partitions, m.spec.destination.replicationFactor);
        hook({ type: 'topic-created', migration: name, topic: t.name, partitions: t.partitions });
        mstate.topics[t.name] = { partitions: t.partitions };
      } else if (have.partitions < t.partitions && createMissing) {
        await admin.addPartitions(t.name, t.partitions);
        hook({ type: 'topic-partitions', migration: name, topic: t.name, from: have.partitions, to: t.partitions });
        mstate.topics[t.name] = { partitions: t.partitions };
      } else {
        mstate.topics[t.name] = { partitions: have.partitions };
      }
    }
  } finally {
    await admin.close();
  }
}

/** With a schema registry, the DTS Avro value schema is registered under `<topic>-value` for each topic. */
async function registerValueSchemas(m: Migration, topics: string[], hook: ApplyHook): Promise<Map<string, number> | undefined> {
  const reg = m.spec.destination.schemaRegistry;
  if (!reg) return undefined;
  const registry = new SchemaRegistry(reg.url);
  const ids = new Map<string, number>();
  for (const topic of topics) {
    const id = await registry.register(`${topic}-value`, recordSchema as object);
    ids.set(topic, id);
    hook({ type: 'change-applied', migration: m.metadata.name, summary: `value schema of ${topic} registered as ${topic}-value (id ${id})` });
  }
  return ids;
}
