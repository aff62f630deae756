// The plan in the format asked for: human (the terminal), markdown (a pull-request comment), json.
import { renderPlanHuman } from './plan-human.js';
import { renderPlanMarkdown } from './plan-markdown.js';
import type { BaseSummary } from '../../plan/git-base.js';
import type { PlanView } from './plan-view.js';
import { hasErrors, precheckFailed } from '../../plan/change.js';

export const PLAN_FORMATS = ['human', 'markdown', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface RenderOptions {
  offline?: boolean;
  /** The normalised spec diff, every default included, rather than the spec as written. */
  fullDiff?: boolean;
  /** Human only: colour on (the command decides with log.ts useColor); markdown and JSON never are. */
  color?: boolean;
}

export function renderPlan(plan: PlanView, format: PlanFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      // What a gate asks first, at the top: whether apply would take this plan (no planner error, no
      // failed precheck; plan.precheck holds the checks themselves).
      return JSON.stringify({ applicable: !hasErrors(plan), precheckFailed: precheckFailed(plan), ...plan }, null, 2);
    case 'markdown':
      return renderPlanMarkdown(plan, { offline: opts.offline, fullDiff: opts.fullDiff });
    case 'human':
      return [...baseLinesHuman(plan.base), renderPlanHuman(plan, { color: opts.color, diff: opts.fullDiff ? 'full' : 'written' })].join('\n');
  }
}

function baseLinesHuman(base: BaseSummary | undefined): string[] {
  if (!base) return [];
  const names = Object.entries(base.migrations);
  const list = names.length > 0 ? names.map(([n, s]) => `${n} (${s})`).join(', ') : 'none';
  return [`Changed since ${base.ref} (merge base ${base.base.slice(0, 12)}): ${list}`, ''];
}
