// The spec's throttles (DTS's full and incremental migration speed limits) as token buckets the
// engine waits on: the full load before each chunk it reads and each chunk it writes, the stream
// loop before each flush. A bucket fills at its rate up to one second's worth; a charge takes what
// it costs at once, going into debt when it costs more than is there (a chunk or a flush bigger
// than a second's worth), and the next wait lasts until the debt is paid. So the rate holds over
// any stretch longer than one batch, whatever the batch size, and a batch is never split.
import type { Migration } from '../spec/schema.js';
import type { ChangeEvent, Row } from '../model/source-data.js';

/** Time as the buckets see it; tests pass a fake one. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done);
    }),
};

export class TokenBucket {
  /** Negative while in debt. Starts empty, so a restart (a new generation, a retry) gets no burst over the limit. */
  #tokens = 0;
  #at: number;
  readonly burst: number;

  constructor(readonly perSecond: number, private readonly clock: Clock = systemClock) {
    this.burst = Math.max(1, perSecond);
    this.#at = clock.now();
  }

  /** Takes `n` now, into debt when there is not enough. */
  charge(n: number): void {
    this.#refill();
    this.#tokens -= n;
  }

  /** Milliseconds until the debt is paid (0 when there is none). */
  delayMs(): number {
    this.#refill();
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.perSecond) * 1000);
  }

  #refill(): void {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.perSecond);
    this.#at = now;
  }
}

/** What a batch costs: rows (or queries) and an estimate of its bytes. */
export interface Cost {
  rows: number;
  bytes?: number;
}

/** The buckets of one throttle (rows per second and bytes per second); any may be absent. */
export class Limiter {
  readonly #rows: TokenBucket | undefined;
  readonly #bytes: TokenBucket | undefined;

  constructor(limits: { rowsPerSecond?: number; mbPerSecond?: number }, private readonly clock: Clock = systemClock) {
    this.#rows = limits.rowsPerSecond ? new TokenBucket(limits.rowsPerSecond, clock) : undefined;
    this.#bytes = limits.mbPerSecond ? new TokenBucket(limits.mbPerSecond * 1e6, clock) : undefined;
  }

  get limited(): boolean {
    return this.#rows !== undefined || this.#bytes !== undefined;
  }

  charge(c: Cost): void {
    this.#rows?.charge(c.rows);
    this.#bytes?.charge(c.bytes ?? 0);
  }

  delayMs(): number {
    return Math.max(this.#rows?.delayMs() ?? 0, this.#bytes?.delayMs() ?? 0);
  }

  /** Charges `c` and waits until it is paid for; returns at once when `signal` aborts. */
  async take(c: Cost, signal?: AbortSignal): Promise<void> {
    if (!this.limited) return;
    this.charge(c);
    for (let wait = this.delayMs(); wait > 0 && !signal?.aborted; wait = this.delayMs()) await this.clock.sleep(wait, signal);
  }
}

/** The full load's (and backfill's) limiters: chunk reads sent to the source, and rows written. */
export function fullLimiters(m: Migration, clock: Clock = systemClock): { queries: Limiter; rows: Limiter } {
  const f = m.spec.throttle?.full ?? {};
  return { queries: new Limiter({ rowsPerSecond: f.sourceQps }, clock), rows: new Limiter(f, clock) };
}

/** The stream's limiter: changes written. */
export function incrementalLimiter(m: Migration, clock: Clock = systemClock): Limiter {
  return new Limiter(m.spec.throttle?.incremental ?? {}, clock);
}

/**
 * An engine-level size estimate, the same for every destination: the lengths of the values (text
 * in UTF-16 units, which is its byte count for ASCII; binary in bytes). Column names, keys and the
 * destination's own framing (a Kafka envelope, a Tablestore cell header) are not counted, so
 * mbPerSecond limits the row data, not the bytes on the wire.
 */
export function rowBytes(r: Row | undefined): number {
  if (!r) return 0;
  let n = 0;
  for (const k in r) {
    const v = r[k];
    if (v !== null && v !== undefined) n += v.length;
  }
  return n;
}

/** The cost of changes: rows counted once each, their before and after images both sized. */
export function changeCost(events: readonly ChangeEvent[]): Cost {
  let rows = 0;
  let bytes = 0;
  for (const ev of events) {
    if (ev.kind !== 'row') continue;
    rows++;
    bytes += rowBytes(ev.before) + rowBytes(ev.after);
  }
  return { rows, bytes };
}

/** The cost of rows a full load or backfill read. */
export function rowsCost(rows: readonly Row[]): Cost {
  let bytes = 0;
  for (const r of rows) bytes += rowBytes(r);
  return { rows: rows.length, bytes };
}
