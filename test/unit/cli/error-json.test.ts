// How a command reports an error under --json: which output the raw arguments ask for (read before
// oclif parses them), and the one object an error becomes.
import { describe, expect, it } from 'vitest';
import { errorOutputOf } from '../../../src/cli/base.js';
import { errorJson } from '../../../src/cli/error-json.js';
import { MigError, SpecError, type Diagnostic } from '../../../src/util/errors.js';

describe('errorOutputOf', () => {
  it('is json when --json is among the arguments, wherever it stands before --', () => {
    expect(errorOutputOf(['--json'])).toBe('json');
    expect(errorOutputOf(['plan.json', '--auto-approve', '--json', '--log-format', 'json'])).toBe('json');
    expect(errorOutputOf(['--bogus', '--json'])).toBe('json');
  });

  it('ignores --json after --, where it is not mig flag', () => {
    expect(errorOutputOf(['--', '--json'])).toBe('text');
  });

  it('is a JSON log line for --log-format json, in either spelling', () => {
    expect(errorOutputOf(['--log-format', 'json'])).toBe('log-json');
    expect(errorOutputOf(['--log-format=json'])).toBe('log-json');
    expect(errorOutputOf(['--log-format', 'text'])).toBe('text');
    expect(errorOutputOf(['--log-format'])).toBe('text');
  });

  it('is text otherwise', () => {
    expect(errorOutputOf([])).toBe('text');
    expect(errorOutputOf(['--dir', 'json'])).toBe('text');
  });
});

const diag = (over: Partial<Diagnostic>): Diagnostic => ({ severity: 'error', code: 'yaml-syntax', file: 'migrations.d/a.yaml', line: 4, col: 9, path: '', message: 'missing ]', ...over });

describe('errorJson', () => {
  it('gives a MigError its code, message and fix', () => {
    expect(errorJson(new MigError('state-locked', 'the state is locked', 'wait for it'))).toEqual({ type: 'error', code: 'state-locked', message: 'the state is locked', fix: 'wait for it' });
  });

  it('says null when a MigError has no fix', () => {
    expect(errorJson(new MigError('not-locked', 'the state is not locked'))).toEqual({ type: 'error', code: 'not-locked', message: 'the state is not locked', fix: null });
  });

  it('places a spec error at its first error, listing every finding', () => {
    const warning = diag({ severity: 'warning', code: 'unused', line: 1, col: 1, message: 'unused' });
    const first = diag({ path: 'metadata.name', fix: 'close the list with ]' });
    const second = diag({ line: 12, col: 3, code: 'unknown-field', message: 'unknown field' });
    const e = errorJson(new SpecError([warning, first, second]));
    expect(e).toMatchObject({
      type: 'error',
      code: 'spec-invalid',
      message: 'migrations.d/a.yaml:4:9: metadata.name: missing ] (and 1 more error(s), see diagnostics)',
      fix: 'close the list with ]',
      file: 'migrations.d/a.yaml',
      line: 4,
      col: 9,
    });
    expect(e.diagnostics).toHaveLength(3);
  });

  it('reports anything else as a bug, without its stack', () => {
    const e = errorJson(new TypeError('x is undefined'));
    expect(e).toMatchObject({ type: 'error', code: 'internal', message: 'x is undefined' });
    expect(e.fix).toContain('bug in mig');
    expect(JSON.stringify(e)).not.toContain('at ');
  });

  it('redacts a password in the message', () => {
    const e = errorJson(new MigError('source-auth', 'cannot connect as mig (password=s3cret)', 'check password=s3cret'));
    expect(JSON.stringify(e)).not.toContain('s3cret');
  });
});
