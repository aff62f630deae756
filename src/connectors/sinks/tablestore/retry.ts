// mig's only retry loop for Tablestore (the SDK's own is switched off in client.ts): throttling and
// transient failures wait with exponential backoff and jitter, everything else fails at once.
import { isTransient, otsErrorOf, OtsRequestError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the first retry; doubles each time up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** About a minute of retrying before giving up (0.1+0.2+…+5+5+… s, jittered). */
export const DEFAULT_RETRY: RetryOptions = { attempts: 16, baseMs: 100, maxMs: 5000 };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * "Equal jitter": half the exponential delay fixed, half random, so many lanes throttled at the
 * same moment do not all come back at the same moment.
 */
export function backoffMs(retry: number, o: RetryOptions): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** retry);
  return cap / 2 + (cap / 2) * (o.random ?? Math.random)();
}

export function sleepFor(o: RetryOptions): (ms: number) => Promise<void> {
  return o.sleep ?? defaultSleep;
}

/**
 * Runs `fn` until it succeeds, fails with a non-transient error, or the attempts are used up.
 * Failures are rethrown as OtsRequestError so callers see one shape.
 */
export async function withRetry<T>(operation: string, fn: () => Promise<T>, o: RetryOptions = DEFAULT_RETRY, onRetry?: (code: string) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const ots = otsErrorOf(e);
      if (!isTransient(ots) || attempt + 1 >= o.attempts) throw new OtsRequestError(ots, operation);
      onRetry?.(ots.code);
      await sleepFor(o)(backoffMs(attempt, o));
    }
  }
}
