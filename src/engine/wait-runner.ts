// `mig apply --wait`: the merge workflow's bounded wait for the runner. A generation counts as
// observed once the runner took it up and its run got going (loading, streaming or backfilling);
// a run that failed on it ends the wait with the runner's own error.
import type { StateStore } from '../state/store.js';
import { MigError } from '../util/errors.js';
import type { RecordedGeneration } from './record-generation.js';

export async function waitForRunners(store: StateStore, recorded: RecordedGeneration[], ms: number, signal: AbortSignal, out: (line: string) => void): Promise<void> {
  const until = Date.now() + ms;
  const pending = new Map(recorded.map((r) => [r.migration, r]));
  out(`Waiting up to ${Math.round(ms / 1000)} s for the runner to take up ${[...pending.values()].map((r) => `${r.migration} generation ${r.generation}`).join(', ')}.`);
  for (;;) {
    const state = await store.read();
    for (const [name, r] of pending) {
      const m = state.migrations[name];
      if (r.removed) {
        if (!m) {
          out(`${name}: removed by the runner.`);
          pending.delete(name);
        }
        continue;
      }
      const status = m?.runner?.status;
      const err = m?.runner?.lastError;
      if (status === 'failed' && err && err.generation >= r.generation) {
        throw new MigError('runner-failed', `${name}: the runner could not run generation ${r.generation}: ${err.message}`, err.fix ?? 'fix the cause, then apply again (mig status shows the runner\'s last error)');
      }
      if ((m?.observedGeneration ?? 0) >= r.generation && status !== undefined && status !== 'starting' && status !== 'failed' && status !== 'retrying') {
        out(`${name}: generation ${r.generation} observed by the runner (pid ${m!.runner!.pid} on ${m!.runner!.host}), now ${status}${m!.runner!.reconciling?.length ? `: ${m!.runner!.reconciling.join('; ')}` : ''}.`);
        pending.delete(name);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() >= until || signal.aborted) break;
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, until - Date.now()))));
  }
  const leases = await store.leases();
  const state = await store.read();
  const why = [...pending.values()].map((r) => {
    const l = leases[r.migration];
    const observed = state.migrations[r.migration]?.observedGeneration ?? 0;
    return l ? `${r.migration}: the runner (pid ${l.pid} on ${l.host}) is still at generation ${observed}, not ${r.generation}` : `${r.migration}: no runner holds its lease`;
  });
  throw new MigError('runner-wait-timeout', `the runner did not take up the new generation within ${Math.round(ms / 1000)} s:\n  ${why.join('\n  ')}`, 'the generation stays recorded: start a runner (mig run), or see what it does with mig status');
}

/** `90s`, `15m`, `2h`, or plain seconds. */
export function parseDuration(text: string, flag = '--wait'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new MigError('bad-duration', `${flag} ${text}: not a duration`, 'write it as 90s, 15m or 2h');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}
