// The DDL policy: how a table's `ddl`, its `operations` list and `spec.ddl` resolve, and the spec
// checks that refuse a contradiction and `ddl: replicate` where DDL cannot be replicated.
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import { ddlPolicyFor, ddlPolicyOf } from '../../../src/spec/ddl-policy.js';
import type { Diagnostic } from '../../../src/util/errors.js';
import { edit, TABLESTORE, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

function check(text: string): Diagnostic[] {
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return runSemanticChecks(migrations);
}

const short = (d: Diagnostic) => `${d.line}:${d.col} ${d.code} ${d.path}`;

describe('ddlPolicyOf', () => {
  it('is replicate by default (DTS), and spec.ddl sets the default', () => {
    expect(ddlPolicyOf({}, undefined)).toEqual({ policy: 'replicate', from: 'default' });
    expect(ddlPolicyOf({}, { name: 't' })).toEqual({ policy: 'replicate', from: 'default' });
    expect(ddlPolicyOf({ ddl: 'stop' }, { name: 't' })).toEqual({ policy: 'stop', from: 'spec.ddl' });
    expect(ddlPolicyOf({ ddl: 'ignore' }, undefined)).toEqual({ policy: 'ignore', from: 'spec.ddl' });
  });

  it("reads a table's operations the older way: with ddl replicate, without ignore, over spec.ddl", () => {
    expect(ddlPolicyOf({ ddl: 'stop' }, { name: 't', operations: ['insert'] }, 'spec.objects[0].tables[1]')).toEqual({ policy: 'ignore', from: 'spec.objects[0].tables[1].operations' });
    expect(ddlPolicyOf({ ddl: 'stop' }, { name: 't', operations: ['insert', 'ddl'] }).policy).toBe('replicate');
  });

  it("puts the table's own ddl first", () => {
    expect(ddlPolicyOf({ ddl: 'ignore' }, { name: 't', ddl: 'stop', operations: ['insert'] }, 'p')).toEqual({ policy: 'stop', from: 'p.ddl' });
  });

  it('finds a listed table by name; unlisted tables follow spec.ddl', () => {
    const spec = { ddl: 'ignore' as const, objects: [{ database: 'shop', tables: [{ name: 'orders', ddl: 'stop' as const }] }] };
    expect(ddlPolicyFor(spec as never, 'shop', 'orders')).toEqual({ policy: 'stop', from: 'spec.objects[0].tables[0].ddl' });
    expect(ddlPolicyFor(spec as never, 'shop', 'other')).toEqual({ policy: 'ignore', from: 'spec.ddl' });
    expect(ddlPolicyFor(spec as never, 'shop', undefined)).toEqual({ policy: 'ignore', from: 'spec.ddl' });
  });
});

describe('spec checks of the DDL policy', () => {
  it('accepts a policy that agrees with operations, and spec.ddl', () => {
    expect(check(edit(VALID, '          operations: [insert, update, delete]', '          operations: [insert, update, delete]\n          ddl: stop'))).toEqual([]);
    expect(check(edit(VALID, '  types: [schema, full, incremental]', '  types: [schema, full, incremental]\n  ddl: ignore'))).toEqual([]);
  });

  it('refuses ddl: replicate on a table whose operations leave ddl out, at file:line:col naming both fields and the fix', () => {
    const found = check(edit(VALID, '          operations: [insert, update, delete]', '          operations: [insert, update, delete]\n          ddl: replicate'));
    expect(found.map(short)).toEqual(['26:16 ddl-contradicts-operations spec.objects[0].tables[0].ddl']);
    expect(found[0]!.file).toBe(FILE);
    expect(found[0]!.message).toBe('`ddl: replicate` contradicts `operations` (line 25), which leaves ddl out and so ignores DDL on `shop.orders`');
    expect(found[0]!.fix).toBe('add ddl to operations, or remove `ddl: replicate` (or set ddl: ignore or stop)');
  });

  it('refuses ddl: ignore or stop on a table whose operations list ddl', () => {
    const found = check(edit(VALID, '          operations: [insert, update, delete]', '          operations: [insert, update, delete, ddl]\n          ddl: ignore'));
    expect(found.map(short)).toEqual(['26:16 ddl-contradicts-operations spec.objects[0].tables[0].ddl']);
    expect(found[0]!.message).toContain('`ddl: ignore` contradicts `operations` (line 25), which lists ddl and so replicates DDL');
    expect(found[0]!.fix).toContain('remove ddl from operations');
  });

  it('refuses ddl: replicate set explicitly at a Tablestore destination, and keeps its default', () => {
    expect(check(TABLESTORE)).toEqual([]);
    expect(check(`${TABLESTORE}          ddl: stop\n`)).toEqual([]);
    const found = check(`${TABLESTORE}          ddl: replicate\n`.replace('  objects:\n', '  ddl: replicate\n  objects:\n'));
    expect(found.map(short)).toEqual(['13:8 ddl-not-replicable spec.ddl', '20:16 ddl-not-replicable spec.objects[0].tables[0].ddl']);
    expect(found[0]!.message).toContain('`ddl: replicate` cannot be honoured: this destination is tablestore, and Tablestore has no DDL to run');
    expect(found[0]!.fix).toContain('remove this line (DDL is then reported, as DTS does)');
  });
});
