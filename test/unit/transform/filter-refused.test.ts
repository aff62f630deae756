// Filters `mig validate` must refuse, as the parser apply uses reports them: what and where.
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../src/transform/filter-parse.js';

describe('filters apply would refuse', () => {
  const cases: [string, string, number][] = [
    ['status <> ', 'expected an expression, found end of filter (the condition is incomplete)', 10],
    ['1=1; DROP TABLE x', "a filter is one condition: ';' would end it and start a second statement", 3],
    ['a = 1;', "';' would end it", 5],
    ['id IN (SELECT id FROM t)', 'subqueries are not supported in filters', 7],
    ['EXISTS (SELECT 1)', 'subqueries are not supported in filters', 0],
    ['SLEEP(5)', 'unknown function SLEEP: supported are ABS, CHARACTER_LENGTH, CHAR_LENGTH, COALESCE', 0],
    ['a = BENCHMARK(1, 1)', 'unknown function BENCHMARK', 4],
  ];
  it.each(cases)('%s', (text, message, offset) => {
    const r = parseFilter(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(message);
    expect(r.offset).toBe(offset);
  });

  it('reads a `;` inside a string literal as a character', () => {
    expect(parseFilter("note = 'a; b'").ok).toBe(true);
  });
});
