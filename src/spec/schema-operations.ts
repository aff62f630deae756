// How a running migration behaves towards the systems it touches: the retry windows after a failure
// and the throttles on what it reads and writes (DTS's "Retry Time for Failed Connections", "Retry
// Time for Other Issues" and its full and incremental migration speed limits).
import { z } from 'zod';

/** DTS's defaults; the engine applies them when the spec leaves a window out. */
export const RETRY_DEFAULTS = { connectionMinutes: 720, otherMinutes: 10 } as const;

export const RetryWindows = z.strictObject({
  connectionMinutes: z
    .number()
    .int()
    .min(10)
    .max(1440)
    .optional()
    .describe('Minutes a lost or refused connection to the source, the destination or the state is retried before the run fails (10 to 1440, default 720, as DTS).'),
  otherMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .optional()
    .describe('Minutes other retryable failures (lock waits, deadlocks, throttling, a transient destination error) are retried (1 to 1440, default 10); must be smaller than connectionMinutes.'),
});
export type RetryWindows = z.infer<typeof RetryWindows>;

const rate = (what: string) => z.number().positive().max(1e9).optional().describe(what);

export const Throttle = z.strictObject({
  full: z
    .strictObject({
      sourceQps: rate('Queries per second the full load sends to the source (chunk reads).'),
      rowsPerSecond: rate('Rows per second the full load writes to the destination.'),
      mbPerSecond: rate('Megabytes (10^6 bytes) of row data per second the full load writes to the destination.'),
    })
    .optional()
    .describe('Full-load (and backfill) limits.'),
  incremental: z
    .strictObject({
      rowsPerSecond: rate('Row changes per second the stream writes to the destination.'),
      mbPerSecond: rate('Megabytes (10^6 bytes) of change data per second the stream writes to the destination.'),
    })
    .optional()
    .describe('Incremental (stream) limits.'),
});
export type Throttle = z.infer<typeof Throttle>;

/** The windows a migration runs with: its own, or DTS's defaults (the other window kept below the connection one). */
export function retryWindows(r: RetryWindows | undefined): { connectionMinutes: number; otherMinutes: number } {
  const connectionMinutes = r?.connectionMinutes ?? RETRY_DEFAULTS.connectionMinutes;
  return { connectionMinutes, otherMinutes: r?.otherMinutes ?? Math.min(RETRY_DEFAULTS.otherMinutes, connectionMinutes - 1) };
}
