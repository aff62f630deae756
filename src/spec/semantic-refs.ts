// Secret references the schema lets through but no run could resolve: `${env: NAME}` with spaces,
// `${env:lower-case?}` with a character no environment variable name holds. Found at validate time
// rather than as "not set" when apply opens the connection. Outside secret fields nothing is
// resolved (referenceOutsideSecret says so for ${env:…} and ${file:…}); a mistyped kind there,
// `host: ${evn:DB_HOST}`, is named too, so it is not taken for a host name.
import type { Diagnostic } from '../util/errors.js';
import { formatPath, type DataPath } from './positions.js';
import { MigrationDoc } from './schema.js';
import { secretPaths } from './schema-walk.js';
import type { SemanticCheck } from './semantic-at.js';
import { referenceProblem } from './secret-ref-syntax.js';

/** Every string of `value` with its path. */
function* strings(value: unknown, path: (string | number)[] = []): Generator<[DataPath, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, i]);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

export const unknownReferenceOutsideSecret: SemanticCheck = (m) => {
  const secrets = new Set(secretPaths(MigrationDoc, m.migration).map((p) => formatPath(p)));
  const out: Diagnostic[] = [];
  for (const [path, value] of strings(m.migration)) {
    if (secrets.has(formatPath(path))) continue;
    const problem = referenceProblem(value);
    if (problem?.code !== 'unknown-reference') continue;
    out.push({
      severity: 'warning',
      code: problem.code,
      file: m.file,
      ...(m.locateWithin?.(path, problem.index) ?? m.locate(path)),
      path: formatPath(path),
      message: `${problem.message}; here it is used as written (only secret fields are resolved)`,
      fix: 'write the value itself here: ${env:…} and ${file:…} are resolved only in secret fields (passwords, keys)',
    });
  }
  return out;
};

export const secretReferenceSyntax: SemanticCheck = (m) => {
  const out: Diagnostic[] = [];
  for (const path of secretPaths(MigrationDoc, m.migration)) {
    const value = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], m.migration);
    if (typeof value !== 'string') continue;
    const problem = referenceProblem(value);
    if (!problem) continue;
    out.push({
      severity: 'error',
      code: problem.code,
      file: m.file,
      ...(m.locateWithin?.(path, problem.index) ?? m.locate(path)),
      path: formatPath(path),
      message: problem.message,
      fix: problem.fix,
    });
  }
  return out;
};
