// A poison event as every sink reports and keeps it: the change (or full-load row) a destination
// refused or mig could not encode, what the table's onError policy made of it, and the dead letter
// written for it. The document is the same JSON in a Kafka topic, a MySQL table and a Tablestore
// table, so one reader (a person, `mig redrive`, a consumer of the topic) understands them all.
import type { ChangeEvent, Row, SqlValue, TableInfo } from '../model/source-data.js';
import type { ApplyHook } from '../model/events.js';
import type { OnError } from '../spec/schema.js';
import { MigError } from '../util/errors.js';

export interface Refusal {
  /** Source table id, `db.table`. */
  table: string;
  /** The message key (the key columns' values as JSON), null without a key. */
  key: string | null;
  /** The source key's values (the table's chunk key, in order), for `mig redrive` to read the row again. */
  keyValues?: JsonValue[];
  /** Size of what could not be written, 0 when unknown. */
  bytes: number;
  code: string;
  message: string;
  /** What to fix at the source or the destination (the error's fix under onError: block). */
  fix: string;
  /** The change refused, or the full-load row. */
  change: { kind: 'change'; ev: Extract<ChangeEvent, { kind: 'row' }> } | { kind: 'snapshot'; row: Row };
}

export interface DeadLetterDocument {
  migration: string;
  table: string;
  key: string | null;
  op: 'insert' | 'update' | 'delete' | 'snapshot';
  error: { code: string; message: string };
  /** The change's place in the source log (binlog change id), absent for full-load rows. */
  changeId?: number;
  /** Source commit time of the change, ms since epoch. */
  timestamp?: number;
  before?: Record<string, JsonValue>;
  after?: Record<string, JsonValue>;
  at: string;
}

/** A column value in a dead letter: text as it is, binary as base64 (so any byte survives JSON). */
export type JsonValue = string | null | { base64: string };

const jsonValue = (v: SqlValue): JsonValue => (Buffer.isBuffer(v) ? { base64: v.toString('base64') } : v);

/** A JSON value back as the canonical column value. */
export const sqlValueOf = (v: JsonValue): SqlValue => (v !== null && typeof v === 'object' ? Buffer.from(v.base64, 'base64') : v);

/** The source key of a row image: the table's chunk key columns' values, undefined without a key. */
export function sourceKeyValues(shape: TableInfo | undefined, image: Row | undefined): JsonValue[] | undefined {
  if (!shape || !image || shape.chunkKey.length === 0) return undefined;
  return shape.chunkKey.map((c) => jsonValue(image[c] ?? null));
}

/** The row image a refusal's key comes from: the after image, or the before image of a delete. */
export function imageOf(c: Refusal['change']): Row | undefined {
  return c.kind === 'snapshot' ? c.row : (c.ev.after ?? c.ev.before);
}

function jsonRow(r: Row | undefined): Record<string, JsonValue> | undefined {
  if (!r) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(r)) out[k] = jsonValue(v);
  return out;
}

export function opOf(r: Refusal): DeadLetterDocument['op'] {
  return r.change.kind === 'snapshot' ? 'snapshot' : r.change.ev.op;
}

export function deadLetterDocument(migration: string, r: Refusal, at = new Date()): DeadLetterDocument {
  const base = { migration, table: r.table, key: r.key, op: opOf(r), error: { code: r.code, message: r.message } };
  if (r.change.kind === 'snapshot') return { ...base, after: jsonRow(r.change.row), at: at.toISOString() };
  const ev = r.change.ev;
  return { ...base, changeId: ev.id, timestamp: ev.timestamp, before: jsonRow(ev.before), after: jsonRow(ev.after), at: at.toISOString() };
}

/**
 * What a sink does with a refusal under the table's policy: block throws the refusal as the run's
 * error (with a fix naming the policy); skip and dead-letter announce it for the state (and the
 * dead-letter target when one was written). Returns true when the change is set aside.
 */
export function settleRefusal(o: { migration: string; policy: OnError; hook: ApplyHook; deadLetter?: string }, r: Refusal): true {
  if (o.policy === 'block') {
    throw new MigError(r.code, `${r.table}: ${opOf(r) === 'snapshot' ? 'a full-load row' : `a change (${opOf(r)})`} with key ${r.key ?? '(none)'} was refused: ${r.message}`,
      `${r.fix}; or set onError: skip or dead-letter (spec.onError, or the table's) to record such changes and go on, then \`mig redrive\` them once fixed`);
  }
  const deadLettered = o.policy === 'dead-letter' && o.deadLetter !== undefined;
  o.hook({
    type: 'row-skipped',
    migration: o.migration,
    row: { table: r.table, key: r.key, ...(r.keyValues ? { keyValues: r.keyValues } : {}), bytes: r.bytes, error: `${r.code}: ${r.message}`, op: opOf(r), outcome: deadLettered ? 'dead-letter' : 'skipped', ...(deadLettered ? { deadLetter: o.deadLetter } : {}) },
  });
  o.hook({ type: 'table-warning', migration: o.migration, table: r.table, message: `${deadLettered ? `dead-lettered to ${o.deadLetter}` : 'skipped'}: ${opOf(r)} with key ${r.key ?? '(none)'}: ${r.message}` });
  return true;
}
