// mig.config.yaml: validated strictly with file:line:col diagnostics; a literal password is refused.
import { describe, expect, it } from 'vitest';
import { parseProjectConfig, ProjectConfigError } from '../../../src/config/project.js';
import type { Diagnostic } from '../../../src/util/errors.js';

const FILE = 'mig.config.yaml';

function diagnostics(text: string): Diagnostic[] {
  try {
    parseProjectConfig(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ProjectConfigError);
    return (err as ProjectConfigError).diagnostics;
  }
  throw new Error('expected a ProjectConfigError');
}

describe('parseProjectConfig', () => {
  it('accepts an empty file and a file without a state section', () => {
    expect(parseProjectConfig('', FILE)).toEqual({});
    expect(parseProjectConfig('# nothing yet\n', FILE)).toEqual({});
  });

  it('reads a file backend', () => {
    expect(parseProjectConfig('state:\n  backend: file\n  path: state/mig.json\n', FILE)).toEqual({
      state: { backend: 'file', path: 'state/mig.json' },
    });
  });

  it('reads a mysql backend with a secret reference, table and name', () => {
    const text = 'state: { backend: mysql, url: "${env:MIG_STATE_URL}", table: team_state, name: shop }\n';
    expect(parseProjectConfig(text, FILE).state).toEqual({ backend: 'mysql', url: '${env:MIG_STATE_URL}', table: 'team_state', name: 'shop' });
  });

  it('accepts a literal URL without a password', () => {
    expect(parseProjectConfig('state:\n  backend: mysql\n  url: mysql://mig@db:3306/ops\n', FILE).state?.url).toBe('mysql://mig@db:3306/ops');
  });

  it('pins an unknown field to its line and column, with a suggestion', () => {
    const [d, ...rest] = diagnostics('state:\n  backend: file\n  pth: x\n');
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ file: FILE, line: 3, col: 3, code: 'unknown-field', path: 'state.pth' });
    expect(d.fix).toContain('`path`');
  });

  it('refuses unknown top-level fields and unknown backends', () => {
    expect(diagnostics('stat: {}\n')[0]).toMatchObject({ line: 1, col: 1, code: 'unknown-field' });
    const [d] = diagnostics('state:\n  backend: postgres\n');
    expect(d).toMatchObject({ line: 2, col: 12, code: 'invalid-value' });
    expect(d.fix).toContain('`mysql`');
  });

  it('refuses settings of the other backend, and a mysql backend without url', () => {
    expect(diagnostics('state:\n  backend: file\n  url: ${env:X}\n')[0]).toMatchObject({ line: 3, path: 'state.url' });
    expect(diagnostics('state:\n  backend: mysql\n  url: ${env:X}\n  path: a.json\n')[0]).toMatchObject({ line: 4, path: 'state.path' });
    expect(diagnostics('state:\n  backend: mysql\n')[0]).toMatchObject({ code: 'missing-field', path: 'state.url' });
  });

  it('refuses a literal password without repeating it', () => {
    const [d] = diagnostics('state:\n  backend: mysql\n  url: mysql://mig:hunter2@db/ops\n');
    expect(d).toMatchObject({ line: 3, col: 8, code: 'literal-secret' });
    expect(JSON.stringify(d)).not.toContain('hunter2');
    expect(d.fix).toContain('${env:MIG_STATE_URL}');
  });

  it('refuses a literal URL that does not parse, without repeating it', () => {
    const [d] = diagnostics('state:\n  backend: mysql\n  url: http://mig:hunter2@db/ops\n');
    expect(d).toMatchObject({ line: 3, code: 'invalid-value' });
    expect(JSON.stringify(d)).not.toContain('hunter2');
  });

  it('reports YAML syntax errors with their position', () => {
    const [d] = diagnostics('state:\n  backend: file\n   path: x\n');
    // At the line indented too deep, not where the parser gave up on the line above.
    expect(d).toMatchObject({ code: 'yaml-syntax', file: FILE, line: 3, col: 4 });
    expect(d!.message).toMatch(/indent|deeper/);
  });
});
