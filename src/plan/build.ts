// The planner: specs + recorded state + live view → the changes apply will make, each with its reason.
// Pure: no I/O, so the same inputs always give the same plan (and golden tests pin it).
import { createTwoFilesPatch } from 'diff';
import type { Migration } from '../spec/schema.js';
import type { LockInfo, MigrationState, State } from '../state/model.js';
import type { Change, MigrationPlan, Plan, PlanNote } from './change.js';
import type { Desired, DesiredTable, LiveSource, LiveTargets, LiveTopics } from '../model/targets.js';
import { desiredFor } from './desired.js';
import { sinkKindOf } from '../connectors/registry.js';
import { destinationHow, destinationSettingChanges } from './destination-settings.js';
import { targetChanges, targetKind } from './targets.js';
import { sourceKindOf } from '../connectors/registry.js';
import { generationsOf, pendingGeneration, projectDesired } from '../state/generation.js';
import type { RunnerLease } from '../state/store.js';
import { heartbeatChanges, retryChanges, throttleChanges } from './operation-settings.js';
import { errorPolicyChanges } from './error-policy-settings.js';
import { heartbeatOf, heartbeatText } from '../spec/heartbeat.js';
import { formatCount } from '../model/number-text.js';
import { writtenText } from './spec-text.js';
import { copyRisks, loadRate, type LoadRate } from './table-size.js';
import { ddlFact, ddlPolicyChanges } from './ddl-settings.js';

export { targetKind } from './targets.js';

export interface PlanMigrationInput {
  file: string;
  migration: Migration;
  digest: string;
}

export interface LiveView {
  source: LiveSource;
  /** Kafka destinations: the topics that exist ({ok, empty} for other destinations). */
  topics: LiveTopics;
  /** Tablestore and MySQL destinations: the tables that exist. */
  targets?: LiveTargets;
  /**
   * Whether the source still holds the recorded position incremental resumes from (SourceKind
   * `resumable`); absent when there is none or the source could not tell.
   */
  resume?: { ok: true } | { ok: false; reason: string };
}


export interface PlanInput {
  migrations: PlanMigrationInput[];
  state: State;
  live: Map<string, LiveView>;
  specDigest: string;
  normalizedText: (m: Migration) => string;
  /** Migrations to re-snapshot from scratch, or single tables as MIGRATION/DB.TABLE (apply --replace). */
  replace?: ReadonlySet<string>;
  /** Runners holding migrations' leases now. */
  leases?: Record<string, RunnerLease>;
  /** The state lock, when another process holds it (an apply recording its plan). */
  lock?: LockInfo;
  now?: Date;
}

