// Turns zod's validation issues into diagnostics a person can act on: the node to edit, what is
// wrong in plain words, and a concrete fix. Values of secret fields are never repeated back.
import type { z } from 'zod';
import type { Diagnostic } from '../util/errors.js';
import { formatPath, toDataPath, type DataPath, type Locator } from './positions.js';
import { isOptional, isSecretPath, knownKeys, schemaAt } from './schema-walk.js';
import { referenceProblem } from './secret-ref-syntax.js';
import { closest, listCode } from './suggest.js';

export interface IssueContext {
  file: string;
  locator: Locator;
  /** The document as plain data, before validation. */
  input: unknown;
  schema: z.ZodType;
}

type Issue = z.core.$ZodIssue;

export function issueDiagnostics(issue: Issue, ctx: IssueContext): Diagnostic[] {
  const path = toDataPath(issue.path);
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownField(path, key, ctx));

  const found = valueAt(ctx.input, path);
  if (!found.present) return [missingField(path, ctx)];

  const base = { severity: 'error' as const, file: ctx.file, path: formatPath(path), ...ctx.locator.node(path) };
  const field = path.length === 0 ? 'the document' : `\`${formatPath(path)}\``;
  const deletable = isOptional(ctx.schema, path, ctx.input);

  if (found.value === null) {
    return [
      {
        ...base,
        code: 'invalid-type',
        message: `${field} has no value`,
        fix: deletable ? 'give it a value, or delete the line to use the default' : 'give it a value',
      },
    ];
  }
  if (isSecretPath(ctx.schema, path, ctx.input)) {
    // A reference gone wrong is named as one; anything else may be the secret itself and is not repeated.
    const ref = typeof found.value === 'string' ? referenceProblem(found.value) : undefined;
    if (ref) return [{ ...base, ...ctx.locator.within(path, ref.index), code: ref.code, message: ref.message, fix: ref.fix }];
    const key = String(path[path.length - 1]);
    return [
      {
        ...base,
        code: 'literal-secret',
        message: `${field} is not a secret reference: a spec must never hold a secret itself`,
        fix: `write \`${key}: \${env:NAME}\` (an environment variable) or \`${key}: \${file:PATH}\` (a file, relative to the project root)`,
      },
    ];
  }

  switch (issue.code) {
    case 'invalid_union': {
      // A discriminator (`type`) with no matching member: the message names the members.
      const allowed = (issue as Issue & { options?: unknown[] }).options?.map(String);
      if (!allowed) return [{ ...base, code: 'invalid-value', message: `${field} ${issue.message}`, fix: undefined }];
      const given = typeof found.value === 'string' ? found.value : undefined;
      const guess = given === undefined ? undefined : closest(given, allowed);
      return [{ ...base, code: 'invalid-value', message: `${field} is ${given === undefined ? kindOf(found.value) : `\`${given}\``}, which is not an allowed value`, fix: `${guess ? `did you mean \`${guess}\`? ` : ''}allowed values: ${listCode(allowed)}` }];
    }
    case 'invalid_type': {
      const expected = expectedText(issue.expected);
      const fix =
        issue.expected === 'int'
          ? 'use a whole number, without a fraction'
          : issue.expected === 'number' && typeof found.value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(found.value)
            ? 'remove the quotes around the number'
            : issue.expected === 'array'
              ? 'write a list: `[a, b]`, or one `- item` per line'
              : `write ${expected} here`;
      return [{ ...base, code: 'invalid-type', message: `${field} must be ${expected}, but it is ${kindOf(found.value)}`, fix }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const given = typeof found.value === 'string' || typeof found.value === 'number' ? String(found.value) : undefined;
      if (allowed.length === 1) {
        return [
          {
            ...base,
            code: 'invalid-value',
            message: `${field} must be \`${allowed[0]}\`${given === undefined ? '' : `, not \`${given}\``}`,
            fix: `write \`${String(path[path.length - 1] ?? 'value')}: ${allowed[0]}\``,
          },
        ];
      }
      const guess = given === undefined ? undefined : closest(given, allowed);
      return [
        {
          ...base,
          code: 'invalid-value',
          message: `${field} is ${given === undefined ? kindOf(found.value) : `\`${given}\``}, which is not an allowed value`,
          fix: `${guess ? `did you mean \`${guess}\`? ` : ''}allowed values: ${listCode(allowed)}`,
        },
      ];
    }
    case 'too_small':
    case 'too_big':
      return [{ ...base, code: 'invalid-value', message: `${field} ${boundText(issue)}`, fix: boundFix(issue, deletable) }];
    default:
      // Schema messages for formats are written as "must be …", so they read well after the field.
      return [{ ...base, code: 'invalid-value', message: `${field} ${issue.message}`, fix: repairHint(found.value, path, ctx) }];
  }
}

/**
 * For names and topics with a stray space or symbol: offer the value with those characters
 * replaced by '-', but only when that version would pass validation.
 */
function repairHint(value: unknown, path: DataPath, ctx: IssueContext): string | undefined {
  if (typeof value !== 'string') return undefined;
  const candidate = value.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  const schema = schemaAt(ctx.schema, path, ctx.input);
  if (candidate === '' || candidate === value || schema === undefined) return undefined;
  return schema.safeParse(candidate).success ? `for example \`${candidate}\`` : undefined;
}

