// Spec findings as `file:line:col: error[code] path: message` plus the fix, compiler-style.
import type { Diagnostic } from '../../util/errors.js';

export function renderDiagnostics(ds: readonly Diagnostic[]): string {
  const lines: string[] = [];
  for (const d of ds) {
    lines.push(`${d.file}:${d.line}:${d.col}: ${d.severity}[${d.code}] ${d.path ? d.path + ': ' : ''}${d.message}`);
    if (d.fix) lines.push(`    fix: ${d.fix}`);
  }
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  lines.push(`${errors} error(s), ${warnings} warning(s)`);
  return lines.join('\n');
}
