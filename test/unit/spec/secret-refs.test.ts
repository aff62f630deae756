// Secret references gone wrong are named as references, at the character to fix, with a
// did-you-mean; a literal secret is still refused without being repeated.
import { describe, expect, it } from 'vitest';
import { loadSpecs, parseSpecText } from '../../../src/spec/load.js';
import { knownKinds, referenceProblem, SECRET_KINDS } from '../../../src/spec/secret-ref-syntax.js';
import { SECRET_REF } from '../../../src/spec/schema.js';
import { edit, specDir, VALID } from './spec-fixtures.js';

const FILE = 'migrations.d/shop.yaml';
const PASSWORD = '    password: ${env:SHOP_DB_PASSWORD}';

function withPassword(value: string): string {
  return edit(VALID, PASSWORD, `    password: ${value}`);
}

const cases: { value: string; expected: string }[] = [
  {
    value: '${evn:SHOP_DB_PASSWORD}',
    expected:
      '11:17 unknown-reference spec.source.password | unknown reference `${evn:SHOP_DB_PASSWORD}`: mig knows ${env:…} and ${file:…} | did you mean `${env:SHOP_DB_PASSWORD}`?',
  },
  {
    value: '${ENV:SHOP_DB_PASSWORD}',
    expected:
      '11:17 unknown-reference spec.source.password | unknown reference `${ENV:SHOP_DB_PASSWORD}`: mig knows ${env:…} and ${file:…} | did you mean `${env:SHOP_DB_PASSWORD}`?',
  },
  {
    value: '${fiel:secrets/db.txt}',
    expected: '11:17 unknown-reference spec.source.password | unknown reference `${fiel:secrets/db.txt}`: mig knows ${env:…} and ${file:…} | did you mean `${file:secrets/db.txt}`?',
  },
  {
    value: '${vault:db/shop}',
    expected: '11:17 unknown-reference spec.source.password | unknown reference `${vault:db/shop}`: mig knows ${env:…} and ${file:…} | write `${env:NAME}` or `${file:PATH}`',
  },
  {
    value: '${SHOP_DB_PASSWORD}',
    expected:
      '11:17 malformed-reference spec.source.password | `${SHOP_DB_PASSWORD}` does not say where the secret comes from: mig knows ${env:…} and ${file:…} | write `${env:SHOP_DB_PASSWORD}` for an environment variable, or `${file:SHOP_DB_PASSWORD}` for a file',
  },
  {
    value: '${env.SHOP_DB_PASSWORD}',
    expected: '11:20 malformed-reference spec.source.password | `${env.SHOP_DB_PASSWORD}` separates the kind from the name with something other than `:` | write `${env:SHOP_DB_PASSWORD}`',
  },
  {
    value: '${env:}',
    expected: "11:21 malformed-reference spec.source.password | `${env:}` names no environment variable | write the environment variable's name: `${env:NAME}`",
  },
  {
    value: '${file:}',
    expected: "11:22 malformed-reference spec.source.password | `${file:}` names no file | write the file's path: `${file:PATH}`",
  },
  {
    value: '${env:SHOP_DB_PASSWORD',
    expected: '11:37 malformed-reference spec.source.password | the reference `${env:SHOP_DB_PASSWORD` has no closing `}` | write `${env:SHOP_DB_PASSWORD}`',
  },
  {
    value: '${env:SHOP_DB_PASSWORD}x',
    expected:
      '11:38 malformed-reference spec.source.password | `${env:SHOP_DB_PASSWORD}` is followed by more text; a secret field holds one reference and nothing else | remove what follows `${env:SHOP_DB_PASSWORD}`: the whole value comes from the variable or file',
  },
];

// Names the schema lets through, found by the semantic check: same messages, same positions.
const semanticCases: { value: string; expected: string }[] = [
  {
    value: '${env:lower-case?}',
    expected:
      "11:31 malformed-reference spec.source.password | `lower-case?` in `${env:lower-case?}` cannot be an environment variable's name | use letters, digits, `_`, `.` and `-`, not starting with a digit (e.g. `SHOP_DB_PASSWORD`)",
  },
  {
    value: '${env:1PASSWORD}',
    expected:
      "11:21 malformed-reference spec.source.password | `1PASSWORD` in `${env:1PASSWORD}` cannot be an environment variable's name | use letters, digits, `_`, `.` and `-`, not starting with a digit (e.g. `SHOP_DB_PASSWORD`)",
  },
  {
    value: '"${env: SHOP_DB_PASSWORD}"',
    expected: "11:22 malformed-reference spec.source.password | `${env: SHOP_DB_PASSWORD}` has spaces around the environment variable's name | write `${env:SHOP_DB_PASSWORD}`",
  },
];

const show = (d: { line: number; col: number; code: string; path: string; message: string; fix?: string }) =>
  `${d.line}:${d.col} ${d.code} ${d.path} | ${d.message} | ${d.fix}`;

describe('secret references', () => {
  it.each(cases)('$value', ({ value, expected }) => {
    const { migrations, diagnostics } = parseSpecText(withPassword(value), FILE);
    expect(migrations).toEqual([]);
    expect(diagnostics.map(show)).toEqual([expected]);
  });

  it.each(semanticCases)('$value (valid to the schema)', async ({ value, expected }) => {
    const { dir } = await specDir({ 'shop.yaml': withPassword(value) });
    const { diagnostics } = await loadSpecs(dir);
    expect(diagnostics.map(show)).toEqual([expected]);
    expect(diagnostics[0]!.severity).toBe('error');
  });

  it('names a mistyped reference outside a secret field too, as a warning', async () => {
    const { dir } = await specDir({ 'shop.yaml': edit(VALID, '    user: root', '    user: ${evn:DB_USER}') });
    const { diagnostics } = await loadSpecs(dir);
    expect(diagnostics.filter((d) => d.code === 'unknown-reference').map((d) => `${d.severity} ${show(d)}`)).toEqual([
      'warning 10:13 unknown-reference spec.source.user | unknown reference `${evn:DB_USER}`: mig knows ${env:…} and ${file:…}; here it is used as written (only secret fields are resolved) | write the value itself here: ${env:…} and ${file:…} are resolved only in secret fields (passwords, keys)',
    ]);
  });

  it('accepts good references, with names Kubernetes allows', () => {
    for (const value of ['${env:SHOP_DB_PASSWORD}', '${env:db.password}', '${env:_x-1}', '${file:secrets/db.txt}', '${file:/etc/mig/db password}']) {
      expect(referenceProblem(value)).toBeUndefined();
    }
  });

  it('reads a value as a reference only when it starts like one, so a literal is never repeated', () => {
    for (const literal of ['hunter2', 'pa$$word', 'x${env:A}', '{env:A}', '$env:A']) expect(referenceProblem(literal)).toBeUndefined();
    const { diagnostics } = parseSpecText(withPassword('pa$${evn:x}'), FILE);
    expect(diagnostics.map((d) => d.code)).toEqual(['literal-secret']);
    expect(JSON.stringify(diagnostics)).not.toContain('pa$$');
  });

  it('names exactly the kinds the schema accepts', () => {
    expect(knownKinds()).toBe('${env:…} and ${file:…}');
    for (const kind of SECRET_KINDS) expect(SECRET_REF.test(`\${${kind}:X}`)).toBe(true);
    expect(SECRET_REF.test('${evn:X}')).toBe(false);
  });
});
