// One in-memory table: rows keyed by primary key, each attribute column a list of versions
// (newest first). Versions follow the table options: at most max_versions kept per column,
// and with a time_to_live other than -1 a version older than the TTL is no longer visible.
import { Errors } from './errors.js';
import type { Cell, CellValue, PkValue } from './plain-buffer-types.js';
import { compareKeys, keyString, type PkSchemaColumn } from './primary-key.js';

export interface Version {
  ts: bigint;
  value: CellValue;
}
export interface StoredRow {
  pk: PkValue[];
  columns: Map<string, Version[]>;
}
export interface TableSettings {
  timeToLive: number; // seconds, -1 = forever
  maxVersions: number;
  deviationSeconds: bigint; // how far a written timestamp may be from now
  reservedRead: number;
  reservedWrite: number;
}
export interface ReadSpec {
  columnsToGet?: string[];
  maxVersions: number;
  startTime?: bigint; // inclusive, ms
  endTime?: bigint; // exclusive, ms
  startColumn?: string;
  endColumn?: string;
}

export class MemTable {
  private readonly rows = new Map<string, StoredRow>();
  /** Rows in key order; rebuilt lazily after a key is added or removed. */
  private sorted: StoredRow[] | null = [];
  private nextAutoIncrement = BigInt(Date.now()) * 1000n;
  readonly createdAtSeconds = Math.floor(Date.now() / 1000);

  constructor(
    readonly name: string,
    readonly schema: PkSchemaColumn[],
    public settings: TableSettings,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** Auto-increment values only grow, like the service's (which are large and time based). */
  allocateAutoIncrement(): bigint {
    return this.nextAutoIncrement++;
  }

  find(pk: PkValue[], nowMs: number): StoredRow | undefined {
    const row = this.rows.get(keyString(pk));
    return row && this.isVisible(row, nowMs) ? row : undefined;
  }

  /** A row whose every version has expired reads as absent; a key-only row exists. */
  private isVisible(row: StoredRow, nowMs: number): boolean {
    if (row.columns.size === 0) return true;
    for (const versions of row.columns.values()) if (versions.some((v) => this.alive(v, nowMs))) return true;
    return false;
  }

  private alive(v: Version, nowMs: number): boolean {
    return this.settings.timeToLive === -1 || v.ts >= BigInt(nowMs) - BigInt(this.settings.timeToLive) * 1000n;
  }

  checkTimestamp(ts: bigint, nowMs: number): void {
    const dev = this.settings.deviationSeconds * 1000n;
    const now = BigInt(nowMs);
    if (ts < now - dev || ts > now + dev)
      throw Errors.invalid(`The timestamp ${ts} of a cell is out of the allowed range: it differs from the server time by more than max_time_deviation (${this.settings.deviationSeconds} s).`);
  }

  /** Writes or replaces a row and returns it. */
  upsert(pk: PkValue[], replace: boolean): StoredRow {
    const key = keyString(pk);
    const existing = this.rows.get(key);
    if (existing) {
      // Same object kept so the sorted list stays valid.
      if (replace) existing.columns.clear();
      return existing;
    }
    const row: StoredRow = { pk, columns: new Map() };
    this.sorted = null;
    this.rows.set(key, row);
    return row;
  }

  delete(pk: PkValue[]): boolean {
    const removed = this.rows.delete(keyString(pk));
    if (removed) this.sorted = null;
    return removed;
  }

  /** Applies one cell of a PutRow/UpdateRow to a stored row (already validated). */
  applyCell(row: StoredRow, cell: Cell, nowMs: number): void {
    const versions = row.columns.get(cell.name) ?? [];
    switch (cell.op) {
      case 'PUT':
      case 'INCREMENT': {
        if (!cell.value) throw Errors.invalid(`Column '${cell.name}' has no value.`);
        let value = cell.value;
        if (cell.op === 'INCREMENT') {
          const latest = versions.find((v) => this.alive(v, nowMs));
          if (value.type !== 'INTEGER' || (latest && latest.value.type !== 'INTEGER'))
            throw Errors.invalid(`Increment on column '${cell.name}' needs INTEGER values.`);
          const base = latest && latest.value.type === 'INTEGER' ? latest.value.value : 0n;
          value = { type: 'INTEGER', value: BigInt.asIntN(64, base + value.value) };
        }
        const ts = cell.timestamp ?? BigInt(nowMs);
        const kept = versions.filter((v) => v.ts !== ts);
        kept.push({ ts, value });
        kept.sort((a, b) => (a.ts > b.ts ? -1 : a.ts < b.ts ? 1 : 0));
        row.columns.set(cell.name, kept.slice(0, this.settings.maxVersions));
        return;
      }
      case 'DELETE_ONE_VERSION': {
        const kept = versions.filter((v) => v.ts !== cell.timestamp);
        if (kept.length > 0) row.columns.set(cell.name, kept);
        else row.columns.delete(cell.name);
        return;
      }
      case 'DELETE_ALL_VERSION':
        row.columns.delete(cell.name);
        return;
    }
  }

  /** The cells a read returns: columns sorted by name, each column's versions newest first. */
  readCells(row: StoredRow, spec: ReadSpec, nowMs: number): Cell[] {
    const names = [...row.columns.keys()].sort();
    const wanted = spec.columnsToGet && spec.columnsToGet.length > 0 ? new Set(spec.columnsToGet) : undefined;
    const out: Cell[] = [];
    for (const name of names) {
      if (wanted && !wanted.has(name)) continue;
      if (spec.startColumn !== undefined && name < spec.startColumn) continue;
      if (spec.endColumn !== undefined && name >= spec.endColumn) continue;
      const versions = (row.columns.get(name) ?? []).filter(
        (v) =>
          this.alive(v, nowMs) &&
          (spec.startTime === undefined || v.ts >= spec.startTime) &&
          (spec.endTime === undefined || v.ts < spec.endTime),
      );
      for (const v of versions.slice(0, spec.maxVersions)) out.push({ name, value: v.value, op: 'PUT', timestamp: v.ts });
    }
    return out;
  }

  /** All stored rows in primary-key order, expired ones included (callers check `visible`). */
  ordered(): readonly StoredRow[] {
    if (!this.sorted) {
      this.sorted = [...this.rows.values()];
      this.sorted.sort((a, b) => compareKeys(a.pk, b.pk));
    }
    return this.sorted;
  }

  visible(row: StoredRow, nowMs: number): boolean {
    return this.isVisible(row, nowMs);
  }
}
