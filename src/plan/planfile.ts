// A saved plan: the plan itself plus what it was built from, so apply can refuse a stale one.
import { readFile, writeFile } from 'node:fs/promises';
import type { Plan } from './change.js';
import type { State } from '../state/model.js';
import { generationsOf } from '../state/generation.js';
import { MigError } from '../util/errors.js';

export async function writePlanFile(file: string, plan: Plan): Promise<void> {
  await writeFile(file, JSON.stringify({ kind: 'mig-plan', ...plan }, null, 2) + '\n');
}

export async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new MigError('plan-missing', `cannot read the plan file ${file}`, 'run mig plan --out FILE first');
  }
  let doc: Plan & { kind?: string };
  try {
    doc = JSON.parse(text) as Plan & { kind?: string };
  } catch {
    throw new MigError('plan-corrupt', `${file} is not a plan file (invalid JSON)`, 'run mig plan --out FILE again');
  }
  if (typeof doc !== 'object' || doc === null || doc.kind !== 'mig-plan') {
    throw new MigError('plan-corrupt', `${file} is not a plan saved by mig plan --out (it has no "kind": "mig-plan")`, 'name a file written by mig plan --out FILE, or run that again');
  }
  if (doc.formatVersion !== 1) {
    throw new MigError('plan-corrupt', `${file} is a plan of format ${String(doc.formatVersion)}; this mig reads format 1`, 'run mig plan --out FILE again with this mig');
  }
  const { kind: _kind, ...plan } = doc;
  return plan;
}

/**
 * Refuses a saved plan whose specs or state moved since it was made, or made with other --target
 * values than apply is given (apply inspects, prechecks and runs the targeted migrations only).
 */
export function checkFresh(saved: Plan, specDigest: string, state: State, targets?: readonly string[]): void {
  const was = [...(saved.targets ?? [])].sort().join(' ');
  const now = [...(targets ?? [])].sort().join(' ');
  if (was !== now) {
    const flags = (t: string) => (t ? t.split(' ').map((x) => `--target ${x}`).join(' ') : 'no --target');
    throw new MigError('plan-targets', `the plan was made with ${flags(was)}, and apply was given ${flags(now)}`, `apply it with the same targets: mig apply PLANFILE ${was ? flags(was) : ''}`.trimEnd());
  }
  if (saved.specDigest !== specDigest) {
    throw new MigError('stale-plan', 'stale plan: the migration specs changed since the plan was made', 'run mig plan --out FILE again and review the new plan');
  }
  // A plan made before the first write saw serial 0 and a lineage that was never stored.
  const lineageMoved = saved.stateSerial > 0 && saved.stateLineage !== state.lineage;
  if (saved.generations) {
    // Runners checkpoint all the time; only another approved plan (a generation) makes this one stale.
    const now = generationsOf(state);
    const moved = [...new Set([...Object.keys(now), ...Object.keys(saved.generations)])].filter((n) => (now[n] ?? 0) !== (saved.generations![n] ?? 0));
    if (lineageMoved || moved.length > 0) {
      throw new MigError('stale-plan', `stale plan: ${lineageMoved ? 'the state was replaced' : `another plan was approved since this one was made (${moved.map((n) => `${n}: generation ${saved.generations![n] ?? 0} then, ${now[n] ?? 0} now`).join('; ')})`}`, 'run mig plan --out FILE again and review the new plan');
    }
    return;
  }
  if (saved.stateSerial !== state.serial || lineageMoved) {
    throw new MigError('stale-plan', `stale plan: the state changed since the plan was made (serial ${saved.stateSerial} then, ${state.serial} now)`, 'run mig plan --out FILE again and review the new plan');
  }
}