export function buildPlan(raw: PlanInput): Plan {
  // Planned against what was approved: a generation still waiting for its runner counts as applied.
  const input = { ...raw, state: projectDesired(raw.state) };
  const notes: PlanNote[] = [];
  notes.push(...runnerNotes(raw));
  const plans: MigrationPlan[] = [];
  let partial = false;
  const names = new Set<string>();

  for (const mi of input.migrations) {
    const name = mi.migration.metadata.name;
    names.add(name);
    const live = input.live.get(name) ?? { source: { ok: false, error: 'not inspected' }, topics: { ok: false, error: 'not inspected' } };
    if (!live.source.ok) {
      partial = true;
      notes.push({ severity: 'warning', migration: name, message: `source not inspected: ${live.source.error}`, hint: 'tables, columns and keys are unverified' });
    }
    if (!live.topics.ok) {
      partial = true;
      notes.push({ severity: 'warning', migration: name, message: `Kafka not inspected: ${live.topics.error}`, hint: 'topics and partition counts are unverified' });
    }
    if (live.targets && !live.targets.ok) {
      partial = true;
      notes.push({ severity: 'warning', migration: name, message: `destination not inspected: ${live.targets.error}`, hint: 'destination tables are unverified' });
    }
    // A destination's warning is about the spec as written: it is shown while the spec is new or
    // edited, not again on every plan of a migration that matches its recorded state.
    const before = input.state.migrations[name];
    const specChanged = !before || input.normalizedText(before.spec) !== input.normalizedText(mi.migration);
    for (const n of sinkKindOf(mi.migration.spec.destination).planNotes(mi.migration)) {
      if (n.severity === 'warning' && !specChanged) continue;
      notes.push({ severity: n.severity ?? 'info', migration: name, message: n.message, hint: n.hint });
    }
    const desired = desiredFor(mi.migration, live.source);
    for (const e of desired.errors) notes.push({ severity: 'error', migration: name, message: e, hint: 'fix spec.objects or create it on the source' });
    if (live.source.ok) {
      for (const t of desired.tables) {
        const info = live.source.tables.get(t.id);
        if (info?.keyKind === 'none') {
          notes.push({ severity: 'warning', migration: name, message: `table \`${t.id}\` has no primary key or NOT NULL unique key: its full load restarts from the beginning after a crash, ${sinkKindOf(mi.migration.spec.destination).keylessConsequence.plan}`, hint: 'add a primary key to the source table' });
        }
      }
    }
    for (const db of desired.unresolved) notes.push({ severity: 'warning', migration: name, message: `tables of database \`${db}\` are taken from the live source, which could not be read` });
    const prev = input.state.migrations[name];
    const rate = loadRate(raw.state, mi.migration);
    let changes = prev ? diffExisting(mi, prev, desired, live.topics, runningBy(raw, name) !== undefined, rate) : createAll(mi, desired, live.topics, rate);
    changes.push(...targetChanges(mi.migration, prev, desired, live.targets, live.source));
    const lost = prev ? resumeLost(prev, live) : undefined;
    if (prev && input.replace?.has(name)) changes = replaceAll(mi, desired, changes, rate, 'forced new snapshot (--replace): the checkpoint is dropped, every table is copied again, then streaming starts from the new snapshot');
    else if (lost) changes = replaceAll(mi, desired, changes, rate, `re-snapshot required (${lost}): drift outside mig that only a new snapshot repairs; apply drops the checkpoint, copies every table again from a new snapshot, then streams from there`);
    else if (prev) changes = replaceTables(mi, desired, changes, input.replace, notes, rate);
    // A whole new snapshot copies every table before streaming: none of it is a backfill.
    if (prev && !input.replace?.has(name) && !lost && backfills(mi.migration, prev)) changes = changes.map(asBackfill);
    const into = targetKind(mi.migration);
    if (into !== 'topic') changes = changes.map((c) => (c.kind === 'table' ? { ...c, into } : c));
    const specDiff = unifiedDiff(name, prev ? input.normalizedText(prev.spec) : '', input.normalizedText(mi.migration));
    const writtenDiff = writtenSpecDiff(name, prev?.spec, mi.migration, specDiff);
    plans.push({ name, file: mi.file, changes, specDiff, writtenDiff, digest: mi.digest });
  }

  for (const r of input.replace ?? []) {
    const m = r.includes('/') ? r.slice(0, r.indexOf('/')) : r;
    if (m !== r && input.state.migrations[m] && names.has(m)) continue;
    if (!input.state.migrations[m] || !names.has(m)) notes.push({ severity: 'error', migration: r, message: `--replace ${r}: no applied migration has that name`, hint: 'name a migration that mig status lists' });
  }

  for (const [name, prev] of Object.entries(input.state.migrations)) {
    if (names.has(name)) continue;
    const specDiff = unifiedDiff(name, input.normalizedText(prev.spec), '');
    plans.push({
      name,
      changes: [{ kind: 'migration', action: 'delete', migration: name, reason: 'removed from the specs: replication stops and its state is forgotten; topics and their messages are kept', risks: ['destructive'] }],
      specDiff,
      writtenDiff: writtenSpecDiff(name, prev.spec, undefined, specDiff),
    });
  }

  if (raw.lock) notes.push({ severity: 'info', message: `the state is locked by ${raw.lock.operation} (pid ${raw.lock.pid} on ${raw.lock.host} since ${raw.lock.time}): this plan read the state past the lock; once that ${raw.lock.operation} has recorded its plan, plan again to see it` });

  return {
    formatVersion: 1,
    createdAt: (input.now ?? new Date()).toISOString(),
    specDigest: input.specDigest,
    stateSerial: input.state.serial,
    stateLineage: input.state.lineage,
    generations: generationsOf(raw.state),
    migrations: plans,
    notes,
    partial,
  };
}

