// The runner's own events as lines: its lease, the generations it takes up, backfills, errors.
import type { ApplyEvent } from '../../model/events.js';
import { formatCount } from './progress-format.js';

export function runnerLine(e: ApplyEvent): string | undefined {
  switch (e.type) {
    case 'lease': {
      const h = e.holder;
      const who = h ? `pid ${h.pid} on ${h.host}` : '';
      if (e.event === 'taken') return `${e.migration}: holding the lease`;
      if (e.event === 'took-over') {
        const gone = h && Date.parse(h.expiresAt) > Date.now() ? 'which is no longer running' : `which stopped renewing it (lapsed at ${h?.expiresAt})`;
        return `${e.migration}: took over the lease from ${who}, ${gone}; resuming from its checkpoints`;
      }
      if (e.event === 'standby') return `${e.migration}: standby: the lease is held by ${who} until ${h?.expiresAt}; taking over if it lapses`;
      if (e.event === 'lost') return `${e.migration}: lost the lease; stopped writing`;
      return `${e.migration}: released the lease`;
    }
    case 'generation':
      return e.event === 'removed' ? `${e.migration}: generation ${e.generation} removes this migration: stopped and forgotten (topics and tables kept)` : `${e.migration}: reconciling generation ${e.generation}`;
    case 'backfill-start':
      return `${e.migration}: ${e.table}: backfill while streaming${e.resumeFrom > 0 ? `, resuming after ${formatCount(e.resumeFrom)} rows` : ''} (~${formatCount(e.estimatedRows)} rows)`;
    case 'backfill-done':
      return `${e.migration}: ${e.table}: backfilled ${formatCount(e.rows)} rows in ${formatCount(e.chunks)} chunk(s), ${e.seconds.toFixed(1)} s; ${formatCount(e.superseded)} row(s) superseded by changes streamed meanwhile`;
    case 'redrive-done':
      return `${e.migration}: ${e.table}: re-drove ${formatCount(e.changes)} set-aside change(s): ${formatCount(e.rows)} current row(s) written again, ${formatCount(e.superseded)} key(s) left to newer streamed changes, ${formatCount(e.gone)} gone from the source (or outside the filter), ${e.seconds.toFixed(1)} s`;
    case 'runner-error':
      return `${e.migration}: error: ${e.message}${e.fix ? `\n  fix: ${e.fix}` : ''}${e.retryInSeconds ? `\n  retrying in ${e.retryInSeconds} s, or as soon as mig apply records a new generation` : ''}`;
    case 'runner-retry': {
      const window = e.window === 'connection' ? 'connection' : 'other-failure';
      return `${e.migration}: ${e.message}\n  retrying in ${e.retryInSeconds.toFixed(1)} s (attempt ${e.attempt}, failing since ${e.since}; the ${window} retry window ends at ${e.until})`;
    }
    case 'alert-sent':
      return `${e.migration}: alert ${e.alert} ${e.status}: sent to ${e.to}${e.attempts > 1 ? ` (attempt ${e.attempts})` : ''}`;
    case 'alert-failed':
      return `${e.migration}: alert ${e.alert} ${e.status} not delivered: ${e.message}`;
    case 'runner-recovered':
      return `${e.migration}: recovered after ${e.attempts} failed attempt(s) over ${e.seconds} s; resumed from the last checkpoint`;
    default:
      return undefined;
  }
}

