// The state file format: versioned JSON, validated on read, upgraded step by step from older versions.
// Any change to the persisted shape bumps CURRENT_STATE_VERSION and registers an upgrade from the old one.
import { z } from 'zod';
import { MigrationDoc } from '../spec/schema.js';
import { MigError } from '../util/errors.js';
import type { BinlogPosition, MigrationState, State, TableState } from './model.js';

import { CURRENT_STATE_VERSION } from './model.js';
export { CURRENT_STATE_VERSION };

/** Turns a document of format version N into one of version N+1. Works on plain JSON: old shapes have no types. */
export type StateUpgrade = (doc: Record<string, unknown>) => Record<string, unknown>;

const upgrades = new Map<number, StateUpgrade>();

/**
 * Registers the upgrade from format version `from` to `from + 1`.
 * Returns a function that removes it again, which only tests need.
 */
export function registerStateUpgrade(from: number, upgrade: StateUpgrade): () => void {
  if (!Number.isInteger(from) || from < 0 || from >= CURRENT_STATE_VERSION) {
    throw new Error(`a state upgrade must start below version ${CURRENT_STATE_VERSION}, got ${from}`);
  }
  if (upgrades.has(from)) throw new Error(`a state upgrade from version ${from} is already registered`);
  upgrades.set(from, upgrade);
  return () => {
    if (upgrades.get(from) === upgrade) upgrades.delete(from);
  };
}

// Strict objects: a persisted shape only changes together with the version, so an unknown
// field means a damaged file or a newer mig that forgot to bump it; dropping it silently would lose data.
const count = z.number().int().nonnegative();
const isoTime = z.string().min(1);

const BinlogPositionSchema = z.strictObject({
  file: z.string().min(1),
  pos: count,
  gtidSet: z.string().optional(),
  serverId: count.optional(),
  timestamp: count.optional(),
});

/** A key value as dead letters and redrive requests keep it: text, NULL, or binary as base64. */
const jsonKeyValue = z.union([z.string(), z.null(), z.strictObject({ base64: z.string() })]);

const TableStateSchema = z.strictObject({
  id: z.string().min(1),
  phase: z.enum(['pending', 'schema', 'full', 'incremental']),
  target: z.string().min(1),
  snapshotDigest: z.string(),
  keyColumns: z.array(z.string().min(1)),
  cursor: z.array(z.string().nullable()).optional(),
  rowsCopied: count,
  estimatedRows: count.optional(),
  rowsReread: count.optional(),
  targetOrigin: z.enum(['created', 'kept']).optional(),
  fullStartedAt: isoTime.optional(),
  fullDoneAt: isoTime.optional(),
  recopy: z.boolean().optional(),
  snapshotTs: z.string().regex(/^\d+$/).optional(),
  backfill: z
    .strictObject({ generation: count, startedAt: isoTime, doneAt: isoTime.optional(), chunks: count, superseded: count })
    .optional(),
  redrive: z.strictObject({ requestedAt: isoTime, keys: z.array(z.array(jsonKeyValue)) }).optional(),
});

const DesiredGenerationSchema = z.strictObject({
  generation: count,
  recordedAt: isoTime,
  spec: MigrationDoc.optional(),
  digest: z.string().min(1).optional(),
  resnapshot: z.boolean().optional(),
  dropTables: z.array(z.string()),
  addTables: z.array(TableStateSchema),
  createdTopics: z.record(z.string(), z.number().int().positive()).optional(),
  redrive: z.strictObject({ requestedAt: isoTime, table: z.string().optional() }).optional(),
});

const RunnerStatusSchema = z.strictObject({
  status: z.enum(['starting', 'loading', 'streaming', 'reconciling', 'retrying', 'stopped', 'failed']),
  pid: count,
  host: z.string(),
  updatedAt: isoTime,
  reconciling: z.array(z.string()).optional(),
  lastError: z.strictObject({ generation: count, at: isoTime, code: z.string(), message: z.string(), fix: z.string().optional() }).optional(),
  retry: z
    .strictObject({
      since: isoTime,
      attempts: count,
      window: z.enum(['connection', 'other']),
      until: isoTime,
      lastError: z.strictObject({ code: z.string(), message: z.string(), fix: z.string().optional() }),
    })
    .optional(),
});

