// DTS's retry windows as the runner keeps them: an outage starts with the first failure of a run
// and lasts until a run moves data again (or stays up long enough to count as healthy). Within the
// window of the latest failure's class the run is started again from its checkpoint after a backoff
// with jitter; past it the failure is final. A lost connection gets the long window, another
// retryable failure the short one, measured from the same start.
import type { ErrorClass } from '../connectors/contract.js';
import { retryWindows, type Migration } from '../spec/schema.js';
import type { RetryStatus } from '../state/model.js';
import { MigError } from '../util/errors.js';

export type RetryClass = Exclude<ErrorClass, 'fatal'>;

/** How long a window's "minute" is: a minute, unless MIG_RETRY_MINUTE_MS shortens it (the fault tests). */
export function retryMinuteMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.MIG_RETRY_MINUTE_MS);
  return Number.isFinite(v) && v > 0 ? v : 60_000;
}

/** A run that stayed up this long without failing ends the outage even if the source was idle. */
export const HEALTHY_RUN_MS = 60_000;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10_000;

export class Outage {
  readonly since: number;
  attempts = 0;
  window: RetryClass = 'retryable-connection';
  lastError: MigError;

  constructor(now: number, error: MigError) {
    this.since = now;
    this.lastError = error;
  }

  /**
   * Records a failure; returns how long to wait before the next attempt, or undefined when the
   * window of this failure's class has ended.
   */
  next(cls: RetryClass, error: MigError, m: Migration, now: number, minuteMs: number, random: () => number = Math.random): number | undefined {
    this.attempts++;
    this.window = cls;
    this.lastError = error;
    const until = this.until(m, minuteMs);
    if (now >= until) return undefined;
    // Doubling from 1 s to 10 s, ±20 % so runners that failed together do not retry together.
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(this.attempts - 1, 10));
    const jittered = base * (0.8 + 0.4 * random());
    return Math.round(Math.max(0, Math.min(jittered, until - now)));
  }

  until(m: Migration, minuteMs: number): number {
    const w = retryWindows(m.spec.retry);
    return this.since + (this.window === 'retryable-connection' ? w.connectionMinutes : w.otherMinutes) * minuteMs;
  }

  status(m: Migration, minuteMs: number): RetryStatus {
    const e = this.lastError;
    return {
      since: new Date(this.since).toISOString(),
      attempts: this.attempts,
      window: this.window === 'retryable-connection' ? 'connection' : 'other',
      until: new Date(this.until(m, minuteMs)).toISOString(),
      lastError: { code: e.code, message: e.message, ...(e.hint ? { fix: e.hint } : {}) },
    };
  }

  /** The failure a run ends with once the window is over: the last error, and how long it was retried. */
  exhausted(m: Migration, minuteMs: number): MigError {
    const w = retryWindows(m.spec.retry);
    const minutes = this.window === 'retryable-connection' ? w.connectionMinutes : w.otherMinutes;
    const field = this.window === 'retryable-connection' ? 'spec.retry.connectionMinutes' : 'spec.retry.otherMinutes';
    const secs = Math.round((Date.now() - this.since) / 1000);
    const kind = this.window === 'retryable-connection' ? 'connection' : 'other-failure';
    return new MigError(
      this.lastError.code,
      `${m.metadata.name}: gave up after ${this.attempts} attempt(s) over ${secs} s (the ${kind} retry window is ${minutes} min${minuteMs === 60_000 ? '' : ` of ${minuteMs} ms`}): ${this.lastError.message}`,
      `${this.lastError.hint ?? 'fix the cause'}; then run mig apply --follow (or restart the runner) to resume from the last checkpoint, or lengthen ${field}`,
      { cause: this.lastError },
    );
  }
}
