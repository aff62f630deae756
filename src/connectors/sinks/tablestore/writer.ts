// Writes row operations and resolves only once Tablestore acknowledged every one (the caller
// checkpoints after). Ops go to `buckets` ordered lanes by key: a lane sends one request at a time,
// so a key's changes are never in flight together nor reordered; lanes run side by side, with at
// most `concurrency` requests in flight across the whole writer.
import type { OnError, TablestoreDestination } from '../../../spec/schema.js';
import { MigError } from '../../../util/errors.js';
import { cutBatches, MAX_BATCH_ROWS, MAX_REQUEST_BYTES } from './batch.js';
import { bucketOf } from './bucket.js';
import { TablestoreClient, type TablestoreClientOptions } from './client.js';
import { isTransient, otsErrorOf, type OtsError } from './errors.js';
import type { BulkImportRow } from './proto.js';
import { backoffMs, sleepFor } from './retry.js';
import type { WriteOp } from './row-ops.js';
import { encodeRow } from './plain-buffer.js';
import type { TablestoreSecrets } from './secrets.js';
import { Semaphore } from './semaphore.js';

export interface WriterOptions {
  buckets: number;
  concurrency: number;
  /** The source table's onError policy: block stops at a refused row, anything else reports it. */
  policyOf: (source: string) => OnError;
  batchMode: 'batch-write' | 'bulk-import';
  /** Request limits; the defaults are the service's (200 rows, 4 MB). */
  maxRows?: number;
  maxBytes?: number;
}

/** A row Tablestore rejected (or mig could not convert), reported under onError skip or dead-letter. */
export interface DirtyRow {
  table: string;
  /** `database.table` it came from. */
  source: string;
  key: string;
  code: string;
  message: string;
  origin?: WriteOp['origin'];
  bytes: number;
}

export interface WriteResult {
  /** Rows acknowledged. */
  written: number;
  dirty: DirtyRow[];
  /** Requests sent, retries included. */
  requests: number;
  /** Row writes resent after a per-row throttling error. */
  retriedRows: number;
}

/** What to change when Tablestore refuses a row's values. */
export const DIRTY_FIX = 'fix the value at the source or the mapping (columnTypes, primaryKey types)';

/** Request-level failures that no row of the request causes: stop, whatever dirtyData says. */
const FATAL = new Set(['OTSAuthFailed', 'OTSNoPermissionAccess', 'OTSAccessDenied', 'OTSObjectNotExist', 'OTSMethodNotAllowed', 'OTSUnsupportOperation', 'BadResponse']);

export class TablestoreWriter {
  private readonly slots: Semaphore;

  constructor(readonly client: TablestoreClient, readonly opts: WriterOptions) {
    if (opts.buckets < 1 || opts.concurrency < 1) throw new RangeError('buckets and concurrency must be at least 1');
    this.slots = new Semaphore(opts.concurrency);
  }

  static fromDestination(dest: TablestoreDestination, secrets: TablestoreSecrets, policyOf: WriterOptions['policyOf'], clientOpts?: TablestoreClientOptions): TablestoreWriter {
    return new TablestoreWriter(new TablestoreClient(dest, secrets, clientOpts), {
      buckets: Math.min(dest.buckets, dest.concurrency),
      concurrency: dest.concurrency,
      policyOf,
      batchMode: dest.batchMode,
    });
  }

  /**
   * Writes `ops`; order holds per key (table + primary key). Concurrent calls share the
   * concurrency limit but not the lanes, so they must not hold the same keys (full-load chunks
   * do not). Rejects with a MigError on a blocking dirty row or a failure retries cannot cure;
   * rows already acknowledged stay written (every op is idempotent, replaying them is safe).
   */
  async send(ops: readonly WriteOp[]): Promise<WriteResult> {
    const result: WriteResult = { written: 0, dirty: [], requests: 0, retriedRows: 0 };
    const lanes: WriteOp[][] = Array.from({ length: this.opts.buckets }, () => []);
    for (const op of ops) {
      if (op.invalid) this.dirty(result, op, op.invalid);
      else lanes[bucketOf(`${op.table}\u0000${op.keyText}`, this.opts.buckets)]!.push(op);
    }
    const stop: { error?: unknown } = {};
    await Promise.all(lanes.map((lane) => this.runLane(lane, result, stop)));
    if (stop.error !== undefined) throw stop.error;
    return result;
  }

  private async runLane(lane: WriteOp[], result: WriteResult, stop: { error?: unknown }): Promise<void> {
    const batches = cutBatches(lane, {
      maxRows: this.opts.maxRows ?? MAX_BATCH_ROWS,
      maxBytes: this.opts.maxBytes ?? MAX_REQUEST_BYTES,
      oneTable: this.opts.batchMode === 'bulk-import',
    });
    for (const batch of batches) {
      // Another lane hit a blocking error: do not start more work, the run stops anyway.
      if (stop.error !== undefined) return;
      try {
        await this.writeBatch(batch, result);
      } catch (e) {
        stop.error ??= e;
        return;
      }
    }
  }

