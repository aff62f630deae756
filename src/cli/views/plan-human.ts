// The plan as a reviewer reads it: per migration, one line per change with its symbol and reason,
// then the spec diff. On a terminal the symbols and diff lines are coloured (+ green, ~ yellow,
// -/+ magenta, - red); the caller decides whether colour is on (log.ts useColor).
import { ACTION_SYMBOL, RISK_TEXT, TARGET_LABEL, hasChanges, precheckFailed, type Action, type Change, type MigrationPlan, type Plan, type Risk } from '../../plan/change.js';
import { Flags } from '@oclif/core';
import { paint } from '../log.js';
import { renderPrecheckFailures } from './precheck-human.js';
import { formatCount, formatDuration } from './progress-format.js';

/** Said first and last when the precheck failed, so neither a skim of the top nor of the end misses it. */
export const PRECHECK_FAILED_BANNER = 'Precheck failed — this plan cannot be applied: mig apply refuses to run until the failed checks below pass.';
const PRECHECK_FAILED_END = 'Precheck failed — this plan cannot be applied (see the failed checks at the top).';

/** What a plan with nothing to change says; streaming is not a change, so it is not promised away. */
export const NO_CHANGES = 'No changes to the migrations: they match the recorded state and the live systems.';
const STREAMING_NOT_PLANNED = "Streaming is not part of a plan: the source's changes since each checkpoint are streamed by mig apply --until-caught-up or --follow, or by a runner (mig run).";

/**
 * Which spec diff a plan shows: the spec as written (fields at their defaults left out), the whole
 * normalised spec (--full-diff), or none (apply of a saved plan, reviewed when it was made).
 */
export type DiffShown = 'written' | 'full' | 'none';

/** plan's and apply's --full-diff. */
export const fullDiffFlag = Flags.boolean({ description: 'show the whole normalised spec in the diff, fields at their defaults included (by default the diff leaves them out)' });

export interface HumanPlanOptions {
  color?: boolean;
  diff?: DiffShown;
}

type Style = Parameters<typeof paint>[1];
const ACTION_STYLE: Record<Action, Style> = { create: 'green', update: 'yellow', replace: 'magenta', delete: 'red' };

function subject(c: Change): string {
  switch (c.kind) {
    case 'migration': return `migration ${c.migration}`;
    case 'table': return `table ${c.table} → ${TARGET_LABEL[c.into ?? 'topic']} ${c.topic}`;
    case 'target': return `${TARGET_LABEL[c.into]} ${c.target}`;
    case 'topic': return `topic ${c.topic} (${c.fromPartitions !== undefined ? `${c.fromPartitions} → ` : ''}${c.partitions} partition${c.partitions === 1 ? '' : 's'})`;
    case 'setting': return `setting ${c.field}`;
  }
}

/** What a long-running label adds: `~497,586 rows, about 10 s at 52,083 rows/s seen here`; undefined without an estimate. */
export function copyEstimateText(c: Change): string | undefined {
  const e = c.kind === 'table' ? c.estimate : undefined;
  if (!e) return undefined;
  const time = e.seconds !== undefined && e.rowsPerSecond !== undefined ? `, about ${formatDuration(e.seconds)} at ${formatCount(e.rowsPerSecond)} rows/s seen here` : '';
  return `~${formatCount(e.rows)} rows${time}`;
}

/** The labels a copy's size goes with: a long load, or a backfill (its size says how long the stream carries it). */
export const SIZED_RISKS: readonly Risk[] = ['long-running', 'backfill'];

/** `[re-snapshot, long-running: ~497,586 rows, about 10 s at 52,083 rows/s seen here]`. */
function risksText(c: Change): string {
  if (c.risks.length === 0) return '';
  const estimate = copyEstimateText(c);
  return `[${c.risks.map((r) => (SIZED_RISKS.includes(r) && estimate ? `${RISK_TEXT[r]}: ${estimate}` : RISK_TEXT[r])).join(', ')}]`;
}

/** The diff a migration shows, or '' for none. */
export function shownDiff(m: MigrationPlan, diff: DiffShown): string {
  if (diff === 'none') return '';
  return diff === 'full' ? m.specDiff : (m.writtenDiff ?? m.specDiff);
}

function diffLine(l: string, color: boolean): string {
  if (l.startsWith('+++') || l.startsWith('---')) return paint(color, 'bold', l);
  if (l.startsWith('@@')) return paint(color, 'cyan', l);
  if (l.startsWith('+')) return paint(color, 'green', l);
  if (l.startsWith('-')) return paint(color, 'red', l);
  return l;
}

export function renderPlanHuman(plan: Plan, opts: HumanPlanOptions = {}): string {
  const color = opts.color ?? false;
  const diff = opts.diff ?? 'written';
  const out: string[] = [];
  // The precheck a plan carries comes first: its failures, each with its fix, then its summary.
  if (plan.precheck) {
    if (precheckFailed(plan)) out.push(paint(color, ['red', 'bold'], PRECHECK_FAILED_BANNER));
    out.push(renderPrecheckFailures(plan.precheck), '');
  }
  for (const n of plan.notes) out.push(`${n.severity}: ${n.migration ? n.migration + ': ' : ''}${n.message}${n.hint ? ` (${n.hint})` : ''}`);
  if (plan.notes.length > 0) out.push('');
  if (!hasChanges(plan)) {
    if (precheckFailed(plan)) out.push(`No changes to the migrations. ${PRECHECK_FAILED_END}`);
    else out.push(NO_CHANGES, ...(plan.migrations.length > 0 ? [STREAMING_NOT_PLANNED] : []));
    return out.join('\n');
  }
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  let diffLeftOut = false;
  for (const m of plan.migrations) {
    if (m.changes.length === 0) continue;
    out.push(`migration ${m.name}${m.file ? ` (${m.file})` : ''}:`);
    for (const c of m.changes) {
      counts[c.action]++;
      const risks = risksText(c);
      out.push(`  ${paint(color, ACTION_STYLE[c.action], ACTION_SYMBOL[c.action].padStart(3))} ${subject(c)}${risks ? `  ${risks}` : ''}`);
      out.push(`        ${c.reason}`);
    }
    const text = shownDiff(m, diff);
    if (text) {
      out.push('');
      if (diff === 'written' && m.writtenDiff !== undefined && m.writtenDiff !== m.specDiff) out.push('  spec diff (fields at their defaults left out; --full-diff shows them):');
      out.push(...text.trimEnd().split('\n').map((l) => `  ${diffLine(l, color)}`));
    }
    if (diff === 'none' && m.specDiff) diffLeftOut = true;
    out.push('');
  }
  out.push(paint(color, 'bold', `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete.`));
  if (diffLeftOut) out.push('The spec diff was shown when this plan was made (mig plan); --full-diff prints the normalised spec diff.');
  if (plan.partial) out.push('Some facts could not be verified against the live systems (see the warnings above).');
  if (precheckFailed(plan)) out.push(paint(color, ['red', 'bold'], PRECHECK_FAILED_END));
  return out.join('\n');
}
