// Reading the zod schema itself: which fields a map allows at a path, and which fields hold secrets.
// Derived from the schema so that a field added to schema.ts is known here without a second list.
import { z } from 'zod';
import type { DataPath } from './positions.js';

/** Strips optional/default/nullable wrappers down to the schema that describes the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/**
 * The member of a discriminated union that describes `value` (by its discriminator), or without a
 * usable value the first member that has the field `next`: e.g. `spec.destination` is a Kafka,
 * Tablestore or MySQL destination depending on its `type`.
 */
function unionMember(u: z.ZodDiscriminatedUnion, value: unknown, next: string | number | undefined): z.ZodType | undefined {
  const options = u.options as z.ZodType[];
  const key = u._zod.def.discriminator;
  const tag = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  const objects = options.map(unwrap).filter((o): o is z.ZodObject => o instanceof z.ZodObject);
  const byTag = objects.find((o) => (o.shape as Record<string, z.ZodType>)[key]?.safeParse(tag).success);
  if (byTag) return byTag;
  return typeof next === 'string' ? objects.find((o) => next in o.shape) : objects[0];
}

/**
 * The schema that applies at `path` under `root`, if the path follows the schema's shape. `doc` is
 * the document at `root`: it picks the member of a discriminated union along the way.
 */
export function schemaAt(root: z.ZodType, path: DataPath, doc?: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  let value: unknown = doc;
  for (let i = 0; i <= path.length; i++) {
    if (s === undefined) return undefined;
    if (unwrap(s) instanceof z.ZodDiscriminatedUnion) s = unionMember(unwrap(s) as z.ZodDiscriminatedUnion, value, path[i]);
    if (i === path.length || s === undefined) break;
    const seg = path[i]!;
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
    const inner = unwrap(s);
    if (inner instanceof z.ZodObject && typeof seg === 'string') {
      s = (inner.shape as Record<string, z.ZodType>)[seg];
    } else if (inner instanceof z.ZodArray && typeof seg === 'number') {
      s = inner.element as z.ZodType;
    } else {
      return undefined;
    }
  }
  return s;
}

/** Field names a map at `path` accepts, in the schema's order. */
export function knownKeys(root: z.ZodType, path: DataPath, doc?: unknown): string[] {
  const s = schemaAt(root, path, doc);
  const inner = s && unwrap(s);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** Whether the field is optional or has a default (so a user may simply delete it). */
export function isOptional(root: z.ZodType, path: DataPath, doc?: unknown): boolean {
  const s = schemaAt(root, path, doc);
  return s !== undefined && (s instanceof z.ZodOptional || s instanceof z.ZodDefault);
}

/**
 * A secret field is a string field that accepts a reference and refuses a plain word. Testing the
 * behaviour rather than a name keeps this right if more secret fields are added to the schema.
 */
export function isSecretSchema(schema: z.ZodType | undefined): boolean {
  if (schema === undefined) return false;
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodString)) return false;
  return inner.safeParse('${env:MIG_PROBE}').success && !inner.safeParse('probe').success;
}

export function isSecretPath(root: z.ZodType, path: DataPath, doc?: unknown): boolean {
  return isSecretSchema(schemaAt(root, path, doc));
}

/** Every path in `value` (a parsed document) that holds a secret field, e.g. spec.source.password. */
export function secretPaths(root: z.ZodType, doc: unknown): (string | number)[][] {
  const walk = (value: unknown, at: (string | number)[]): (string | number)[][] => {
    const s = schemaAt(root, at, doc);
    if (s === undefined) return [];
    if (isSecretSchema(s)) return value === undefined ? [] : [at];
    if (Array.isArray(value)) return value.flatMap((v, i) => walk(v, [...at, i]));
    if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => walk(v, [...at, k]));
    return [];
  };
  return walk(doc, []);
}
