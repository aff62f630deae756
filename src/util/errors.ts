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
      `wait for it to finish; if that process is gone, run: mig state unlock --force ${holder.id}`,
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

/** Messages from drivers may echo connection strings; strip anything that looks like a credential. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 1) out = out.split(s).join('***');
  return out.replace(/(password|passwd|pwd)(\s*[=:]\s*)([^\s,;'"]+)/gi, '$1$2***');
}