/** What a reviewer should know about a table before it is copied: size, columns and key. */
function tableFacts(m: Migration, t: DesiredTable): string {
  if (!t.live) return '';
  const key = t.live.keyKind === 'none' ? 'no key' : `${t.live.keyKind === 'primary' ? 'primary key' : 'unique key'} ${t.live.key.join(', ')}`;
  const extra = [
    t.filter ? `filter ${t.filter}` : '',
    t.columns || t.rename ? `columns: ${describeProjection(t)}` : '',
    t.partitionKey ? `partition key ${t.partitionKey.join(', ')}` : '',
    m.spec.types.includes('incremental') ? ddlFact(m, t) : '',
  ].filter(Boolean);
  return ` (~${formatCount(t.live.estimatedRows)} rows, ${t.live.columns} column${t.live.columns === 1 ? '' : 's'}, ${key}${extra.map((e) => `, ${e}`).join('')})`;
}

function phasesText(m: Migration): string {
  const t = new Set(m.spec.types);
  if (t.has('full') && t.has('incremental')) return 'schema + full load, then joins incremental';
  if (t.has('full')) return 'schema + full load';
  if (t.has('incremental')) return 'joins incremental (no full load)';
  return 'schema only';
}

function topicChanges(name: string, desired: Desired, topics: LiveTopics, known: Record<string, { partitions: number }>): Change[] {
  const out: Change[] = [];
  for (const t of desired.topics) {
    const liveCount = topics.ok ? topics.topics.get(t.name) : undefined;
    if (topics.ok && liveCount === undefined) {
      const drift = known[t.name] !== undefined;
      out.push({
        kind: 'topic', action: 'create', migration: name, topic: t.name, partitions: t.partitions,
        reason: drift ? `drift: topic was deleted outside mig; recreated with ${t.partitions} partition(s)` : `new topic with ${t.partitions} partition(s)`,
        risks: [],
      });
    } else if (liveCount !== undefined && known[t.name] !== undefined && liveCount !== known[t.name]!.partitions && liveCount >= t.partitions) {
      out.push({
        kind: 'topic', action: 'update', migration: name, topic: t.name, partitions: liveCount, fromPartitions: known[t.name]!.partitions,
        reason: `drift: the topic has ${liveCount} partitions but mig recorded ${known[t.name]!.partitions}: it was repartitioned outside mig, so per-key ordering across that change is already broken; apply records ${liveCount} and routes by it`,
        risks: ['breaks-key-order'],
      });
    } else if (liveCount !== undefined && liveCount < t.partitions) {
      out.push({
        kind: 'topic', action: 'update', migration: name, topic: t.name, partitions: t.partitions, fromPartitions: liveCount,
        reason: `partition count ${liveCount} → ${t.partitions}: partition count change breaks per-key ordering (a key's new messages may land on another partition)`,
        risks: ['breaks-key-order'],
      });
    } else if (!topics.ok && known[t.name] === undefined) {
      out.push({ kind: 'topic', action: 'create', migration: name, topic: t.name, partitions: t.partitions, reason: `new topic with ${t.partitions} partition(s) (unless it exists: Kafka not inspected)`, risks: [] });
    }
  }
  return out;
}

function createAll(mi: PlanMigrationInput, desired: Desired, topics: LiveTopics, rate: LoadRate): Change[] {
  const name = mi.migration.metadata.name;
  const how = destinationHow(mi.migration.spec.destination);
  const changes: Change[] = [{ kind: 'migration', action: 'create', migration: name, reason: `new migration (${mi.migration.spec.types.join(', ')}; ${how}${heartbeatOf(mi.migration) ? `; ${heartbeatText(mi.migration)}` : ''})`, risks: [] }];
  changes.push(...topicChanges(name, desired, topics, {}));
  const full = mi.migration.spec.types.includes('full');
  for (const t of desired.tables) {
    changes.push({ kind: 'table', action: 'create', migration: name, table: t.id, topic: t.target, reason: `new table${tableFacts(mi.migration, t)}: ${phasesText(mi.migration)}`, ...(full ? copyRisks(t, rate) : { risks: [] }) });
  }
  return changes;
}

/**
 * Who runs a migration now, as the plan words it: the runner holding its lease, else an apply holding
 * the state lock. Undefined when no one does (a full load not done was then interrupted).
 */
export function runningBy(input: Pick<PlanInput, 'leases' | 'lock'>, name: string): string | undefined {
  const l = input.leases?.[name];
  if (l) return `running in runner pid ${l.pid} on ${l.host} since ${l.since}`;
  const k = input.lock;
  if (k?.operation === 'apply') return `running (locked by apply pid ${k.pid} on ${k.host} since ${k.time})`;
  return undefined;
}

