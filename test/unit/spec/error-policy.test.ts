// The poison-event policy in the spec: which policy a table runs with (its own, the migration's, an
// older alias, block), and validate's rules on the dead-letter target and contradicting aliases.
import { describe, expect, it } from 'vitest';
import { parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import { migrationOnError, tableOnError, usesDeadLetters } from '../../../src/spec/error-policy.js';
import type { Diagnostic } from '../../../src/util/errors.js';
import { edit, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

function load(text: string) {
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return migrations;
}

const withSpec = (lines: string, dest = '') =>
  edit(edit(VALID, '  types: [schema, full, incremental]', `  types: [schema, full, incremental]\n${lines}`), '    format: canal-json', `    format: canal-json${dest}`);
const findings = (text: string): string[] =>
  runSemanticChecks(load(text)).filter((d: Diagnostic) => /dead-letter|on-error/.test(d.code)).map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path}`);

describe('onError', () => {
  it('a table runs with its own policy, else the migration\'s, else the alias, else block', () => {
    const [plain] = load(VALID);
    expect(migrationOnError(plain!.migration)).toBe('block');
    const [aliased] = load(withSpec('', '\n    oversizedRow: skip'));
    expect(migrationOnError(aliased!.migration)).toBe('skip');
    const [both] = load(edit(withSpec('  onError: dead-letter'), '        - name: customers', '        - name: customers\n          onError: block'));
    const m = both!.migration;
    const [orders, customers] = m.spec.objects[0]!.tables!;
    expect([tableOnError(m, orders), tableOnError(m, customers)]).toEqual(['dead-letter', 'block']);
    expect(usesDeadLetters(m)).toBe(true);
    expect(usesDeadLetters(plain!.migration)).toBe(false);
  });

  it('refuses a dead-letter table on Kafka, at the field, with the fix', () => {
    const text = withSpec('  onError: dead-letter\n  deadLetter: { table: letters }');
    expect(findings(text)).toEqual(['19:24 error dead-letter-target spec.deadLetter.table']);
    const d = runSemanticChecks(load(text)).find((x) => x.code === 'dead-letter-target')!;
    expect(d.message).toBe('deadLetter.table does not apply to a kafka destination: its dead letters go to a topic');
    expect(d.fix).toBe('write deadLetter.topic instead (or leave deadLetter out for the default)');
  });

  it('warns about a deadLetter nothing writes to', () => {
    expect(findings(withSpec('  deadLetter: { topic: letters }'))).toEqual(['18:15 warning dead-letter-unused spec.deadLetter']);
  });

  it('refuses an alias that contradicts onError, at the alias', () => {
    const text = withSpec('  onError: dead-letter', '\n    oversizedRow: fail');
    expect(findings(text)).toEqual(['17:19 error on-error-conflict spec.destination.oversizedRow']);
    expect(findings(withSpec('  onError: skip', '\n    oversizedRow: skip'))).toEqual([]);
  });
});
