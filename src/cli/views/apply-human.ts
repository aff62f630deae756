// Apply progress as lines a person (or a CI log) can follow.
import type { ApplyEvent } from '../../model/events.js';
import { formatPosition } from '../../model/position-text.js';
import { runnerLine } from './runner-human.js';

export function applyLine(e: ApplyEvent): string | undefined {
  switch (e.type) {
    case 'migration-start': return `${e.migration}: starting`;
    case 'change-applied': return `${e.migration}: ${e.summary}`;
    case 'topic-created': return `${e.migration}: created topic ${e.topic} (${e.partitions} partition${e.partitions === 1 ? '' : 's'})`;
    case 'topic-partitions': return `${e.migration}: topic ${e.topic} partitions ${e.from} → ${e.to}`;
    case 'snapshot-opened': return `${e.migration}: consistent snapshot at ${e.at}${e.reused ? ' (incremental keeps the first snapshot position)' : ''}`;
    case 'table-start': return `${e.migration}: ${e.table}: full load${e.resumeFrom > 0 ? ` resuming after ${e.resumeFrom} rows` : ''} (~${e.estimatedRows} rows)`;
    case 'table-warning': return `${e.migration}: ${e.table}: warning: ${e.message}`;
    case 'chunk': return undefined;
    case 'table-done': return `${e.migration}: ${e.table}: ${e.rows} rows in ${e.seconds.toFixed(1)} s`;
    case 'handoff': return `${e.migration}: full load done; incremental starts at ${e.at}.\n  Start streaming with: mig apply --follow   (or --until-caught-up to stop once current)`;
    case 'stream-start': return `${e.migration}: streaming from ${formatPosition(e.from)}${e.until ? ` until ${e.until.file}:${e.until.pos}` : ''}`;
    case 'stream-progress': return undefined;
    case 'stream-stop': return `${e.migration}: ${e.reason === 'caught-up' ? 'caught up' : 'stopped'}: ${e.events} binlog change(s) handled, checkpoint ${formatPosition(e.checkpoint)}`;
    case 'feed-start': return `${e.migration}: applying ${e.topic} from ${e.from} (transactions after commit ts ${e.afterTs})${e.untilCaughtUp ? ' until caught up' : ''}`;
    case 'feed-progress': return undefined;
    case 'feed-stop': return `${e.migration}: ${e.reason === 'caught-up' ? 'caught up' : 'stopped'}: ${e.transactions} transaction(s) applied${e.skipped > 0 ? `, ${e.skipped} at or before the snapshot skipped` : ''}, checkpoint ${e.position}`;
    case 'lease':
    case 'generation':
    case 'backfill-start':
    case 'backfill-done':
    case 'runner-error':
    case 'runner-retry':
    case 'runner-recovered':
      return runnerLine(e);
    case 'backfill-chunk':
      return undefined;
    case 'migration-done':
    case 'topic-known':
    case 'row-skipped':
    case 'target-origin':
      return undefined;
  }
}
