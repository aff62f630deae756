// Request counters and injected failures, so tests can drive a writer's retry-with-backoff.
// A request fault fails a whole request before it is processed; a row fault fails single rows
// of BatchWriteRow / BulkImport (is_ok = false with the error), the other rows still apply.
import { faultError, type FaultCode, type OtsError } from './errors.js';

/** Operations that change data: the ones a fault without an explicit operation applies to. */
export const WRITE_OPS: ReadonlySet<string> = new Set(['PutRow', 'UpdateRow', 'DeleteRow', 'BatchWriteRow', 'BulkImport']);
export const BATCH_WRITE_OPS: ReadonlySet<string> = new Set(['BatchWriteRow', 'BulkImport']);

interface Pending {
  remaining: number;
  code: FaultCode;
  op?: string;
}

export class Faults {
  private readonly counts = new Map<string, number>();
  private readonly requestFaults: Pending[] = [];
  private readonly rowFaults: Pending[] = [];

  count(op: string): void {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
  }

  /** Requests received for `op` (any outcome, injected failures included), or for all ops. */
  requests(op?: string): number {
    if (op !== undefined) return this.counts.get(op) ?? 0;
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  failNext(n: number, code: FaultCode, op?: string): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`failNext: n must be a non-negative integer, got ${n}`);
    if (n > 0) this.requestFaults.push({ remaining: n, code, op });
  }

  failNextRows(n: number, code: FaultCode, op?: string): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`failNextRows: n must be a non-negative integer, got ${n}`);
    if (op !== undefined && !BATCH_WRITE_OPS.has(op)) throw new Error(`failNextRows: ${op} has no per-row results`);
    if (n > 0) this.rowFaults.push({ remaining: n, code, op });
  }

  private take(queue: Pending[], op: string, defaultOps: ReadonlySet<string>): OtsError | undefined {
    const i = queue.findIndex((p) => (p.op === undefined ? defaultOps.has(op) : p.op === op));
    if (i < 0) return undefined;
    const p = queue[i];
    p.remaining--;
    if (p.remaining === 0) queue.splice(i, 1);
    return faultError(p.code);
  }

  takeRequestFault(op: string): OtsError | undefined {
    return this.take(this.requestFaults, op, WRITE_OPS);
  }

  takeRowFault(op: string): OtsError | undefined {
    return this.take(this.rowFaults, op, BATCH_WRITE_OPS);
  }
}