/** The tables of a migration whose full load has not finished, with how far each got. */
function loading(ms: MigrationState): string[] {
  if (!ms.spec.spec.types.includes('full')) return [];
  return Object.values(ms.tables).filter((t) => !t.fullDoneAt).map((t) => `${t.id} ${t.rowsCopied > 0 ? `${formatCount(t.rowsCopied)} rows copied` : 'not started'}`);
}

/** Who runs each migration, and approved plans its runner has not taken up yet. */
function runnerNotes(input: PlanInput): PlanNote[] {
  const notes: PlanNote[] = [];
  for (const [name, ms] of Object.entries(input.state.migrations)) {
    const l = input.leases?.[name];
    const running = runningBy(input, name);
    const loads = loading(ms);
    if (running && loads.length > 0) notes.push({ severity: 'info', migration: name, message: `${running}: full load in progress (${loads.join(', ')}); apply has nothing to resume` });
    if (l) notes.push({ severity: 'info', migration: name, message: `the runner pid ${l.pid} on ${l.host} holds its lease since ${l.since}: apply records this plan and that runner reconciles it while it streams` });
    const g = pendingGeneration(ms);
    if (g !== undefined) notes.push({ severity: 'info', migration: name, message: `generation ${g} (approved ${ms.desired!.recordedAt}) is waiting for ${l ? 'the runner' : 'a runner (mig run) or the next apply'}; this plan is made against it` });
  }
  return notes;
}

/**
 * Whether a table that starts in this migration is copied while the stream runs (engine/backfill.ts):
 * the migration has streamed from a binary log, so its position is the one to keep. The precheck
 * asks the same to know when the source must take watermark writes.
 */
export function backfills(m: Migration, prev: MigrationState): boolean {
  return prev.checkpoint !== undefined && m.spec.types.includes('full') && m.spec.types.includes('incremental') && sourceKindOf(m.spec.source).changes === 'binlog';
}

/** Every table a streaming migration copies (any size: the stream runs meanwhile) is a backfill. */
function asBackfill(c: Change): Change {
  if (c.kind !== 'table' || (c.action !== 'create' && c.action !== 'replace')) return c;
  return {
    ...c,
    reason: `${c.reason}; backfilled in watermark chunks while the stream keeps running (the source user needs CREATE, INSERT, UPDATE on mig_meta.*)`,
    risks: [...c.risks.filter((r) => r !== 'long-running'), 'backfill'],
  };
}

/** --replace MIGRATION/DB.TABLE: that table alone is copied again. */
function replaceTables(mi: PlanMigrationInput, desired: Desired, changes: Change[], replace: ReadonlySet<string> | undefined, notes: PlanNote[], rate: LoadRate): Change[] {
  const name = mi.migration.metadata.name;
  const wanted = [...(replace ?? [])].filter((r) => r.startsWith(`${name}/`)).map((r) => r.slice(name.length + 1));
  let out = changes;
  for (const id of wanted) {
    const t = desired.tables.find((d) => d.id === id);
    if (!t) {
      notes.push({ severity: 'error', migration: name, message: `--replace ${name}/${id}: the migration has no table ${id}`, hint: 'name a table as database.table, as mig status lists it' });
      continue;
    }
    out = out.filter((c) => !(c.kind === 'table' && c.table === id));
    out.push({ kind: 'table', action: 'replace', migration: name, table: id, topic: t.target, reason: 'forced re-snapshot of this table (--replace): its rows are copied again; the other tables stream on', ...copyRisks(t, rate, ['re-snapshot']) });
  }
  return out;
}

/**
 * The recorded position incremental resumes from, when the source no longer holds it (a purged
 * binlog file, feed offsets deleted by retention). A generation already asking for a new snapshot
 * (the planner sees the state with it taken up) has nothing left to resume.
 */
function resumeLost(prev: MigrationState, live: LiveView): string | undefined {
  if (!live.resume || live.resume.ok) return undefined;
  if (!prev.checkpoint && !prev.snapshot && !prev.feed) return undefined;
  return live.resume.reason;
}

