// The last line of `mig apply --json`: whether it succeeded, the state serial, the generations it
// recorded and each migration's final reading, so a pipeline needs no second call to mig status.
import { progressOf, type MigrationProgress } from '../../model/progress.js';
import type { State } from '../../state/model.js';

export interface ApplyResult {
  type: 'result';
  ok: boolean;
  serial: number;
  /** Apply was stopped by SIGINT/SIGTERM before it finished (exit 130). */
  interrupted: boolean;
  /** The generations this apply recorded (none when there were no changes). */
  recorded: { migration: string; generation: number }[];
  migrations: Record<string, { progress: MigrationProgress }>;
}

/**
 * The result from the state as it ends: each migration's reading is the last one its run reported,
 * or read from the state for one this apply did not run (a runner elsewhere holds it, nothing to do).
 */
export function resultOf(
  state: State,
  latest: ReadonlyMap<string, MigrationProgress>,
  o: { ok: boolean; interrupted?: boolean; recorded: readonly { migration: string; generation: number }[]; only?: ReadonlySet<string> },
  now = Date.now(),
): ApplyResult {
  const names = Object.keys(state.migrations).filter((n) => !o.only || o.only.has(n));
  return {
    type: 'result',
    ok: o.ok,
    serial: state.serial,
    interrupted: o.interrupted ?? false,
    recorded: o.recorded.map((r) => ({ migration: r.migration, generation: r.generation })),
    migrations: Object.fromEntries(names.map((n) => [n, { progress: latest.get(n) ?? progressOf(state.migrations[n]!, now) }])),
  };
}
