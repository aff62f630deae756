// Every kind of spec mistake, with the exact place it is reported at and the advice given.
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecs, parseSpecText } from '../../../src/spec/load.js';
import { edit, FIXTURES, specDir, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

interface Case {
  name: string;
  text: string;
  at: string; // line:col
  code: string;
  path: string;
  message?: RegExp;
  fix?: RegExp;
}

const cases: Case[] = [
  {
    name: 'unknown field deep in a table, pointing at the key',
    text: edit(VALID, `          filter: "status <> 'draft'"`, `          fliter: "status <> 'draft'"`),
    at: '24:11',
    code: 'unknown-field',
    path: 'spec.objects[0].tables[0].fliter',
    message: /unknown field `fliter` in `spec\.objects\[0\]\.tables\[0\]`/,
    fix: /did you mean `filter`\?/,
  },
  {
    name: 'unknown top-level field without a close match lists the allowed fields',
    text: `${VALID}zzz: 1\n`,
    at: '27:1',
    code: 'unknown-field',
    path: 'zzz',
    message: /at the top level/,
    fix: /`apiVersion`, `kind`, `metadata`, `spec`/,
  },
  {
    name: "typo'd enum value",
    text: edit(VALID, '    type: mysql', '    type: mysqll'),
    at: '7:11',
    code: 'invalid-value',
    path: 'spec.source.type',
    message: /`mysqll`, which is not an allowed value/,
    fix: /did you mean `mysql`\? allowed values: `mysql`, `mariadb`, `polardb-mysql`, `polardb-x`/,
  },
  {
    name: "typo'd entry of a flow list",
    text: edit(VALID, '  types: [schema, full, incremental]', '  types: [schema, full, incremantal]'),
    at: '17:25',
    code: 'invalid-value',
    path: 'spec.types[2]',
    fix: /did you mean `incremental`\?/,
  },
  {
    name: 'literal with a single allowed value',
    text: edit(VALID, 'apiVersion: mig/v1', 'apiVersion: mig/v2'),
    at: '1:13',
    code: 'invalid-value',
    path: 'apiVersion',
    message: /must be `mig\/v1`, not `mig\/v2`/,
    fix: /apiVersion: mig\/v1/,
  },
  {
    name: 'missing required field points at the parent map',
    text: edit(VALID, '    host: 127.0.0.1', null),
    at: '7:5',
    code: 'missing-field',
    path: 'spec.source.host',
    message: /`spec\.source` is missing the required field `host`/,
  },
  {
    name: 'missing table name points at the table entry',
    text: edit(VALID, '        - name: customers', '        - filter: "id > 1"'),
    at: '26:11',
    code: 'missing-field',
    path: 'spec.objects[0].tables[1].name',
  },
  {
    name: 'quoted number',
    text: edit(VALID, '    port: 3307', '    port: "3307"'),
    at: '9:11',
    code: 'invalid-type',
    path: 'spec.source.port',
    message: /must be a number, but it is text/,
    fix: /remove the quotes/,
  },
  {
    name: 'scalar where a list belongs',
    text: edit(VALID, '          operations: [insert, update, delete]', '          operations: insert'),
    at: '25:23',
    code: 'invalid-type',
    path: 'spec.objects[0].tables[0].operations',
    fix: /write a list/,
  },
  {
    name: 'number out of range',
    text: edit(VALID, '          partitions: 3', '          partitions: 0'),
    at: '23:23',
    code: 'invalid-value',
    path: 'spec.objects[0].tables[0].partitions',
    message: /must be at least 1/,
  },
  {
    name: 'empty list',
    text: edit(VALID, '    brokers: ["127.0.0.1:19092"]', '    brokers: []'),
    at: '14:14',
    code: 'invalid-value',
    path: 'spec.destination.brokers',
    message: /must list at least 1 item/,
  },
  {
    name: 'key without a value',
    text: edit(VALID, '    topic: shop', '    topic:'),
    at: '15:11',
    code: 'invalid-type',
    path: 'spec.destination.topic',
    message: /has no value/,
  },
  {
    name: 'literal password',
    text: edit(VALID, '    password: ${env:SHOP_DB_PASSWORD}', '    password: hunter2-Sup3r'),
    at: '11:15',
    code: 'literal-secret',
    path: 'spec.source.password',
    fix: /\$\{env:NAME\}/,
  },
  {
    name: 'numeric literal password',
    text: edit(VALID, '    password: ${env:SHOP_DB_PASSWORD}', '    password: 8675309'),
    at: '11:15',
    code: 'literal-secret',
    path: 'spec.source.password',
  },
  {
    name: 'bad migration name, with a repaired suggestion',
    text: edit(VALID, '  name: shop-to-kafka', '  name: shop to kafka'),
    at: '4:9',
    code: 'invalid-value',
    path: 'metadata.name',
    message: /letters, digits or '-'/,
    fix: /`shop-to-kafka`/,
  },
  {
    name: 'bad topic name',
    text: edit(VALID, '          topic: shop.orders', '          topic: shop/orders'),
    at: '22:18',
    code: 'invalid-value',
    path: 'spec.objects[0].tables[0].topic',
    fix: /`shop-orders`/,
  },
  {
    name: 'YAML syntax error, at the bracket that is never closed',
    text: edit(VALID, '    brokers: ["127.0.0.1:19092"]', '    brokers: ["127.0.0.1:19092"'),
    at: '14:14',
    code: 'yaml-syntax',
    path: '',
    message: /`\[` opened here is never closed/,
  },
  {
    name: 'tab indentation',
    text: edit(VALID, '    user: root', '\tuser: root'),
    at: '10:1',
    code: 'yaml-syntax',
    path: '',
    fix: /spaces/,
  },
  {
    name: 'duplicate key',
    text: edit(VALID, '    port: 3307', '    port: 3307\n    port: 3308'),
    at: '10:5',
    code: 'duplicate-key',
    path: 'spec.source.port',
  },
  {
    name: 'a document that is not a mapping',
    text: '- just\n- a list\n',
    at: '1:1',
    code: 'invalid-type',
    path: '',
    message: /must be a mapping of fields, but it is a list/,
  },
];

describe('validation diagnostics', () => {
  it.each(cases)('$name', ({ text, at, code, path: p, message, fix }) => {
    const { migrations, diagnostics } = parseSpecText(text, FILE);
    expect(migrations).toEqual([]);
    expect(diagnostics.length).toBeGreaterThan(0);
    const [d] = diagnostics;
    expect({ at: `${d.line}:${d.col}`, code: d.code, path: d.path, file: d.file, severity: d.severity }).toEqual({
      at,
      code,
      path: p,
      file: FILE,
      severity: 'error',
    });
    if (message) expect(d.message).toMatch(message);
    if (fix) expect(d.fix).toMatch(fix);
  });

  it('accepts the reference spec with no findings, defaults applied', () => {
    const { migrations, diagnostics } = parseSpecText(VALID, FILE);
    expect(diagnostics).toEqual([]);
    expect(migrations).toHaveLength(1);
    const [m] = migrations;
    expect({ file: m.file, docIndex: m.docIndex, line: m.line }).toEqual({ file: FILE, docIndex: 0, line: 1 });
    expect(m.migration.spec.destination.partitions).toBe(1);
    expect(m.migration.spec.full.chunkSize).toBe(5000);
    expect(m.locate(['spec', 'objects', 0, 'tables', 1, 'name'])).toEqual({ line: 26, col: 17 });
  });

  it('never repeats a literal secret, in any diagnostic field', () => {
    const secret = 'hunter2-Sup3r';
    const text = edit(VALID, '    password: ${env:SHOP_DB_PASSWORD}', `    password: ${secret}`);
    const { diagnostics } = parseSpecText(text, FILE);
    expect(diagnostics).toHaveLength(1);
    expect(JSON.stringify(diagnostics)).not.toContain(secret);
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
  });

  it('reports every error of a file, in order', () => {
    let text = VALID;
    text = edit(text, '  name: shop-to-kafka', '  name: shop_to_kafka');
    text = edit(text, '    type: mysql', '    type: postgres');
    text = edit(text, '    password: ${env:SHOP_DB_PASSWORD}', '    password: s3cret!');
    text = edit(text, '    format: canal-json', '    format: avro');
    text = edit(text, '          partitions: 3', '          partitons: 3');
    text = edit(text, '        - name: customers', '        - name: ""');
    const { diagnostics } = parseSpecText(text, FILE);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.path}`).sort(byLine)).toEqual([
      '4:9 invalid-value metadata.name',
      '7:11 invalid-value spec.source.type',
      '11:15 literal-secret spec.source.password',
      '16:13 invalid-value spec.destination.format',
      '23:11 unknown-field spec.objects[0].tables[0].partitons',
      '26:17 invalid-value spec.objects[0].tables[1].name',
    ]);
  });

  it('reports every file of a directory, sorted by file then position', async () => {
    const { dir } = await specDir({
      'b.yaml': edit(VALID, '    type: mysql', '    type: oracle'),
      'a.yml': edit(edit(VALID, '  name: shop-to-kafka', '  name: a'), '    port: 3307', '    port: x'),
      'notes.txt': 'not a spec',
    });
    const { migrations, diagnostics } = await loadSpecs(dir);
    expect(migrations).toEqual([]);
    expect(diagnostics.map((d) => `${path.basename(d.file)}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'a.yml:9:11 invalid-type',
      'b.yaml:7:11 invalid-value',
    ]);
  });

  it('validates the other documents of a file when one has a syntax error', () => {
    const second = edit(VALID, '  name: shop-to-kafka', '  name: second');
    const text = `${VALID}---\nkey: [unclosed\n---\n${second}`;
    const { migrations, diagnostics } = parseSpecText(text, FILE);
    expect(migrations.map((m) => [m.migration.metadata.name, m.docIndex, m.line])).toEqual([
      ['shop-to-kafka', 0, 1],
      ['second', 2, 30],
    ]);
    expect(diagnostics.map((d) => d.code)).toEqual(['yaml-syntax']);
    expect(diagnostics[0].line).toBeGreaterThanOrEqual(28);
  });

  it('skips empty documents: comments only, or a trailing ---', () => {
    const text = `---\n# nothing but a comment\n---\n${VALID}---\n`;
    const { migrations, diagnostics } = parseSpecText(text, FILE);
    expect(diagnostics).toEqual([]);
    expect(migrations.map((m) => [m.docIndex, m.line])).toEqual([[1, 4]]);
    expect(parseSpecText('', FILE)).toEqual({ migrations: [], diagnostics: [] });
  });

  it('reports an alias to an unknown anchor as a YAML problem', () => {
    const { diagnostics } = parseSpecText(edit(VALID, '    user: root', '    user: *admin'), FILE);
    expect(diagnostics.map((d) => d.code)).toEqual(['yaml-syntax']);
  });

  it('reports a dangling symlink as unreadable', async () => {
    const { dir } = await specDir({ 'a.yaml': VALID });
    await symlink(path.join(dir, 'gone.yaml'), path.join(dir, 'b.yaml'));
    const { migrations, diagnostics } = await loadSpecs(dir);
    expect(migrations).toHaveLength(1);
    expect(diagnostics.map((d) => `${path.basename(d.file)}:${d.line}:${d.col} ${d.code}`)).toEqual(['b.yaml:1:1 file-unreadable']);
  });

  it('keeps the file name as given, relative', async () => {
    const { dir } = await specDir({ 'shop.yaml': edit(VALID, '    type: mysql', '    type: x') });
    const rel = path.relative(process.cwd(), dir);
    const { diagnostics } = await loadSpecs(rel);
    expect(diagnostics[0].file).toBe(path.join(rel, 'shop.yaml'));
  });

  it('loads the committed fixture', async () => {
    const { migrations, diagnostics } = await loadSpecs(path.join(FIXTURES, 'valid'));
    expect(diagnostics).toEqual([]);
    expect(migrations.map((m) => m.migration.metadata.name)).toEqual(['shop-to-kafka']);
  });

  it('fails with a clear error when the directory does not exist', async () => {
    await expect(loadSpecs(path.join(FIXTURES, 'nope'))).rejects.toMatchObject({ code: 'spec-dir-missing' });
  });
});

function byLine(a: string, b: string): number {
  return Number(a.split(':')[0]) - Number(b.split(':')[0]);
}
