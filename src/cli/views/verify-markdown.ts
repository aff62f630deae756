// mig verify as a pull-request comment: a verdict line, one table row per migrated table, and the
// first differing keys of each table that differs, escaped so names from specs cannot break the table.
import type { VerifyReport } from '../../verify/index.js';
import { codeSpan, inline } from './markdown.js';
import { countsText, differenceText, methodText, summaryLine } from './verify-human.js';

const n = (x: number) => x.toLocaleString('en-US');

export function renderVerifyMarkdown(r: VerifyReport): string {
  const out: string[] = [`### mig verify: ${r.equal ? '✅ equal' : '❌ differences found'}`, ''];
  for (const m of r.migrations) {
    out.push(`**${inline(m.migration)}** (${inline(m.destination)})`, '');
    out.push('| Table | Destination | Result | Source rows | Destination rows | Compared by |', '|---|---|---|---:|---:|---|');
    for (const t of m.tables) {
      const result = t.status === 'equal' ? '✅ equal' : t.status === 'error' ? `⚠️ not verified: ${inline(t.error?.message ?? '', true)}` : `❌ ${countsText(t)}`;
      out.push(`| ${codeSpan(t.table, true)} | ${codeSpan(t.target, true)} | ${result} | ${n(t.sourceRows)} | ${n(t.destinationRows)} | ${inline(methodText(t), true)} |`);
    }
    out.push('');
    for (const t of m.tables.filter((x) => x.sample.length > 0)) {
      out.push(`<details><summary>${inline(t.table)}: first differences</summary>`, '');
      for (const d of t.sample) out.push(`- ${codeSpan(differenceText(d).replace(/\s+/g, ' '))}`);
      out.push('', '</details>', '');
    }
    for (const note of [...m.notes, ...m.tables.flatMap((t) => t.notes.map((x) => `${t.table}: ${x}`))]) out.push(`> ${inline(note)}`, '');
  }
  out.push(inline(summaryLine(r)));
  return out.join('\n');
}
