// mig verify for a person: per migration, each table equal or different with its counts and the
// first differing keys (and columns), then one line on the whole run and its exit code.
import type { Difference, TableReport, VerifyReport } from '../../verify/index.js';
import { EXIT_DIFFERENT, exitCodeOf } from '../../verify/index.js';

const n = (x: number) => x.toLocaleString('en-US');

/** A difference as one line: what, which key (or which keyless row), which columns. */
export function differenceText(d: Difference): string {
  const what = d.key !== null ? `key ${d.key}` : `row ${JSON.stringify(d.kind !== 'differing' ? (d.row ?? {}) : {})}`;
  if (d.kind === 'differing') return `differing ${what}: ${d.columns.join(', ')}`;
  return `${d.kind === 'missing' ? 'missing  ' : 'extra    '} ${what}`;
}

/** `1 missing, 2 extra, 3 differing` without the zero counts. */
export function countsText(t: TableReport): string {
  const parts = [[t.missing, 'missing'], [t.extra, 'extra'], [t.differing, 'differing']] as const;
  return parts.filter(([c]) => c > 0).map(([c, w]) => `${n(c)} ${w}`).join(', ');
}

/** How the table was compared, in words. */
export function methodText(t: TableReport): string {
  if (t.method === 'checksum') return `checksums of ${n(t.chunks ?? 0)} key-range chunk${t.chunks === 1 ? '' : 's'}`;
  return t.method === 'rows' ? 'row by row' : 'destination read back';
}

function tableLines(t: TableReport): string[] {
  const head = `${t.table} → ${t.target}`;
  if (t.status === 'error') return [`  ! ${head}: not verified: ${t.error?.message ?? 'unknown error'}`, ...(t.error?.fix ? [`      Fix: ${t.error.fix}`] : [])];
  const rows = `source ${n(t.sourceRows)} rows, destination ${n(t.destinationRows)}`;
  const settled = t.settled ? `; ${n(t.settled)} settled once the migration caught up` : '';
  if (t.status === 'equal') return [`  ✓ ${head}: equal (${rows}; ${methodText(t)}${settled})`, ...t.notes.map((x) => `      note: ${x}`)];
  const shown = t.sample.map((d) => `      ${differenceText(d)}`);
  const total = t.missing + t.extra + t.differing;
  const more = total > t.sample.length ? [`      … and ${n(total - t.sample.length)} more`] : [];
  return [`  ✗ ${head}: different: ${countsText(t)} (${rows}; ${methodText(t)}${settled})`, ...shown, ...more, ...t.notes.map((x) => `      note: ${x}`)];
}

export function renderVerifyHuman(r: VerifyReport): string {
  const lines: string[] = [];
  for (const m of r.migrations) {
    lines.push(`${m.migration} (${m.destination}):`);
    for (const t of m.tables) lines.push(...tableLines(t));
    for (const note of m.notes) lines.push(`  note: ${note}`);
    lines.push('');
  }
  lines.push(summaryLine(r));
  return lines.join('\n');
}

/** The run in one sentence, with the exit code it ends with. */
export function summaryLine(r: VerifyReport): string {
  const tables = r.migrations.flatMap((m) => m.tables);
  const different = tables.filter((t) => t.status === 'different').length;
  const errors = tables.filter((t) => t.status === 'error').length;
  const code = exitCodeOf(r);
  const secs = `${r.seconds.toFixed(1)} s`;
  if (errors > 0) return `${n(errors)} of ${n(tables.length)} tables could not be verified${different > 0 ? `, ${n(different)} differ` : ''} (${secs}; exit ${code}).`;
  if (code === EXIT_DIFFERENT) return `Differences found in ${n(different)} of ${n(tables.length)} tables (${secs}; exit ${code}).`;
  return `All ${n(tables.length)} tables equal (${secs}).`;
}
