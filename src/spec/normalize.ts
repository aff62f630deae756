// The normalised form of a spec: defaults filled in, keys in the schema's order, set-like lists in
// a fixed order. Two specs that mean the same thing normalise to the same text and digest, so
// plans and state compare meaning, not formatting. Secrets stay references throughout.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { z } from 'zod';
import { MigError } from '../util/errors.js';
import { formatPath, toDataPath } from './positions.js';
import { MigrationDoc, type Migration, type MigrationInput } from './schema.js';
import { unwrap } from './schema-walk.js';

/**
 * Applies defaults and canonical ordering. Accepts raw input too (the state may hold specs
 * written by older versions); invalid input is a bug at this point, since specs are validated
 * when loaded, so it fails with the first problem rather than a full report.
 */
export function normalize(spec: Migration | MigrationInput): Migration {
  const parsed = MigrationDoc.safeParse(spec);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const problem = issue ? `${formatPath(toDataPath(issue.path))}: ${issue.message}` : parsed.error.message;
    throw new MigError('spec-invalid', `cannot normalise an invalid spec: ${problem}`);
  }
  return canonical(MigrationDoc, parsed.data) as Migration;
}

/**
 * Keys follow the schema's declaration order (the order the docs present them in). Lists of enum
 * values (`types`, `operations`) are sets, so they are put in the enum's order; every other list
 * keeps the user's order, since objects and tables are processed in that order.
 */
function canonical(schema: z.ZodType, value: unknown): unknown {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      if (src[key] !== undefined) out[key] = canonical(field, src[key]);
    }
    return out;
  }
  if (s instanceof z.ZodArray && Array.isArray(value)) {
    const element = unwrap(s.element as z.ZodType);
    const items = value.map((v) => canonical(element, v));
    if (element instanceof z.ZodEnum) {
      const order: readonly unknown[] = element.options;
      return [...items].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    }
    return items;
  }
  return value;
}

/** The normalised spec as YAML, for diffs and for showing what will be applied. */
export function normalizedText(spec: Migration | MigrationInput): string {
  return stringify(normalize(spec), { indent: 2, lineWidth: 0, minContentWidth: 0 });
}

/**
 * JSON with keys sorted at every level. The digest is taken over this rather than the YAML text
 * so that neither a change of the yaml library's formatting nor a reordering of fields in
 * schema.ts changes the digests recorded in existing state.
 */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** `sha256:<hex>` of the normalised spec. */
export function specDigest(spec: Migration | MigrationInput): string {
  return sha256(stableJson(normalize(spec)));
}

/**
 * One digest for a whole set of migrations. Ordered by name, so moving a migration to another
 * file, or splitting a file in two, does not change it.
 */
export function specSetDigest(specs: readonly (Migration | MigrationInput)[]): string {
  const entries = specs
    .map((s) => {
      const n = normalize(s);
      return [n.metadata.name, specDigest(n)] as const;
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(stableJson(entries));
}