  /**
   * One request's rows until each is acknowledged or recorded as dirty. Rows failing with a
   * throttling-type error are resent alone after a backoff, before the lane moves on, so a
   * later change of the same key cannot overtake them.
   */
  private async writeBatch(batch: WriteOp[], result: WriteResult): Promise<void> {
    let pending = batch;
    for (let round = 0; pending.length > 0; round++) {
      let outcomes: Array<OtsError | null>;
      try {
        outcomes = await this.slots.use(() => this.client.request(this.opName(), () => {
          result.requests++;
          return this.sendOnce(pending);
        }));
      } catch (e) {
        const ots = otsErrorOf(e);
        if (isTransient(ots) || FATAL.has(ots.code) || !ots.code.startsWith('OTS')) throw this.client.error(e, this.opName(), pending[0]!.table);
        // A request-level rejection that a row may cause (a bad value, a too-large row): halve
        // until the culprit stands alone, so the good rows are still written, in order.
        if (pending.length === 1) {
          this.dirty(result, pending[0]!, ots);
          return;
        }
        const mid = Math.ceil(pending.length / 2);
        await this.writeBatch(pending.slice(0, mid), result);
        await this.writeBatch(pending.slice(mid), result);
        return;
      }
      const again: WriteOp[] = [];
      outcomes.forEach((err, i) => {
        const op = pending[i]!;
        if (err === null) result.written++;
        else if (isTransient(err)) again.push(op);
        else this.dirty(result, op, err);
      });
      if (again.length === 0) return;
      if (round + 1 >= this.client.retry.attempts) {
        const first = again[0]!;
        throw new MigError(
          'tablestore-busy',
          `Tablestore kept throttling ${again.length} row(s) of table ${first.table} (first key ${first.keyText}) after ${round + 1} attempts`,
          "lower spec.destination.concurrency, or raise the instance's capacity; mig resumes from its last checkpoint",
        );
      }
      result.retriedRows += again.length;
      await sleepFor(this.client.retry)(backoffMs(round, this.client.retry));
      pending = again;
    }
  }

  private opName(): string {
    return this.opts.batchMode === 'bulk-import' ? 'BulkImport' : 'BatchWriteRow';
  }

  /** Sends the rows once; per row null (acknowledged) or its error, in the order given. */
  private async sendOnce(rows: WriteOp[]): Promise<Array<OtsError | null>> {
    return this.opts.batchMode === 'bulk-import' ? this.bulkImportOnce(rows) : this.batchWriteOnce(rows);
  }

  private async batchWriteOnce(rows: WriteOp[]): Promise<Array<OtsError | null>> {
    const res = await this.client.batchWriteRow(rows);
    return res.map((r) => (r.isOk ? null : { code: r.error?.code ?? 'Unknown', message: r.error?.message ?? '' }));
  }

  private async bulkImportOnce(rows: WriteOp[]): Promise<Array<OtsError | null>> {
    const res = await this.client.bulkImport(rows[0]!.table, rows.map(bulkRow));
    if (res.length !== rows.length) {
      throw Object.assign(new Error(`BulkImport answered ${res.length} rows for ${rows.length}`), { code: 'BadResponse' });
    }
    return res.map((r) => (r.isOk ? null : { code: r.error?.code ?? 'Unknown', message: r.error?.message ?? '' }));
  }

  private dirty(result: WriteResult, op: WriteOp, err: Pick<OtsError, 'code' | 'message'>): void {
    const row: DirtyRow = { table: op.table, source: op.source, key: op.keyText, code: err.code, message: err.message, bytes: op.bytes, ...(op.origin ? { origin: op.origin } : {}) };
    if (this.opts.policyOf(op.source) === 'block') {
      throw new MigError(
        'tablestore-dirty-data',
        `Tablestore table ${op.table} rejected the row ${op.keyText} from ${op.source}: ${err.code}${err.message ? `: ${err.message}` : ''}`,
        `${DIRTY_FIX}; or set onError: skip or dead-letter (spec.onError, or the table's) to record such rows and go on, then \`mig redrive\` them once fixed`,
      );
    }
    result.dirty.push(row);
  }

  close(): void {
    this.client.close();
  }
}

/** BulkImport rows carry no condition: the service applies them unconditionally (like IGNORE). */
function bulkRow(op: WriteOp): BulkImportRow {
  return { type: op.type === 'put' ? 1 : op.type === 'update' ? 2 : 3, rowChange: encodeRow(op) };
}
