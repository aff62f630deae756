// What a plan may carry besides its changes, for the views: the migrations changed since a git base
// (--base) and precheck results. Each view shows what is there and nothing when it is absent.
import type { Plan } from '../../plan/change.js';
import type { BaseSummary } from '../../plan/git-base.js';

/** One precheck finding as a view shows it, whichever shape the plan carried it in. */
export interface PrecheckResultView {
  id: string;
  severity: string;
  status: 'pass' | 'fail' | 'skipped' | 'ignored';
  observed?: unknown;
  message: string;
  fix?: string;
  migration?: string;
}

export type PlanView = Plan & { base?: BaseSummary };

/**
 * The precheck results a plan carries, or none. Read by shape rather than through the Plan type, so a
 * plan file from a version without prechecks still renders: either the precheck report
 * (`migrations[].findings[]`) or a flat `results[]` list.
 */
export function precheckResults(plan: Plan): PrecheckResultView[] {
  const pc = (plan as unknown as { precheck?: unknown }).precheck;
  if (typeof pc !== 'object' || pc === null) return [];
  const { results, migrations } = pc as { results?: unknown; migrations?: unknown };
  const found: PrecheckResultView[] = [];
  if (Array.isArray(results)) for (const r of results) pushResult(found, r, undefined);
  if (Array.isArray(migrations)) {
    for (const m of migrations) {
      if (typeof m !== 'object' || m === null) continue;
      const { migration, findings } = m as { migration?: unknown; findings?: unknown };
      if (Array.isArray(findings)) for (const r of findings) pushResult(found, r, typeof migration === 'string' ? migration : undefined);
    }
  }
  return found;
}

const STATUSES: readonly string[] = ['pass', 'fail', 'skipped', 'ignored'];

function pushResult(out: PrecheckResultView[], r: unknown, migration: string | undefined): void {
  if (typeof r !== 'object' || r === null) return;
  const x = r as Record<string, unknown>;
  if (typeof x.id !== 'string' || typeof x.status !== 'string' || !STATUSES.includes(x.status)) return;
  out.push({
    id: x.id,
    severity: String(x.severity ?? ''),
    status: x.status as PrecheckResultView['status'],
    observed: x.observed,
    message: String(x.message ?? ''),
    fix: x.fix === undefined || x.fix === null ? undefined : String(x.fix),
    migration: typeof x.migration === 'string' ? x.migration : migration,
  });
}

/** A skipped check that would have run had the source or Kafka answered (rather than one not needed). */
export function notVerified(r: PrecheckResultView): boolean {
  return r.status === 'skipped' && /^(not checked|cannot tell)\b/.test(r.message);
}

/** The plan with the migrations changed since the base; unchanged when there is no base. */
export function withBase<P extends Plan>(plan: P, base: BaseSummary | undefined): P & { base?: BaseSummary } {
  return base ? { ...plan, base } : plan;
}
