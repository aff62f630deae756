// Node.js 22.22 is mig's minimum (issue 12): the suite itself runs on it (the scripts fetch it when
// the system's is older), and the binary started by an older Node says what to do instead of failing
// somewhere inside a dependency.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIG_BIN } from './helpers/run-mig.js';

const atLeast = (v: string, major: number, minor: number) => {
  const [a, b] = v.replace(/^v/, '').split('.').map(Number) as [number, number];
  return a > major || (a === major && b >= minor);
};

/** A Node.js older than mig's minimum on this machine (Debian's system node), if there is one. */
function olderNode(): string | undefined {
  for (const bin of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(bin)) continue;
    const v = execFileSync(bin, ['-v'], { encoding: 'utf8' }).trim();
    if (!atLeast(v, 22, 22)) return bin;
  }
  return undefined;
}

describe('Node.js version', () => {
  it('the suite runs on Node.js 22.22 or later', () => {
    expect(atLeast(process.version, 22, 22), process.version).toBe(true);
  });

  const old = olderNode();
  it.skipIf(!old)('mig started by an older Node.js exits 1 with what to do, no stack trace', () => {
    const r = spawnSync(old!, [MIG_BIN, '--version'], { cwd: mkdtempSync(path.join(tmpdir(), 'mig-node-')), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Error: mig needs Node\.js 22\.22 or later; this is 20\.\d+\.\d+\.\nFix: install Node\.js 22 LTS or 24 LTS/);
    expect(r.stderr).not.toMatch(/ at /);
  });
});