const MigrationStateSchema = z.strictObject({
  name: z.string().min(1),
  // Re-validated so defaults added to the spec schema later fill in, and the type is honest.
  spec: MigrationDoc,
  digest: z.string().min(1),
  appliedAt: isoTime,
  tables: z.record(z.string(), TableStateSchema),
  generation: count.optional(),
  observedGeneration: count.optional(),
  desired: DesiredGenerationSchema.optional(),
  runner: RunnerStatusSchema.optional(),
  topics: z.record(z.string(), z.strictObject({ partitions: z.number().int().positive(), created: z.literal(true).optional() })),
  snapshot: z.strictObject({ position: BinlogPositionSchema, takenAt: isoTime }).optional(),
  feed: z
    .strictObject({
      startTs: z.string().regex(/^\d+$/),
      takenAt: isoTime,
      positions: z.record(z.string(), z.strictObject({ offset: z.string().regex(/^\d+$/), commitTs: z.string().regex(/^\d+$/).optional() })),
    })
    .optional(),
  checkpoint: BinlogPositionSchema.optional(),
  eventsStreamed: count.optional(),
  counters: z.strictObject({ read: count, written: count, filtered: count, skipped: count }).optional(),
  sourceClock: z.strictObject({ offsetMs: z.number().finite(), measuredAt: isoTime }).optional(),
  lastStreamedAt: isoTime.optional(),
  skippedRows: z
    .array(
      z.strictObject({
        table: z.string(),
        key: z.string().nullable(),
        bytes: count,
        at: isoTime,
        phase: z.enum(['full', 'incremental']),
        error: z.string().optional(),
        outcome: z.enum(['skipped', 'dead-letter']).optional(),
        op: z.enum(['insert', 'update', 'delete', 'snapshot']).optional(),
        keyValues: z.array(jsonKeyValue).optional(),
        deadLetter: z.string().optional(),
        redrivenAt: isoTime.optional(),
      }),
    )
    .optional(),
  cutover: z.strictObject({ at: isoTime, position: z.string().min(1).optional(), sourceReadOnly: z.boolean(), tables: count, rows: count }).optional(),
});

const StateSchema = z.strictObject({
  // A number (not a literal) because the model types it so; decodeState has upgraded it by now.
  version: z
    .number()
    .refine((v): boolean => v === CURRENT_STATE_VERSION, { message: `must be ${CURRENT_STATE_VERSION}` }),
  serial: count,
  lineage: z.string().min(1),
  migrations: z.record(z.string(), MigrationStateSchema),
});

// Compile-time guard that the schemas and model.ts describe the same fields; a field added to
// the model but not here would otherwise be rejected on read only at run time.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Matches<S extends z.ZodType, T> = Same<keyof z.infer<S>, keyof T> extends true ? Same<z.infer<S>, T> : false;
const modelMatches: [
  Matches<typeof BinlogPositionSchema, BinlogPosition>,
  Matches<typeof TableStateSchema, TableState>,
  Matches<typeof MigrationStateSchema, MigrationState>,
  Matches<typeof StateSchema, State>,
] = [true, true, true, true];
void modelMatches;

export interface DecodeOptions {
  /** Where the text came from, for messages (a file path). */
  location: string;
  /** A previous good copy the user can restore from, when the store keeps one. */
  backupPath?: string;
}

