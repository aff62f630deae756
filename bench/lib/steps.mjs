// The steps of one run of a case (mig, mig ref and the baselines), in an order rotated per run so
// that no step always runs first or last on a machine whose speed drifts.
import { session } from './process.mjs';

/** Runs the named steps in the given order, recording each result (or error) at runs[name][i]. */
async function runSteps(steps, order, runs, i, label, log) {
  for (const name of order) {
    let r;
    try {
      r = await steps[name]();
    } catch (e) {
      r = { error: String(e.message ?? e) };
      if (!session.interrupted) process.stderr.write(`bench: ${label} run ${i + 1}, ${name}: ${r.error}\n`);
    }
    (runs[name] ??= [])[i] = r;
    log(`  ${label} run ${i + 1}: ${name.padEnd(26)} ${r.error ? 'FAILED' : `${r.wallSeconds.toFixed(2)} s`}`);
  }
}

/** The order of the steps in run i: rotated, so no step always runs first or last. */
export function rotate(steps, i) {
  return steps.map((_, k) => steps[(k + i) % steps.length]);
}

/** Runs steps (name → async fn) in the rotated order of run i. */
export const runRotated = (steps, runs, i, label, log) => runSteps(steps, rotate(Object.keys(steps), i), runs, i, label, log);

/** When a run's shared setup fails, every step of that run failed with it. */
export function failRun(runs, names, i, e, label) {
  const error = String(e.message ?? e);
  if (!session.interrupted) process.stderr.write(`bench: ${label} run ${i + 1}: ${error}\n`);
  for (const k of names) (runs[k] ??= [])[i] ??= { error };
}
