// An error as the one JSON object --json prints for it: a stable code, the message, the fix, and
// for a spec error where it is. No stack trace; secrets redacted.
import { MigError, SpecError, type Diagnostic } from '../util/errors.js';
import { redactSecrets } from '../spec/index.js';

export interface ErrorJson {
  type: 'error';
  code: string;
  message: string;
  /** What to do about it; null when mig has nothing better than the message. */
  fix: string | null;
  /** Where a spec error is: the first error's position (every finding is under diagnostics). */
  file?: string;
  line?: number;
  col?: number;
  diagnostics?: Diagnostic[];
}

const BUG_FIX = 'this looks like a bug in mig; please report it with the command you ran (MIG_DEBUG=1 shows where it happened)';

export function errorJson(error: Error): ErrorJson {
  if (error instanceof SpecError) return specErrorJson(error);
  if (error instanceof MigError) {
    return { type: 'error', code: error.code, message: redactSecrets(error.message), fix: error.hint ? redactSecrets(error.hint) : null };
  }
  return { type: 'error', code: 'internal', message: redactSecrets(error.message), fix: BUG_FIX };
}

/** The first error stands for the rest in message, fix and position; diagnostics lists them all. */
function specErrorJson(error: SpecError): ErrorJson {
  const errors = error.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (!first) return { type: 'error', code: error.code, message: redactSecrets(error.message), fix: null, diagnostics: error.diagnostics };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error(s), see diagnostics)` : '';
  return {
    type: 'error',
    code: error.code,
    message: redactSecrets(`${first.file}:${first.line}:${first.col}: ${first.path ? first.path + ': ' : ''}${first.message}${more}`),
    fix: first.fix ? redactSecrets(first.fix) : null,
    file: first.file,
    line: first.line,
    col: first.col,
    diagnostics: error.diagnostics.map((d) => ({ ...d, message: redactSecrets(d.message), ...(d.fix ? { fix: redactSecrets(d.fix) } : {}) })),
  };
}
