// Turns findings into a report: ignores applied, counts, the verdict apply acts on, and the
// error apply raises when it refuses to run.
import { MigError } from '../util/errors.js';
import { CHECKS } from '../model/precheck-catalog.js';
import type { Finding, MigrationPrecheck, Outcome, PrecheckReport } from './types.js';
import type { CheckId } from '../model/precheck-catalog.js';

/** A check's outcome with its catalog entry; a failure the spec accepts becomes `ignored`. */
export function toFinding(id: CheckId, outcome: Outcome, ignore: ReadonlySet<string>): Finding {
  const meta = CHECKS[id];
  const ignored = outcome.status === 'fail' && meta.ignorable && ignore.has(id);
  return { id, severity: meta.severity, ignorable: meta.ignorable, ...outcome, status: ignored ? 'ignored' : outcome.status };
}

export function isBlocking(f: Finding): boolean {
  return f.status === 'fail' && f.severity === 'error';
}

export function summarize(migrations: MigrationPrecheck[]): PrecheckReport {
  const all = migrations.flatMap((m) => m.findings);
  const count = (p: (f: Finding) => boolean) => all.filter(p).length;
  return {
    ok: !all.some(isBlocking),
    migrations,
    summary: {
      passed: count((f) => f.status === 'pass'),
      failed: count(isBlocking),
      warnings: count((f) => f.status === 'fail' && f.severity === 'warning'),
      ignored: count((f) => f.status === 'ignored'),
      skipped: count((f) => f.status === 'skipped'),
    },
  };
}

/** apply's refusal: every blocking finding with its fix, so the error alone says what to do. */
export function precheckFailedError(report: PrecheckReport): MigError {
  const lines = report.migrations.flatMap((m) => m.findings.filter(isBlocking).map((f) => `${m.migration}: ${f.id}: ${f.observed}\n    fix: ${f.fix}`));
  return new MigError(
    'precheck-failed',
    `the precheck failed; nothing was applied:\n  ${lines.join('\n  ')}`,
    'fix the items above and run mig precheck to confirm (warnings do not block; ignorable ones can be accepted in spec.precheck.ignore)',
  );
}
