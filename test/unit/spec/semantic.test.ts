// Checks across fields and files: duplicates, and partitions that would have no effect.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecs, parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks, SEMANTIC_CHECKS, topicPartitionCounts, type SemanticCheck } from '../../../src/spec/semantic.js';
import type { Diagnostic } from '../../../src/util/errors.js';
import { edit, specDir, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

function check(text: string): Diagnostic[] {
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return runSemanticChecks(migrations);
}

const short = (d: Diagnostic) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path}`;

describe('semantic checks', () => {
  it('finds nothing in the reference spec', () => {
    expect(check(VALID)).toEqual([]);
  });

  it('reports a duplicate name across two files at the second one, naming the first', async () => {
    const { dir } = await specDir({
      'a.yaml': VALID,
      'b.yaml': edit(VALID, '  name: shop-to-kafka', '  name: Shop-To-Kafka'),
    });
    const { migrations, diagnostics } = await loadSpecs(dir);
    expect(migrations).toHaveLength(2);
    expect(diagnostics.map((d) => `${path.basename(d.file)}:${d.line}:${d.col} ${d.code} ${d.path}`)).toEqual([
      'b.yaml:4:9 duplicate-name metadata.name',
    ]);
    expect(diagnostics[0].message).toContain(`${path.join(dir, 'a.yaml')}:4`);
  });

  it('reports a duplicate name between two documents of one file', async () => {
    const { dir } = await specDir({ 'both.yaml': `${VALID}---\n${VALID}` });
    const { migrations, diagnostics } = await loadSpecs(dir);
    expect(migrations.map((m) => m.docIndex)).toEqual([0, 1]);
    expect(diagnostics.map(short)).toEqual(['31:9 error duplicate-name metadata.name']);
  });

  it('reports a database listed twice', () => {
    const text = `${VALID}    - database: shop\n`;
    expect(check(text).map(short)).toEqual(['27:17 error duplicate-database spec.objects[1].database']);
  });

  it('reports a table listed twice, but not the same table name in two databases', () => {
    const text = `${VALID}        - name: orders\n    - database: archive\n      tables:\n        - name: orders\n`;
    expect(check(text).map(short)).toEqual(['27:17 error duplicate-table spec.objects[0].tables[2].name']);
  });

  it('reports repeated types and operations', () => {
    let text = edit(VALID, '  types: [schema, full, incremental]', '  types: [full, full]');
    text = edit(text, '          operations: [insert, update, delete]', '          operations: [insert, delete, insert]');
    expect(check(text).map(short)).toEqual([
      '17:17 error duplicate-type spec.types[1]',
      '25:40 error duplicate-operation spec.objects[0].tables[0].operations[2]',
    ]);
  });

  it('warns when a table without its own topic sets a different partition count', () => {
    const text = `${VALID}          partitions: 6\n`;
    const found = check(text);
    expect(found.map(short)).toEqual(['27:23 warning partitions-ignored spec.objects[0].tables[1].partitions']);
    expect(found[0].message).toContain('spec.destination.partitions (1)');
  });

  it('accepts a table without its own topic restating the default partition count', () => {
    expect(check(`${VALID}          partitions: 1\n`)).toEqual([]);
  });

  it('warns when two tables share a topic with different partition counts', () => {
    const text = `${VALID}          topic: shop.orders\n`;
    const found = check(text);
    expect(found.map(short)).toEqual(['27:18 warning partitions-conflict spec.objects[0].tables[1].topic']);
    expect(found[0].message).toMatch(/gets 1 partition\(s\) here but 3 from spec\.objects\[0\]\.tables\[0\]; .* larger count, 3/);
  });

  it('warns when a table names the default topic with another count', () => {
    const text = edit(VALID, '          topic: shop.orders', '          topic: shop');
    expect(check(text).map(short)).toEqual(['23:23 warning partitions-conflict spec.objects[0].tables[0].partitions']);
  });

  it('computes topic partition counts by the documented rule', () => {
    let text = `${VALID}          partitions: 6\n`; // no own topic: ignored
    text += '        - name: refunds\n          topic: shop.orders\n          partitions: 5\n'; // shared: largest wins
    const { migrations } = parseSpecText(text, FILE);
    expect([...topicPartitionCounts(migrations[0].migration.spec)]).toEqual([
      ['shop', 1],
      ['shop.orders', 5],
    ]);
  });

  it('warns about a reference in a field that is not resolved', () => {
    const text = edit(VALID, '    host: 127.0.0.1', '    host: ${env:DB_HOST}');
    expect(check(text).map(short)).toEqual(['8:11 warning reference-not-resolved spec.source.host']);
  });

  it('lets callers add their own checks', async () => {
    const noDdl: SemanticCheck = (m) =>
      m.migration.spec.objects.length > 0
        ? [{ severity: 'warning', code: 'custom', file: m.file, ...m.locate(['spec', 'objects']), path: 'spec.objects', message: 'x' }]
        : [];
    const { dir } = await specDir({ 'a.yaml': VALID });
    const { diagnostics } = await loadSpecs(dir, { checks: [...SEMANTIC_CHECKS, noDdl] });
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['19:5 custom']);
  });
});
