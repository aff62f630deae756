// mig.config.yaml's metrics section: where mig apply and mig run serve /metrics, checked with the
// same file:line:col diagnostics as the rest of the file.
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

describe('mig.config.yaml metrics', () => {
  it('reads a port and a host, beside the state', () => {
    expect(parseProjectConfig('state: { backend: file }\nmetrics:\n  port: 9464\n  host: 0.0.0.0\n', FILE)).toEqual({
      state: { backend: 'file' },
      metrics: { port: 9464, host: '0.0.0.0' },
    });
    expect(parseProjectConfig('metrics: { port: 0 }\n', FILE).metrics).toEqual({ port: 0 });
  });

  it('pins a bad port, a missing port, a bad host and an unknown field to their lines', () => {
    expect(diagnostics('metrics:\n  port: 70000\n')[0]).toMatchObject({ file: FILE, line: 2, path: 'metrics.port' });
    expect(diagnostics('metrics:\n  port: 9464.5\n')[0]).toMatchObject({ line: 2, path: 'metrics.port' });
    expect(diagnostics('metrics:\n  host: 127.0.0.1\n')[0]).toMatchObject({ code: 'missing-field', path: 'metrics.port' });
    const [host] = diagnostics('metrics:\n  port: 9464\n  host: "my host"\n');
    expect(host).toMatchObject({ line: 3, path: 'metrics.host' });
    expect(host!.message).toContain('a space');
    expect(diagnostics('metrics:\n  port: 9464\n  path: /m\n')[0]).toMatchObject({ line: 3, code: 'unknown-field', path: 'metrics.path' });
  });
});
