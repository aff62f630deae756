// Progress figures as words and numbers, the same in the live view, the periodic lines of a CI log and
// their JSON fields: counts with thousands separators, ETAs in s/min/h.
import type { LogFields } from '../log.js';
import type { LagReading } from '../../model/progress.js';
import type { MigrationFigures, StreamFigures, TableFigures } from './progress-tracker.js';
import { formatCount, formatDuration } from '../../model/number-text.js';

// Shared with the planner's reasons (model/number-text.ts); the views import them from here.
export { formatCount, formatDuration };

/** "0.4 s (heartbeat)", or "unknown (last-event)" before anything was written. */
export function formatLag(lag: LagReading): string {
  return `${lag.seconds === null ? 'unknown' : `${lag.seconds} s`} (${lag.basis})`;
}

/** `212,000/497,586 rows (43%) 18,900 rows/s ETA 15 s`; the parts not measured yet are left out. */
export function tableFiguresText(t: TableFigures): string {
  const parts = [t.estimate !== null ? `${formatCount(t.rows)}/${formatCount(t.estimate)} rows` : `${formatCount(t.rows)} rows`];
  if (t.percent !== null) parts[0] += ` (${t.percent}%)`;
  if (t.rowsPerSecond !== null) parts.push(`${formatCount(t.rowsPerSecond)} rows/s`);
  if (t.etaSeconds !== null) parts.push(`ETA ${formatDuration(t.etaSeconds)}`);
  return parts.join(' ');
}

/** `shop: inventory.stock_movements 212,000/497,586 rows (43%) 18,900 rows/s ETA 15 s` (a backfill says so). */
export function tableLine(t: TableFigures): string {
  return `${t.migration}: ${t.table}${t.kind === 'backfill' ? ' backfill' : ''} ${tableFiguresText(t)}`;
}

/** `1,204 changes/s, 50,111 written (read 50,200, filtered 89, skipped 0), lag 0.4 s (heartbeat), checkpoint …`. */
export function streamFiguresText(s: StreamFigures): string {
  const rate = s.writtenPerSecond !== null ? `${formatCount(s.writtenPerSecond)} changes/s, ` : '';
  const counts = `${formatCount(s.written)} written (read ${formatCount(s.read)}, filtered ${formatCount(s.filtered)}, skipped ${formatCount(s.skipped)})`;
  return `${rate}${counts}, lag ${formatLag(s.lag)}${s.checkpoint ? `, checkpoint ${s.checkpoint}` : ''}`;
}

/** `retrying (attempt 3, failing since …, window ends …): last error`. */
export function retryText(s: StreamFigures): string | undefined {
  const r = s.retry;
  if (!r) return undefined;
  return `retrying (attempt ${r.attempts}, failing since ${r.since}, the ${r.window === 'connection' ? 'connection' : 'other-failure'} window ends ${r.until}): ${r.lastError.message}`;
}

/** `shop: streaming 1,204 changes/s, …`, or the retry state while the runner retries. */
export function streamLine(s: StreamFigures): string {
  const retry = retryText(s);
  return `${s.migration}: ${retry ?? `streaming ${streamFiguresText(s)}`}`;
}

/** A progress line with its fields, for the logger. */
export interface ProgressRecord {
  msg: string;
  fields: LogFields;
}

/** The periodic lines of a migration: one per table being copied, one for the stream. */
export function progressRecords(f: MigrationFigures): ProgressRecord[] {
  const out: ProgressRecord[] = f.tables.map((t) => ({
    msg: tableLine(t),
    fields: { migration: t.migration, event: 'progress', table: t.table, kind: t.kind, rows: t.rows, estimatedRows: t.estimate, percent: t.percent, rowsPerSecond: round(t.rowsPerSecond), etaSeconds: t.etaSeconds },
  }));
  const s = f.stream;
  if (s) {
    out.push({
      msg: streamLine(s),
      fields: {
        migration: s.migration, event: 'progress', runner: s.runner, written: s.written, read: s.read, filtered: s.filtered, skipped: s.skipped,
        writtenPerSecond: round(s.writtenPerSecond), lagSeconds: s.lag.seconds, lagBasis: s.lag.basis, checkpoint: s.checkpoint, retry: s.retry,
      },
    });
  }
  return out;
}

/** The closing line of a run: rows copied and changes written in all. */
export function summaryLine(f: MigrationFigures): string | undefined {
  const p = f.progress;
  if (!p) return undefined;
  const e = p.events;
  const stream = e.read + e.written > 0 ? `, ${formatCount(e.written)} change(s) written (read ${formatCount(e.read)}, filtered ${formatCount(e.filtered)}, skipped ${formatCount(e.skipped)}), lag ${formatLag(p.lag)}` : '';
  return `${p.migration}: ${formatCount(p.rows.copied)} row(s) copied${stream}${p.checkpoint ? `, checkpoint ${p.checkpoint}` : ''}`;
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n * 10) / 10;
}