/** A new snapshot (forced, or required by drift): every table is copied again and streaming restarts from the new position. */
function replaceAll(mi: PlanMigrationInput, desired: Desired, other: Change[], rate: LoadRate, reason: string): Change[] {
  const name = mi.migration.metadata.name;
  const keep = other.filter((c) => c.kind === 'topic' || c.kind === 'setting');
  const tables = desired.tables.map((t): Change => ({ kind: 'table', action: 'replace', migration: name, table: t.id, topic: t.target, reason: 'copied again from the new snapshot', ...copyRisks(t, rate, ['re-snapshot']) }));
  // The snapshot as a whole is as long as its tables together.
  const long = tables.some((c) => c.risks.includes('long-running'));
  return [{ kind: 'migration', action: 'replace', migration: name, reason, risks: long ? ['re-snapshot', 'long-running'] : ['re-snapshot'] }, ...keep, ...tables];
}

/** `running`: another process runs the migration now, so a full load not done is under way, not interrupted. */
function diffExisting(mi: PlanMigrationInput, prev: MigrationState, desired: Desired, topics: LiveTopics, running: boolean, rate: LoadRate): Change[] {
  const name = mi.migration.metadata.name;
  const m = mi.migration;
  const changes: Change[] = [];
  changes.push(...settingChanges(name, prev.spec, m));
  changes.push(...ddlPolicyChanges(name, prev.spec, m, desired.tables));
  changes.push(...topicChanges(name, desired, topics, prev.topics));
  const full = m.spec.types.includes('full');
  const wanted = new Set(desired.tables.map((t) => t.id));
  for (const t of desired.tables) {
    const was = prev.tables[t.id];
    if (!was) {
      changes.push({ kind: 'table', action: 'create', migration: name, table: t.id, topic: t.target, reason: `new table${tableFacts(m, t)}: ${phasesText(m)}`, ...(full ? copyRisks(t, rate) : { risks: [] }) });
      continue;
    }
    if (was.snapshotDigest !== t.snapshotDigest) {
      const prevTable = findTableSpec(prev.spec, t.id);
      const why: string[] = [];
      if ((prevTable?.filter ?? undefined) !== t.filter) why.push('filter changed');
      if (was.target !== t.target) why.push(`topic changed (${was.target} → ${t.target})`);
      if (why.length === 0) why.push('snapshot settings changed');
      changes.push({
        kind: 'table', action: 'replace', migration: name, table: t.id, topic: t.target,
        reason: `${why.join(', ')}: table is re-snapshotted${full ? '' : ' (no full load in types: only new changes flow)'}`,
        ...(full ? copyRisks(t, rate, ['re-snapshot']) : { risks: ['re-snapshot'] }),
      });
      continue;
    }
    if (full && !was.fullDoneAt && was.backfill) continue; // a runner copies it while streaming (status shows how far)
    if (full && !was.fullDoneAt && running) continue; // the runner's note says how far it got
    if (full && !was.fullDoneAt) {
      const resumed = was.rowsCopied > 0;
      changes.push({
        kind: 'table', action: 'update', migration: name, table: t.id, topic: t.target,
        reason: resumed ? `full load interrupted: resumes from the checkpoint (${formatCount(was.rowsCopied)} rows copied)` : 'full load not done yet',
        ...copyRisks(t, rate, [], was.rowsCopied), resumeFrom: resumed ? was.rowsCopied : undefined,
      });
      continue;
    }
    const prevSpec = findTableSpec(prev.spec, t.id);
    const shapeWas = JSON.stringify([prevSpec?.columns ?? null, prevSpec?.rename ?? null]);
    const shapeNow = JSON.stringify([t.columns ?? null, t.rename ?? null]);
    if (shapeWas !== shapeNow) {
      changes.push({ kind: 'table', action: 'update', migration: name, table: t.id, topic: t.target, reason: `message columns ${describeProjection(prevSpec)} → ${describeProjection(t)}: messages from the checkpoint on have the new shape; earlier ones keep theirs`, risks: [] });
    }
    if (JSON.stringify(prevSpec?.partitionKey ?? null) !== JSON.stringify(t.partitionKey ?? null)) {
      changes.push({ kind: 'table', action: 'update', migration: name, table: t.id, topic: t.target, reason: `partition key ${prevSpec?.partitionKey?.join(', ') ?? '(primary key)'} → ${t.partitionKey?.join(', ') ?? '(primary key)'}: partition key change breaks per-key ordering`, risks: ['breaks-key-order'] });
    }
    const prevOps = (prevSpec?.operations ?? ['insert', 'update', 'delete', 'ddl']).join(', ');
    if (prevOps !== t.operations.join(', ')) {
      changes.push({ kind: 'table', action: 'update', migration: name, table: t.id, topic: t.target, reason: `operations ${prevOps} → ${t.operations.join(', ')}: applies to changes from the checkpoint on`, risks: [] });
    }
  }
  if (prev.digest !== mi.digest && changes.length === 0 && !Object.keys(prev.tables).some((id) => !wanted.has(id))) {
    changes.push({ kind: 'setting', action: 'update', migration: name, field: 'spec', reason: 'spec text changed without effect on data (recorded as applied)', risks: [] });
  }
  for (const [id, was] of Object.entries(prev.tables)) {
    if (wanted.has(id)) continue;
    if (desired.unresolved.includes(id.split('.')[0]!)) continue;
    changes.push({ kind: 'table', action: 'delete', migration: name, table: id, topic: was.target, reason: 'no longer in the spec (or dropped on the source): stops replicating; messages already in the topic stay', risks: ['destructive'] });
  }
  return changes;
}

