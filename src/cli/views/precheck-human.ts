// The precheck for people: one line per check (✓ pass, ✗ error, ! warning, ~ ignored, - skipped)
// with what was observed, and under each failure why it matters and the exact fix.
import type { Finding, PrecheckReport } from '../../precheck/types.js';
import { formatCount } from './progress-format.js';

const ID_WIDTH = 30;

function symbol(f: Finding): string {
  switch (f.status) {
    case 'pass':
      return '✓';
    case 'fail':
      return f.severity === 'error' ? '✗' : '!';
    case 'ignored':
      return '~';
    case 'skipped':
      return '-';
  }
}

function findingLines(f: Finding): string[] {
  const head = `  ${symbol(f)} ${f.id.padEnd(ID_WIDTH)}`;
  if (f.status === 'skipped') return [`${head}skipped: ${f.message}`];
  if (f.status === 'ignored') return [`${head}ignored (spec.precheck.ignore): ${f.observed}`];
  if (f.status === 'pass') return [`${head}${f.observed}`];
  const lines = [`${head}${f.observed}`, `      expected: ${f.expected}`];
  if (f.message) lines.push(`      why: ${f.message}`);
  if (f.fix) lines.push(`      fix: ${f.fix}`);
  return lines;
}

export function summaryLine(report: PrecheckReport): string {
  const s = report.summary;
  const counts = `${formatCount(s.failed)} error(s), ${formatCount(s.warnings)} warning(s), ${formatCount(s.ignored)} ignored, ${formatCount(s.passed)} passed, ${formatCount(s.skipped)} skipped`;
  return report.ok ? `Precheck passed: ${counts}.` : `Precheck failed: ${counts}. mig apply refuses to run until the errors are fixed.`;
}

/** Every check of every migration (mig precheck). */
export function renderPrecheckHuman(report: PrecheckReport): string {
  const out: string[] = [];
  for (const m of report.migrations) {
    if (out.length > 0) out.push('');
    out.push(`Precheck of ${m.migration} (${m.file}):`);
    for (const f of m.findings) out.push(...findingLines(f));
  }
  if (report.migrations.length === 0) out.push('No migrations to check.');
  out.push('', summaryLine(report));
  return out.join('\n');
}

/** Only what needs attention, for plan and apply: failures, then one summary line. */
export function renderPrecheckFailures(report: PrecheckReport): string {
  const out: string[] = [];
  for (const m of report.migrations) {
    const failed = m.findings.filter((f) => f.status === 'fail');
    if (failed.length === 0) continue;
    out.push(`Precheck of ${m.migration}:`);
    for (const f of failed) out.push(...findingLines(f));
  }
  out.push(`${summaryLine(report)}${out.length > 0 ? ' (mig precheck shows every check)' : ''}`);
  return out.join('\n');
}