function unknownField(mapPath: DataPath, key: string, ctx: IssueContext): Diagnostic {
  const allowed = knownKeys(ctx.schema, mapPath, ctx.input);
  const guess = closest(key, allowed);
  const where = mapPath.length === 0 ? 'at the top level' : `in \`${formatPath(mapPath)}\``;
  return {
    severity: 'error',
    code: 'unknown-field',
    file: ctx.file,
    ...ctx.locator.key(mapPath, key),
    path: formatPath([...mapPath, key]),
    message: `unknown field \`${key}\` ${where}`,
    fix: guess ? `did you mean \`${guess}\`?` : `remove it; the fields allowed here are ${listCode(allowed)}`,
  };
}

function missingField(path: DataPath, ctx: IssueContext): Diagnostic {
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  const owner = parent.length === 0 ? 'the document' : `\`${formatPath(parent)}\``;
  return {
    severity: 'error',
    code: 'missing-field',
    file: ctx.file,
    ...ctx.locator.node(parent),
    path: formatPath(path),
    message: `${owner} is missing the required field \`${key}\``,
    fix: `add \`${key}:\` to ${owner}`,
  };
}

/** Walks plain data; `present` distinguishes an absent key from one whose value is null. */
function valueAt(input: unknown, path: DataPath): { present: boolean; value?: unknown } {
  let cur: unknown = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) {
      return { present: false };
    }
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return { present: cur !== undefined, value: cur };
}

function expectedText(expected: string): string {
  const names: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping of fields',
  };
  return names[expected] ?? expected;
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

type BoundIssue = z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig;

function boundText(issue: BoundIssue): string {
  const small = issue.code === 'too_small';
  const n = Number(small ? issue.minimum : issue.maximum);
  const exclusive = issue.inclusive === false;
  switch (issue.origin) {
    case 'string':
      if (small && n === 1) return 'must not be empty';
      return small ? `must be at least ${n} characters long` : `must be at most ${n} characters long`;
    case 'array':
    case 'set':
      return small ? `must list at least ${n} item${n === 1 ? '' : 's'}` : `must list at most ${n} items`;
    default:
      if (small) return exclusive ? `must be greater than ${n}` : `must be at least ${n}`;
      return exclusive ? `must be less than ${n}` : `must be at most ${n}`;
  }
}

function boundFix(issue: BoundIssue, deletable: boolean): string | undefined {
  if (issue.origin === 'array' && issue.code === 'too_small') {
    return deletable ? 'add an item, or delete the field to use the default' : 'add an item';
  }
  if (issue.origin === 'number' || issue.origin === 'int') {
    const n = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
    return `use a value ${issue.code === 'too_small' ? '≥' : '≤'} ${n}${deletable ? ', or delete the field to use the default' : ''}`;
  }
  return undefined;
}

/**
 * zod stops at a union's discriminator when it matches no member, so the fields beside it go
 * unchecked. To still report every error at once, the document is checked again with each such
 * discriminator set to the closest allowed value, keeping only the issues found under it.
 */
export function behindDiscriminators(schema: z.ZodType, input: unknown, issues: readonly Issue[]): Issue[] {
  const bad = issues.filter((i): i is Issue & { options: unknown[] } => i.code === 'invalid_union' && Array.isArray((i as { options?: unknown }).options));
  if (bad.length === 0 || input === null || typeof input !== 'object') return [];
  const copy = structuredClone(input) as Record<string | number, unknown>;
  for (const issue of bad) {
    const path = toDataPath(issue.path);
    const parent = valueAt(copy, path.slice(0, -1));
    const key = path[path.length - 1];
    if (!parent.present || parent.value === null || typeof parent.value !== 'object' || key === undefined) continue;
    const given = (parent.value as Record<string | number, unknown>)[key];
    const allowed = issue.options.map(String);
    (parent.value as Record<string | number, unknown>)[key] = (typeof given === 'string' ? closest(given, allowed) : undefined) ?? allowed[0];
  }
  const again = schema.safeParse(copy);
  if (again.success) return [];
  const under = bad.map((i) => formatPath(toDataPath(i.path).slice(0, -1)));
  return again.error.issues.filter((i) => i.code !== 'invalid_union' && under.some((u) => formatPath(toDataPath(i.path)).startsWith(u)));
}
