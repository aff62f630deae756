// The validation messages as a user sees them from the built binary: a missing `]` at the line that
// is wrong, a mistyped ${kind:…} named as a reference with a did-you-mean, and a refused password
// redacted without cutting MariaDB's message.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MYSQL_PORT, REPO_ROOT } from '../integration/helpers/env.js';
import { runMig } from './helpers/run-mig.js';

const VALID = readFileSync(path.join(REPO_ROOT, 'test/fixtures/specs/valid/shop-to-kafka.yaml'), 'utf8');

function project(files: Record<string, string>): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'mig-e2e-validate-'));
  mkdirSync(path.join(cwd, 'migrations.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(cwd, 'migrations.d', name), text);
  return cwd;
}

function replaced(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the fixture has no ${from}`);
  return text.replace(from, to);
}

describe('mig validate messages', () => {
  const cwd = project({
    'a.yaml': replaced(VALID, '  types: [schema, full, incremental]', '  types: [schema, full, incremental'),
    'b.yaml': replaced(replaced(VALID, '${env:SHOP_DB_PASSWORD}', '${evn:SHOP_DB_PASSWORD}'), 'name: shop-to-kafka', 'name: shop-b'),
  });

  it('reports the unclosed [ where it was opened and the unknown reference by name', async () => {
    const r = await runMig(['validate'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'migrations.d/a.yaml:17:10: error[yaml-syntax] the `[` opened here is never closed: the list has no `]`',
      "    fix: write `]` after the list's last item, at line 17 column 36",
      'migrations.d/b.yaml:11:17: error[unknown-reference] spec.source.password: unknown reference `${evn:SHOP_DB_PASSWORD}`: mig knows ${env:…} and ${file:…}',
      '    fix: did you mean `${env:SHOP_DB_PASSWORD}`?',
      '2 error(s), 0 warning(s)',
    ]);
  });

  it('gives the same findings under --json', async () => {
    const r = await runMig(['validate', '--json'], { cwd });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { file: string; line: number; col: number; code: string }[] };
    expect(out.valid).toBe(false);
    expect(out.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'migrations.d/a.yaml:17:10 yaml-syntax',
      'migrations.d/b.yaml:11:17 unknown-reference',
    ]);
  });
});

describe('a refused password', () => {
  it("is hidden while MariaDB's message stays whole", async () => {
    const cwd = project({ 'shop.yaml': replaced(replaced(VALID, '${env:SHOP_DB_PASSWORD}', '${env:WRONG_PW}'), 'port: 3307', `port: ${MYSQL_PORT}`) });
    const password = 'Wr0ng-Pass-zz';
    const r = await runMig(['precheck'], { cwd, env: { WRONG_PW: password } });
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/Access denied for user 'root'@'[^']+' \(using password: YES\)/);
    expect(out).not.toContain(password);
    expect(out).not.toContain('***');
  });
});
