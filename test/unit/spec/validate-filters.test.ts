// Filters are parsed at validate with apply's parser, and reported at the character that is wrong.
import { describe, expect, it } from 'vitest';
import { loadValid } from '../../../src/plan/make.js';
import { loadSpecs, parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import { SpecError, type Diagnostic } from '../../../src/util/errors.js';
import { edit, specDir, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';
const LINE = `          filter: "status <> 'draft'"`;
/** The filter's value starts in column 19 of line 24 (the quote, when it is quoted). */
const withFilter = (yaml: string) => edit(VALID, LINE, `          filter: ${yaml}`);

function filterErrors(text: string): Diagnostic[] {
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return runSemanticChecks(migrations).filter((d) => d.code === 'filter-invalid');
}

const cases: { name: string; yaml: string; at: string; message: RegExp; fix: RegExp }[] = [
  {
    name: 'an incomplete condition, at the closing quote',
    yaml: '"status <> "',
    at: '24:30',
    message: /expected an expression, found end of filter \(the condition is incomplete\)/,
    fix: /complete the condition/,
  },
  {
    name: 'a second statement, at the `;`',
    yaml: '1=1; DROP TABLE x',
    at: '24:22',
    message: /a filter is one condition: ';' would end it and start a second statement/,
    fix: /one condition, as after WHERE, without `;`/,
  },
  {
    name: 'a subquery, at SELECT',
    yaml: "'id IN (SELECT id FROM t)'",
    at: '24:27',
    message: /subqueries are not supported in filters/,
    fix: /one row at a time/,
  },
  {
    name: 'a function the evaluator does not have, listing those it has',
    yaml: 'SLEEP(5)',
    at: '24:19',
    message: /unknown function SLEEP: supported are ABS, .*YEAR/,
    fix: /use only the supported functions \(ABS, CHAR_LENGTH, .*YEAR\)/,
  },
  {
    name: 'a double-quoted filter with escapes before the problem',
    yaml: '"a = \\"x\\" AND ;"',
    at: '24:34',
    message: /';'/,
    fix: /without `;`/,
  },
  {
    name: "a single-quoted filter with '' before the problem",
    yaml: "'s = ''x'' AND SLEEP(1)'",
    at: '24:34',
    message: /SLEEP/,
    fix: /supported functions/,
  },
];

describe('filters at validate', () => {
  it.each(cases)('rejects $name', ({ yaml, at, message, fix }) => {
    const found = filterErrors(withFilter(yaml));
    expect(found).toHaveLength(1);
    const d = found[0]!;
    expect(`${d.line}:${d.col}`).toBe(at);
    expect(d).toMatchObject({ severity: 'error', file: FILE, path: 'spec.objects[0].tables[0].filter' });
    expect(d.message).toMatch(/^filter of `shop\.orders` is not a supported condition: /);
    expect(d.message).toMatch(message);
    expect(d.fix).toMatch(fix);
  });

  it('points at the start of a block scalar, whose lines are folded', () => {
    const found = filterErrors(withFilter('>-\n            status <>\n            AND SLEEP(1)'));
    expect(found.map((d) => `${d.line}:${d.col}`)).toEqual(['24:19']);
  });

  it('accepts the filters apply accepts', () => {
    for (const yaml of [
      `"status <> 'draft'"`,
      `"amount BETWEEN 10 AND 20 AND LOWER(name) LIKE 'a%'"`,
      `id IN (1, 2, 3) OR deleted_at IS NULL`,
      `"YEAR(created) >= 2020 -- a comment"`,
      `|\n            status = 'open'\n            AND amount > 0`,
    ]) {
      expect(filterErrors(withFilter(yaml))).toEqual([]);
    }
  });

  it('stops plan and apply before they connect: loadValid refuses', async () => {
    const { dir } = await specDir({ 'shop.yaml': withFilter('SLEEP(5)') });
    const { diagnostics } = await loadSpecs(dir);
    expect(diagnostics.map((d) => d.code)).toEqual(['filter-invalid']);
    await expect(loadValid(dir)).rejects.toBeInstanceOf(SpecError);
  });
});
