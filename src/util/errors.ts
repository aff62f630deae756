// Errors a user can act on: a stable code, what went wrong, and what to do about it.
// The CLI prints these without a stack trace; anything else is a bug and is reported as one.

export class MigError extends Error {
  readonly code: string;
  readonly hint?: string;
  /** `cause`: the driver's own error, kept so the engine can tell a lost connection from a refusal. */
  constructor(code: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigError';
    this.code = code;
    this.hint = hint;
  }
}

export class LockedError extends MigError {
  constructor(
    readonly holder: { id: string; pid: number; host: string; time: string; operation: string },
    location: string,
  ) {
    super(
      'state-locked',
      `the state ${location} is locked by ${holder.operation} (lock id ${holder.id}, pid ${holder.pid} on ${holder.host}, since ${holder.time})`,
      `wait for it to finish (or let the command wait for it: --lock-timeout 5m); if that process is gone, run: mig state unlock --force ${holder.id}`,
    );
  }
}

/** One finding about a spec file, with where it is and how to fix it. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: string;
  file: string;
  line: number;
  col: number;
  /** YAML path, e.g. spec.objects[0].tables[1].name */
  path: string;
  message: string;
  fix?: string;
}

export class SpecError extends MigError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super('spec-invalid', `${diagnostics.filter((d) => d.severity === 'error').length} error(s) in the migration specs`);
  }
}

/**
 * A known secret value shorter than this is replaced only where a password is expected: short
 * passwords such as `root` or `mig` are also user, database and table names, and replacing them
 * everywhere would hide the very names a message is about.
 */
export const REDACT_ANYWHERE_MIN = 6;

const KEY = String.raw`(\b[\w.-]*(?:password|passwd|pwd|secret))`;
/** A value, unless it is a reference (`${env:…}`): those are safe to show and say where the secret comes from. */
const VALUE = String.raw`((?!\$\{)[^\s"'&,;)\]}]+)`;
/**
 * Where a value is surely a password, known or not: `password=…`, `password:…` with no space, and
 * any quoted value after `password=` or `password:` (`"password":"…"`); also `DB_PASSWORD=…`,
 * `sasl.password=…`, `accessKeySecret=…`. An unquoted `password: …` with a space is left alone
 * unless the value is a known secret: it is how messages name a field (`spec.source.password: has
 * no value`), and MySQL's `(using password: YES)` only says whether one was sent.
 */
const PASSWORD_QUOTED = new RegExp(String.raw`${KEY}(["']?\s*[=:]\s*)(["'])((?!\$\{)(?:(?!\3)[^\n])*)\3`, 'gi');
const PASSWORD_AT = new RegExp(String.raw`${KEY}(\s*=\s*|:(?=[^\s"']))${VALUE}`, 'gi');
const PASSWORD_LOOSE = new RegExp(String.raw`${KEY}(\s*[=:]\s*)${VALUE}`, 'gi');
/** The password of a URL's user information: `scheme://user:PASSWORD@host`. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s@/]+)(@)/gi;

/**
 * Messages from drivers may echo connection strings: replaces each secret with `***` and leaves the
 * rest of the message as it was. `secrets` are the values known to be secret (the resolved
 * ${env:…}/${file:…} references): each is replaced wherever it appears, as written and URL-encoded,
 * when at least REDACT_ANYWHERE_MIN long, and only where a password is expected when shorter.
 * A URL's password and a `password=…` value are replaced whether known or not.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  const variants = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))].filter((s) => s.length > 0);
  let out = text;
  for (const s of variants.filter((v) => v.length >= REDACT_ANYWHERE_MIN).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  const short = new Set(variants.filter((v) => v.length < REDACT_ANYWHERE_MIN));
  out = out.replace(URL_PASSWORD, '$1***$3');
  out = out.replace(PASSWORD_QUOTED, '$1$2$3***$3');
  out = out.replace(PASSWORD_AT, '$1$2***');
  return out.replace(PASSWORD_LOOSE, (match: string, key: string, sep: string, value: string) => (short.has(value) ? `${key}${sep}***` : match));
}
