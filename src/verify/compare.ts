// Comparing what the destination should hold with what it holds, row by row: by key where the table
// has one, as a multiset of rows where it has none. Each mode feeds it (a chunk's rows, a whole
// topic's last state) and reads the differences back; the counts cover all of them, the list keeps
// at most `keep` (what is shown and re-checked).
import { createHash } from 'node:crypto';
import type { ScanInto, VerifyRow } from '../connectors/contract.js';
import type { Difference } from './report.js';

export interface Tally {
  missing: number;
  extra: number;
  differing: number;
  differences: Difference[];
}

export function emptyTally(): Tally {
  return { missing: 0, extra: 0, differing: 0, differences: [] };
}

/** The destination columns whose texts differ (a column absent on one side differs). */
export function differingColumns(expected: VerifyRow['values'], actual: VerifyRow['values']): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(expected)) if (!(k in actual) || actual[k] !== v) out.push(k);
  for (const k of Object.keys(actual)) if (!(k in expected)) out.push(k);
  return out;
}

const rowText = (values: VerifyRow['values']) => JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k]]));
/** 128 bits of a row's canonical text: what is held per row of a table read whole. */
const rowDigest = (values: VerifyRow['values']) => createHash('md5').update(rowText(values)).digest('base64');

/**
 * Holds the destination's rows (keyed rows by key, keyless ones counted by their values), takes the
 * expected rows one by one, and counts what is missing, extra or held with other values. Each held
 * row is a digest of its texts, so a table of millions of rows fits in memory; the columns of a row
 * that differs are named by a second look at those rows (nameColumns).
 */
export class Comparison implements ScanInto {
  private readonly byKey = new Map<string, string>();
  private readonly keyless = new Map<string, { count: number; values: VerifyRow['values'] }>();
  /** Expected rows of the listed differing keys, until their columns are named. */
  private readonly unnamed = new Map<string, VerifyRow['values']>();
  /** The latest change applied per key (removals included) when the scan gives an order. */
  private readonly latest = new Map<string, number>();
  readonly tally: Tally = emptyTally();
  expectedRows = 0;
  actualRows = 0;

  constructor(private readonly keep: number) {}

  put(row: VerifyRow, order?: number): void {
    if (laterSeen(this.latest, row.key, order)) return;
    this.actual(row);
  }

  remove(key: string | null, values?: VerifyRow['values'], order?: number): void {
    if (laterSeen(this.latest, key, order)) return;
    this.removeActual(key, values);
  }

  /** A destination row. For a key seen twice the later row wins (a topic's last state). */
  actual(row: VerifyRow): void {
    this.actualRows++;
    if (row.key === null) {
      const t = rowDigest(row.values);
      const e = this.keyless.get(t);
      if (e) e.count++;
      else this.keyless.set(t, { count: 1, values: row.values });
    } else {
      if (this.byKey.has(row.key)) this.actualRows--;
      this.byKey.set(row.key, rowDigest(row.values));
    }
  }

  /** A key's row is gone from the destination (a delete in a topic). */
  removeActual(key: string | null, values?: VerifyRow['values']): void {
    if (key !== null) {
      if (this.byKey.delete(key)) this.actualRows--;
      return;
    }
    if (!values) return;
    const t = rowDigest(values);
    const e = this.keyless.get(t);
    if (!e) return;
    this.actualRows--;
    if (--e.count === 0) this.keyless.delete(t);
  }

  expected(row: VerifyRow): void {
    this.expectedRows++;
    if (row.key === null) {
      const t = rowDigest(row.values);
      const e = this.keyless.get(t);
      if (e) {
        if (--e.count === 0) this.keyless.delete(t);
      } else {
        this.note({ kind: 'missing', key: null, row: row.values });
      }
      return;
    }
    const have = this.byKey.get(row.key);
    if (have === undefined) {
      this.note({ kind: 'missing', key: row.key });
      return;
    }
    this.byKey.delete(row.key);
    if (have === rowDigest(row.values)) return;
    if (this.tally.differences.length < this.keep) this.unnamed.set(row.key, row.values);
    this.note({ kind: 'differing', key: row.key, columns: [] });
  }

  /** Keys of listed differences whose columns are not named yet. */
  get unnamedKeys(): ReadonlySet<string> {
    return new Set(this.unnamed.keys());
  }

  /** Names the differing columns of a listed difference from the destination's row under that key. */
  nameColumns(row: VerifyRow): void {
    const expected = row.key === null ? undefined : this.unnamed.get(row.key);
    if (!expected) return;
    this.unnamed.delete(row.key!);
    for (const d of this.tally.differences) if (d.kind === 'differing' && d.key === row.key) d.columns = differingColumns(expected, row.values);
  }

  /** After the last expected row: what the destination holds beyond it is extra. */
  finish(): Tally {
    for (const key of this.byKey.keys()) this.note({ kind: 'extra', key });
    for (const { count, values } of this.keyless.values()) for (let i = 0; i < count; i++) this.note({ kind: 'extra', key: null, row: values });
    this.byKey.clear();
    this.keyless.clear();
    this.latest.clear();
    return this.tally;
  }

  private note(d: Difference): void {
    this.tally[d.kind]++;
    if (this.tally.differences.length < this.keep) this.tally.differences.push(d);
  }
}

/**
 * Whether `key` already had a change later than `order` (so this one is stale); else records
 * `order` as its latest. Equal orders apply in reading order: a key change's removal and put, and
 * the full load's rows, share theirs.
 */
export function laterSeen(latest: Map<string, number>, key: string | null, order: number | undefined): boolean {
  if (order === undefined || key === null) return false;
  const was = latest.get(key);
  if (was !== undefined && was > order) return true;
  latest.set(key, order);
  return false;
}

/** Two row lists compared (one chunk's). */
export function compareRows(expected: VerifyRow[], actual: VerifyRow[], keep: number): Tally {
  const c = new Comparison(keep);
  for (const r of actual) c.actual(r);
  for (const r of expected) c.expected(r);
  const tally = c.finish();
  const unnamed = c.unnamedKeys;
  if (unnamed.size > 0) for (const r of actual) if (r.key !== null && unnamed.has(r.key)) c.nameColumns(r);
  return tally;
}

/** Adds `b` into `a`, keeping at most `keep` differences. */
export function addTally(a: Tally, b: Tally, keep: number): void {
  a.missing += b.missing;
  a.extra += b.extra;
  a.differing += b.differing;
  for (const d of b.differences) if (a.differences.length < keep) a.differences.push(d);
}

/** The identity of a difference, for telling whether a later pass still sees it. */
export function differenceId(d: Difference): string {
  return d.key !== null ? `k${d.key}` : `r${d.kind}${'row' in d && d.row ? rowText(d.row) : ''}`;
}
