// mig cutover for a person: each step as it happens, then the outcome with the verify report when
// the destination differs (or the source was left read-only and how to undo that).
import type { CutoverResult, CutoverStep } from '../../verify/index.js';
import { LOCK_SOURCE_STATEMENTS } from '../../verify/index.js';
import { renderVerifyHuman } from './verify-human.js';

export function cutoverStepText(s: CutoverStep, maxLag: number): string | undefined {
  switch (s.step) {
    case 'lag':
      return s.seconds !== null && s.seconds <= maxLag ? `lag ${s.seconds} s: at most ${maxLag} s` : `waiting for lag ≤ ${maxLag} s (now ${s.seconds === null ? 'unknown' : `${s.seconds} s`})`;
    case 'source-locked':
      return `source made read-only: ${s.statements.join('; ')}`;
    case 'caught-up':
      return `the migration has reached the source's position ${s.position}`;
    case 'verifying':
      return 'verifying every table …';
  }
}

export function renderCutoverHuman(migration: string, r: CutoverResult): string {
  if (r.recorded) {
    const c = r.cutover;
    return [
      renderVerifyHuman(r.report),
      '',
      `Cutover of ${migration} recorded at ${c.at}${c.position ? ` (source position ${c.position})` : ''}: ${c.tables} tables, ${c.rows.toLocaleString('en-US')} rows verified equal${c.sourceReadOnly ? '; the source is read-only' : ''}.`,
      'Point the applications at the destination; mig status shows the cutover.',
    ].join('\n');
  }
  const undo = r.sourceReadOnly ? [`The source was left read-only; to undo: ${LOCK_SOURCE_STATEMENTS.map((s) => s.replace('ON', 'OFF')).join('; ')}`] : [];
  return [...(r.report ? [renderVerifyHuman(r.report), ''] : []), `Cutover of ${migration} not recorded: ${r.reason}.`, ...undo].join('\n');
}