/** Parses, upgrades and validates state text. Throws MigError state-corrupt / state-too-new / state-too-old. */
export function decodeState(text: string, opts: DecodeOptions): State {
  const restore = restoreHint(opts);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new MigError('state-corrupt', `the state file ${opts.location} is not valid JSON (${why})`, restore);
  }
  if (!isPlainObject(doc)) {
    throw new MigError('state-corrupt', `the state file ${opts.location} does not hold a JSON object`, restore);
  }
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new MigError('state-corrupt', `the state file ${opts.location} has no valid format version`, restore);
  }
  if (version > CURRENT_STATE_VERSION) {
    throw new MigError(
      'state-too-new',
      `the state file ${opts.location} has format version ${version}; ` +
        `this mig understands versions up to ${CURRENT_STATE_VERSION}`,
      'upgrade mig to the release that wrote this state',
    );
  }

  const upgraded = upgrade(doc, version, opts.location);
  const parsed = StateSchema.safeParse(upgraded);
  if (!parsed.success) {
    throw new MigError(
      'state-corrupt',
      `the state file ${opts.location} is not a valid mig state:\n${formatIssues(parsed.error.issues)}`,
      restore,
    );
  }
  return parsed.data;
}

/**
 * Serialises a state: pretty-printed, keys in a stable order so that successive versions diff cleanly,
 * trailing newline. Always writes the current format version. Refuses a state that would not read back.
 */
export function encodeState(state: State): string {
  const current = { ...state, version: CURRENT_STATE_VERSION };
  const checked = StateSchema.safeParse(current);
  if (!checked.success) {
    // The in-memory state is built by mig itself; reaching this is a bug, but persisting it would be worse.
    throw new MigError('state-invalid', `refusing to write an invalid state:\n${formatIssues(checked.error.issues)}`);
  }
  const ordered = {
    version: current.version,
    serial: current.serial,
    lineage: current.lineage,
    migrations: sortKeys(current.migrations),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Version 1 → 2: a table's destination object was recorded as `topic` whatever the destination
 * (a Kafka topic, a Tablestore table, a MySQL `database.table`); it is `target` now.
 */
export function upgradeV1toV2(doc: Record<string, unknown>): Record<string, unknown> {
  // Anything not shaped like a version 1 state is left for validation to report.
  const migrations = doc.migrations;
  if (!isPlainObject(migrations)) return doc;
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(migrations)) {
    if (!isPlainObject(m) || !isPlainObject(m.tables)) {
      out[name] = m;
      continue;
    }
    const tables: Record<string, unknown> = {};
    for (const [id, t] of Object.entries(m.tables)) {
      if (isPlainObject(t) && 'topic' in t && !('target' in t)) {
        const { topic, ...rest } = t;
        tables[id] = { ...rest, target: topic };
      } else {
        tables[id] = t;
      }
    }
    out[name] = { ...m, tables };
  }
  return { ...doc, migrations: out };
}
registerStateUpgrade(1, upgradeV1toV2);

function upgrade(doc: Record<string, unknown>, from: number, location: string): Record<string, unknown> {
  let current = doc;
  for (let v = from; v < CURRENT_STATE_VERSION; v++) {
    const step = upgrades.get(v);
    if (!step) {
      throw new MigError(
        'state-too-old',
        `the state file ${location} has format version ${from}, ` +
          `which this mig can no longer upgrade (no step from version ${v})`,
        'upgrade it with an intermediate mig release first',
      );
    }
    // Set the version here rather than trusting each step, so a forgotten bump cannot loop or skip.
    current = { ...step(current), version: v + 1 };
  }
  return current;
}

function restoreHint(opts: DecodeOptions): string {
  return opts.backupPath
    ? `restore the previous version from ${opts.backupPath} (mig keeps it on every write): ` +
        `cp ${opts.backupPath} ${opts.location}`
    : `restore ${opts.location} from a backup`;
}

function formatIssues(issues: z.ZodError['issues']): string {
  const shown = issues
    .slice(0, 8)
    .map((i) => `  - ${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
  if (issues.length > shown.length) shown.push(`  - and ${issues.length - shown.length} more`);
  return shown.join('\n');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy with object keys sorted; arrays keep their order because it carries meaning. */
function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeys(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out as T;
}
