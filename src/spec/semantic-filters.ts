// Table filters parsed at validate time with the parser apply uses, so a filter apply would refuse
// is reported before plan, and before apply has created any topic or table.
import { FILTER_FUNCTIONS } from './filter-ast.js';
import { parseFilter } from './filter-parse.js';
import type { Diagnostic } from '../util/errors.js';
import { formatPath, type DataPath } from './positions.js';
import type { SemanticCheck } from './semantic-at.js';

/**
 * Syntax and the supported subset only: whether the columns exist and compare sensibly needs the
 * source's table definitions, which the precheck reads.
 */
export const filterSyntax: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  m.migration.spec.objects.forEach((obj, i) =>
    (obj.tables ?? []).forEach((t, j) => {
      if (t.filter === undefined) return;
      const parsed = parseFilter(t.filter);
      if (parsed.ok) return;
      const path: DataPath = ['spec', 'objects', i, 'tables', j, 'filter'];
      const pos = m.locateWithin?.(path, parsed.offset) ?? m.locate(path);
      out.push({
        severity: 'error',
        code: 'filter-invalid',
        file: m.file,
        ...pos,
        path: formatPath(path),
        message: `filter of \`${obj.database}.${t.name}\` is not a supported condition: ${parsed.message} (at character ${parsed.offset + 1})`,
        fix: filterFix(parsed.message),
      });
    }),
  );
  return out;
};

/** Advice for the kind of problem; the parser's message already says what was found where. */
function filterFix(message: string): string {
  if (/subquer/.test(message)) {
    return 'a filter sees one row at a time: compare its columns with literal values, e.g. `id IN (1, 2, 3)`';
  }
  if (/function/.test(message)) {
    return `use only the supported functions (${FILTER_FUNCTIONS.join(', ')})`;
  }
  if (/statement/.test(message)) return 'write one condition, as after WHERE, without `;`';
  if (/incomplete|end of filter/.test(message)) return 'complete the condition, e.g. `status <> \'draft\'`';
  return 'write the condition in the supported MySQL WHERE subset (see `filter` under "A migration spec" in the README)';
}
