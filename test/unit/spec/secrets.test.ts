// Secret references resolve at run time; failures name the reference and the field, never a value.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MigrationDoc } from '../../../src/spec/schema.js';
import {
  collectSecretValues,
  forgetSecretValues,
  parseSecretRef,
  projectRootOf,
  redactSecrets,
  resolveMigrationSecrets,
  resolveSecret,
} from '../../../src/spec/secrets.js';
import { MigError } from '../../../src/util/errors.js';
import { edit, specDir, VALID } from './spec-fixtures.js';

const FIELD = 'spec.source.password';

afterEach(() => forgetSecretValues());

async function failure(p: Promise<unknown>): Promise<MigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

describe('secret references', () => {
  it('parses env and file references', () => {
    expect(parseSecretRef('${env:SHOP_DB_PASSWORD}')).toMatchObject({ kind: 'env', target: 'SHOP_DB_PASSWORD' });
    expect(parseSecretRef('${file:secrets/db.txt}')).toMatchObject({ kind: 'file', target: 'secrets/db.txt' });
    expect(parseSecretRef('hunter2')).toBeUndefined();
  });

  it('resolves an environment variable, empty counting as set', async () => {
    const env = { SHOP_DB_PASSWORD: 'pa55', EMPTY: '' };
    expect(await resolveSecret('${env:SHOP_DB_PASSWORD}', FIELD, { projectRoot: '/', env })).toBe('pa55');
    expect(await resolveSecret('${env:EMPTY}', FIELD, { projectRoot: '/', env })).toBe('');
  });

  it('reads a file relative to the project root (the spec directory’s parent), trimming one newline', async () => {
    const { root, dir } = await specDir({});
    expect(projectRootOf(dir)).toBe(root);
    await mkdir(path.join(root, 'secrets'));
    await writeFile(path.join(root, 'secrets/db.txt'), 'line-one\n\n');
    await writeFile(path.join(root, 'abs.txt'), 'crlf\r\n');
    const ctx = { projectRoot: projectRootOf(dir) };
    expect(await resolveSecret('${file:secrets/db.txt}', FIELD, ctx)).toBe('line-one\n');
    expect(await resolveSecret(`\${file:${path.join(root, 'abs.txt')}}`, FIELD, ctx)).toBe('crlf');
  });

  it('names the reference and the field when a variable is missing', async () => {
    const err = await failure(resolveSecret('${env:SHOP_DB_PASSWORD}', FIELD, { projectRoot: '/', env: {} }));
    expect(err.code).toBe('secret-unresolved');
    expect(err.message).toContain('${env:SHOP_DB_PASSWORD}');
    expect(err.message).toContain(FIELD);
  });

  it('names the reference and the path when a file is missing', async () => {
    const { root } = await specDir({});
    const err = await failure(resolveSecret('${file:nope.txt}', FIELD, { projectRoot: root }));
    expect(err.code).toBe('secret-unresolved');
    expect(err.message).toContain('${file:nope.txt}');
    expect(err.message).toContain(path.join(root, 'nope.txt'));
  });

  it('never echoes a literal given where a reference belongs', async () => {
    const err = await failure(resolveSecret('hunter2', FIELD, { projectRoot: '/' }));
    expect(`${err.message} ${err.hint ?? ''}`).not.toContain('hunter2');
  });

  it('remembers resolved values so driver errors can be scrubbed', async () => {
    await resolveSecret('${env:A}', FIELD, { projectRoot: '/', env: { A: 'short' } });
    await resolveSecret('${env:B}', FIELD, { projectRoot: '/', env: { B: 'short-and-longer' } });
    expect(collectSecretValues()).toEqual(['short-and-longer', 'short']);
    expect(redactSecrets("Access denied (using password 'short-and-longer')")).toBe(
      "Access denied (using password '***')",
    );
  });

  it('resolves every secret field of a migration, reporting all failures at once', async () => {
    const m = MigrationDoc.parse(parse(VALID));
    const ok = await resolveMigrationSecrets(m, { projectRoot: '/', env: { SHOP_DB_PASSWORD: 'x1' } });
    expect([...ok.values()]).toEqual([{ field: FIELD, ref: '${env:SHOP_DB_PASSWORD}', value: 'x1' }]);

    const err = await failure(resolveMigrationSecrets(m, { projectRoot: '/', env: {} }));
    expect(err.message).toContain('${env:SHOP_DB_PASSWORD}');

    const none = MigrationDoc.parse(parse(edit(VALID, '    password: ${env:SHOP_DB_PASSWORD}', null)));
    expect((await resolveMigrationSecrets(none, { projectRoot: '/', env: {} })).size).toBe(0);
  });
});