function describeProjection(t: { columns?: { include: string[] } | { exclude: string[] }; rename?: Record<string, string> } | undefined): string {
  const parts: string[] = [];
  if (t?.columns) parts.push('include' in t.columns ? `only ${t.columns.include.join(', ')}` : `all but ${t.columns.exclude.join(', ')}`);
  if (t?.rename && Object.keys(t.rename).length > 0) parts.push(`renamed ${Object.entries(t.rename).map(([a, b]) => `${a}→${b}`).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'all, source names';
}

function findTableSpec(m: Migration, id: string) {
  const dot = id.indexOf('.');
  const db = id.slice(0, dot);
  const table = id.slice(dot + 1);
  return m.spec.objects.find((o) => o.database === db)?.tables?.find((t) => t.name === table);
}

function settingChanges(name: string, a: Migration, b: Migration): Change[] {
  const out: Change[] = [];
  const sa = a.spec.source;
  const sb = b.spec.source;
  if (sa.host !== sb.host || sa.port !== sb.port) {
    out.push({ kind: 'setting', action: 'update', migration: name, field: 'spec.source', reason: `source endpoint ${sa.host}:${sa.port} → ${sb.host}:${sb.port}: streaming resumes from the checkpoint there, which must hold the same binary logs`, risks: [] });
  }
  if (sa.user !== sb.user || sa.password !== sb.password) out.push({ kind: 'setting', action: 'update', migration: name, field: 'spec.source.user/password', reason: 'credentials changed', risks: [] });
  out.push(...destinationSettingChanges(name, a.spec.destination, b.spec.destination));
  const ta = a.spec.types.join(', ');
  const tb = b.spec.types.join(', ');
  if (ta !== tb) out.push({ kind: 'setting', action: 'update', migration: name, field: 'spec.types', reason: `types ${ta} → ${tb}`, risks: [] });
  if (a.spec.full.chunkSize !== b.spec.full.chunkSize) out.push({ kind: 'setting', action: 'update', migration: name, field: 'spec.full.chunkSize', reason: `chunk size ${formatCount(a.spec.full.chunkSize)} → ${formatCount(b.spec.full.chunkSize)}`, risks: [] });
  out.push(...throttleChanges(name, a, b), ...retryChanges(name, a, b), ...heartbeatChanges(name, a, b), ...errorPolicyChanges(name, a, b));
  return out;
}

/**
 * The diff a reviewer reads: both sides without their defaulted fields (spec-text.ts). When that
 * leaves nothing while the normalised texts differ (a default that changed between mig releases),
 * the normalised diff is the honest one.
 */
function writtenSpecDiff(name: string, before: Migration | undefined, after: Migration | undefined, full: string): string {
  const diff = unifiedDiff(name, before ? writtenText(before) : '', after ? writtenText(after) : '');
  return diff === '' && full !== '' ? full : diff;
}

export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(`${name} (applied)`, `${name} (spec)`, before, after, undefined, undefined, { context: 3 });
  // Drop the `Index:`/`====` banner: reviewers need the hunks, not a file header for a file that does not exist.
  return patch.split('\n').filter((l) => !/^(=+|Index: .*)$/.test(l)).join('\n');
}
