// Apply progress as lines a person (or a CI log) can follow, and as log records with a level and the
// event's fields (--log-format json).
import type { ApplyEvent } from '../../model/events.js';
import { formatPosition } from '../../model/position-text.js';
import type { LogFields, LogLevel } from '../log.js';
import { formatCount } from './progress-format.js';
import { runnerLine } from './runner-human.js';

export interface EventRecord {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/**
 * An event as a log record: its line, a level (problems are warn or error; every chunk and
 * checkpoint is debug), and its own fields. Progress readings and what only the state records are
 * not log lines (the progress views show the readings).
 */
export function eventRecord(e: ApplyEvent): EventRecord | undefined {
  const { type, migration, ...rest } = e;
  const fields: LogFields = { migration, event: type, ...rest };
  const line = applyLine(e) ?? debugLine(e);
  if (line === undefined) return undefined;
  return { level: eventLevel(e), msg: line, fields };
}

export function eventLevel(e: ApplyEvent): LogLevel {
  switch (e.type) {
    case 'runner-error':
    case 'run-failed':
      return 'error';
    case 'table-warning':
    case 'runner-retry':
    case 'alert-failed':
      return 'warn';
    case 'lease':
      return e.event === 'lost' ? 'warn' : 'info';
    case 'chunk':
    case 'backfill-chunk':
    case 'stream-progress':
    case 'feed-progress':
      return 'debug';
    default:
      return 'info';
  }
}

/** The lines shown only at --log-level debug: each chunk and each checkpoint. */
function debugLine(e: ApplyEvent): string | undefined {
  switch (e.type) {
    case 'chunk': return `${e.migration}: ${e.table}: chunk of ${formatCount(e.rows)} rows, ${formatCount(e.total)} in all`;
    case 'backfill-chunk': return `${e.migration}: ${e.table}: backfill chunk of ${formatCount(e.rows)} rows (${formatCount(e.superseded)} superseded), ${formatCount(e.total)} in all`;
    case 'stream-progress': return `${e.migration}: checkpoint ${formatPosition(e.checkpoint)} after ${formatCount(e.events)} change(s)`;
    case 'feed-progress': return `${e.migration}: checkpoint ${e.position} after ${formatCount(e.transactions)} transaction(s)`;
    default: return undefined;
  }
}

export function applyLine(e: ApplyEvent): string | undefined {
  switch (e.type) {
    case 'migration-start': return `${e.migration}: starting`;
    case 'change-applied': return `${e.migration}: ${e.summary}`;
    case 'topic-created': return `${e.migration}: created topic ${e.topic} (${e.partitions} partition${e.partitions === 1 ? '' : 's'})`;
    case 'topic-partitions': return `${e.migration}: topic ${e.topic} partitions ${e.from} → ${e.to}`;
    case 'snapshot-opened': return `${e.migration}: consistent snapshot at ${e.at}${e.reused ? ' (incremental keeps the first snapshot position)' : ''}`;
    case 'table-start': return `${e.migration}: ${e.table}: full load${e.resumeFrom > 0 ? ` resuming after ${formatCount(e.resumeFrom)} rows` : ''} (~${formatCount(e.estimatedRows)} rows)`;
    case 'table-warning': return `${e.migration}: ${e.table}: warning: ${e.message}`;
    case 'chunk': return undefined;
    case 'table-done': return `${e.migration}: ${e.table}: ${formatCount(e.rows)} rows in ${e.seconds.toFixed(1)} s${e.seconds >= 1 ? ` (${formatCount(e.rows / e.seconds)} rows/s)` : ''}`;
    case 'handoff': return `${e.migration}: full load done; incremental starts at ${e.at}.\n  Start streaming with: mig apply --follow   (or --until-caught-up to stop once current)`;
    case 'stream-start': return `${e.migration}: streaming from ${formatPosition(e.from)}${e.until ? ` until ${e.until.file}:${e.until.pos}` : ''}`;
    case 'stream-progress': return undefined;
    // The counts follow in the final progress line: one set of counters, not the reader's own tally.
    case 'stream-stop': return `${e.migration}: ${e.reason === 'caught-up' ? 'caught up' : 'stopped'} at checkpoint ${formatPosition(e.checkpoint)}`;
    case 'feed-start': return `${e.migration}: applying ${e.topic} from ${e.from} (transactions after commit ts ${e.afterTs})${e.untilCaughtUp ? ' until caught up' : ''}`;
    case 'feed-progress': return undefined;
    case 'feed-stop': return `${e.migration}: ${e.reason === 'caught-up' ? 'caught up' : 'stopped'}: ${formatCount(e.transactions)} transaction(s) applied${e.skipped > 0 ? `, ${formatCount(e.skipped)} at or before the snapshot skipped` : ''}, checkpoint ${e.position}`;
    case 'lease':
    case 'generation':
    case 'backfill-start':
    case 'backfill-done':
    case 'redrive-done':
    case 'runner-error':
    case 'runner-retry':
    case 'runner-recovered':
    case 'alert-sent':
    case 'alert-failed':
      return runnerLine(e);
    case 'backfill-chunk':
      return undefined;
    case 'migration-done':
    case 'progress':
    case 'run-failed':
    case 'topic-known':
    case 'row-skipped':
    case 'target-origin':
      return undefined;
  }
}
