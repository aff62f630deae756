// The retry-window rule (other issues retried for less time than failed connections) and empty
// spec files, which warn instead of passing in silence.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors, loadSpecs, parseSpecText } from '../../../src/spec/load.js';
import { runSemanticChecks } from '../../../src/spec/semantic.js';
import type { Diagnostic } from '../../../src/util/errors.js';
import { edit, specDir, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';

function retryFindings(retry: string): Diagnostic[] {
  const text = edit(VALID, '  types: [schema, full, incremental]', `  types: [schema, full, incremental]\n  retry:\n${retry}`);
  const { migrations, diagnostics } = parseSpecText(text, FILE);
  expect(diagnostics).toEqual([]);
  return runSemanticChecks(migrations).filter((d) => d.path.startsWith('spec.retry'));
}

const short = (d: Diagnostic) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.path}`;

describe('retry windows', () => {
  it('rejects otherMinutes not below connectionMinutes, at otherMinutes, with the fix', () => {
    const found = retryFindings('    connectionMinutes: 30\n    otherMinutes: 30');
    expect(found.map(short)).toEqual(['20:19 error retry-window-order spec.retry.otherMinutes']);
    expect(found[0]!.message).toBe(
      'spec.retry.otherMinutes (30) must be less than spec.retry.connectionMinutes (30): the retry time for other issues must be less than the retry time for failed connections',
    );
    expect(found[0]!.fix).toBe('set otherMinutes to at most 29, or raise connectionMinutes above 30');
  });

  it('compares with the default connection window when connectionMinutes is left out', () => {
    const found = retryFindings('    otherMinutes: 1000');
    expect(found.map(short)).toEqual(['19:19 error retry-window-order spec.retry.otherMinutes']);
    expect(found[0]!.message).toContain('the default retry time for failed connections (720 minutes)');
    expect(retryFindings('    otherMinutes: 719')).toEqual([]);
  });

  it('does not offer raising connectionMinutes past its maximum', () => {
    const found = retryFindings('    connectionMinutes: 1440\n    otherMinutes: 1440');
    expect(found[0]!.fix).toBe('set otherMinutes to at most 1439');
  });

  it('accepts otherMinutes below the window, and connectionMinutes alone (the other window then defaults below it)', () => {
    expect(retryFindings('    connectionMinutes: 30\n    otherMinutes: 29')).toEqual([]);
    expect(retryFindings('    connectionMinutes: 10')).toEqual([]);
  });
});

describe('empty spec files', () => {
  it('warns at 1:1 for an empty file, one with only whitespace, only comments or only ---', async () => {
    const { dir } = await specDir({
      'a.yaml': '',
      'b.yaml': '  \n\n',
      'c.yaml': '# a spec will go here\n',
      'd.yaml': '---\n---\n',
      'shop.yaml': VALID,
    });
    const { migrations, diagnostics } = await loadSpecs(dir);
    expect(migrations).toHaveLength(1);
    expect(diagnostics.map((d) => `${path.basename(d.file)}:${d.line}:${d.col} ${d.severity} ${d.code}`)).toEqual([
      'a.yaml:1:1 warning empty-spec-file',
      'b.yaml:1:1 warning empty-spec-file',
      'c.yaml:1:1 warning empty-spec-file',
      'd.yaml:1:1 warning empty-spec-file',
    ]);
    expect(diagnostics[0]!.fix).toBe('delete the file or add a Migration document');
    expect(hasErrors(diagnostics)).toBe(false);
  });

  it('does not warn about a file whose empty documents sit beside a migration, or one with a YAML error', async () => {
    const { dir } = await specDir({ 'a.yaml': `---\n# header\n---\n${VALID}`, 'b.yaml': 'key: [unclosed\n' });
    const { diagnostics } = await loadSpecs(dir);
    expect(diagnostics.map((d) => `${path.basename(d.file)} ${d.code}`)).toEqual(['b.yaml yaml-syntax']);
  });
});
