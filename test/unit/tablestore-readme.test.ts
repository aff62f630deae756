// The README's Tablestore type table is documentation users act on: it must say what mig does,
// so it is compared row by row with DEFAULT_TYPE_MAP, the rules the writer applies.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TYPE_MAP } from '../../src/connectors/sinks/tablestore/index.js';

const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The rows of the table that follows the `| MySQL | attribute | key | notes |` header. */
function readmeRows(): string[][] {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| MySQL | attribute | key | notes |'));
  expect(start, 'README has the Tablestore type table').toBeGreaterThan(0);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.slice(1, -1).split(' | ').map((c) => c.trim()));
  }
  return rows;
}

describe('README Tablestore type mapping', () => {
  it('lists DEFAULT_TYPE_MAP rule by rule, in order', () => {
    const want = DEFAULT_TYPE_MAP.map((r) => [r.mysql, r.attribute, r.key ?? '—', r.note]);
    expect(readmeRows()).toEqual(want);
  });
});
