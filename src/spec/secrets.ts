// Resolves secret references (${env:NAME}, ${file:PATH}) at run time, just before a connection
// is opened. Values never go back into a spec, the state or a message; every value resolved is
// remembered so error texts from drivers can be scrubbed of it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MigError, redact } from '../util/errors.js';
import { formatPath } from './positions.js';
import { MigrationDoc, SECRET_REF, type Migration } from './schema.js';
import { secretPaths } from './schema-walk.js';
import type { SecretKind } from './secret-ref-syntax.js';

export interface SecretRef {
  kind: SecretKind;
  /** Variable name or file path, as written. */
  target: string;
  /** The reference as written, e.g. `${env:SHOP_DB_PASSWORD}`: safe to show. */
  text: string;
}

export interface SecretContext {
  /** Base for relative ${file:…} paths: the parent of the spec directory. */
  projectRoot: string;
  /** Defaults to process.env; tests pass their own. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function parseSecretRef(value: string): SecretRef | undefined {
  const [, kind, target] = SECRET_REF.exec(value) ?? [];
  if (kind === undefined || target === undefined) return undefined;
  return { kind: kind as SecretKind, target, text: value };
}

export function isSecretRef(value: unknown): value is string {
  return typeof value === 'string' && SECRET_REF.test(value);
}

/** The project root for specs in `specDir`: relative ${file:…} paths start there. */
export function projectRootOf(specDir: string): string {
  return path.dirname(path.resolve(specDir));
}

const resolved = new Set<string>();

/** Every secret value resolved so far in this process, longest first (so redaction of a value
 *  that contains another one replaces the whole of it). */
export function collectSecretValues(): string[] {
  return [...resolved].sort((a, b) => b.length - a.length);
}

/** `redact` with every resolved secret value: use on any text that may echo a connection. */
export function redactSecrets(text: string): string {
  return redact(text, collectSecretValues());
}

/** For tests, and for long-lived processes that reload specs. */
export function forgetSecretValues(): void {
  resolved.clear();
}

/**
 * Resolves one reference. `field` names where it was written (spec.source.password) so a failure
 * says which setting to fix; neither the value nor a file's content ever appear in the error.
 */
export async function resolveSecret(ref: string, field: string, ctx: SecretContext): Promise<string> {
  const parsed = parseSecretRef(ref);
  if (!parsed) {
    // Should have been caught by validation; still, do not echo what may be a literal secret.
    throw new MigError('secret-unresolved', `${field} is not a secret reference`, 'write ${env:NAME} or ${file:PATH}');
  }
  const value = parsed.kind === 'env' ? fromEnv(parsed, field, ctx) : await fromFile(parsed, field, ctx);
  if (value.length > 0) resolved.add(value);
  return value;
}

function fromEnv(ref: SecretRef, field: string, ctx: SecretContext): string {
  const env = ctx.env ?? process.env;
  const value = env[ref.target];
  // An empty variable counts as set: an empty password is legitimate for some test servers.
  if (value === undefined) {
    throw new MigError(
      'secret-unresolved',
      `${ref.text} for ${field} is not set: there is no environment variable ${ref.target}`,
      `export ${ref.target}=… in the environment mig runs in`,
    );
  }
  return value;
}

async function fromFile(ref: SecretRef, field: string, ctx: SecretContext): Promise<string> {
  const file = path.resolve(ctx.projectRoot, ref.target);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code;
    throw new MigError(
      'secret-unresolved',
      `${ref.text} for ${field} cannot be read from ${file}: ${why}`,
      `create the file or fix the path; relative paths start at the project root ${ctx.projectRoot}`,
    );
  }
  // Files written by `echo` or an editor end in a newline that is not part of the secret.
  return content.replace(/\r?\n$/, '');
}

/** A secret field of a migration and its resolved value. */
export interface ResolvedSecret {
  /** e.g. spec.source.password */
  field: string;
  ref: string;
  value: string;
}

/**
 * Resolves every secret field of a migration (found from the schema, not a fixed list). All
 * failures are collected first, so one run names every missing variable, not just the first.
 */
export async function resolveMigrationSecrets(m: Migration, ctx: SecretContext): Promise<Map<string, ResolvedSecret>> {
  const out = new Map<string, ResolvedSecret>();
  const failures: MigError[] = [];
  for (const p of secretPaths(MigrationDoc, m)) {
    const field = formatPath(p);
    const ref = p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], m);
    if (typeof ref !== 'string') continue;
    try {
      out.set(field, { field, ref, value: await resolveSecret(ref, field, ctx) });
    } catch (err) {
      if (err instanceof MigError) failures.push(err);
      else throw err;
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new MigError(
      'secret-unresolved',
      failures.map((f) => f.message).join('; '),
      [...new Set(failures.map((f) => f.hint).filter((h): h is string => h !== undefined))].join('; '),
    );
  }
  return out;
}
