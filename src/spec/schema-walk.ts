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

/** The schema that applies at `path` under `root`, if the path follows the schema's shape. */
export function schemaAt(root: z.ZodType, path: DataPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const seg of path) {
    if (s === undefined) return undefined;
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
export function knownKeys(root: z.ZodType, path: DataPath): string[] {
  const s = schemaAt(root, path);
  const inner = s && unwrap(s);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** Whether the field is optional or has a default (so a user may simply delete it). */
export function isOptional(root: z.ZodType, path: DataPath): boolean {
  const s = schemaAt(root, path);
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

export function isSecretPath(root: z.ZodType, path: DataPath): boolean {
  return isSecretSchema(schemaAt(root, path));
}

/** Every path in `value` (a parsed document) that holds a secret field, e.g. spec.source.password. */
export function secretPaths(root: z.ZodType, value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const s = schemaAt(root, at);
  if (s === undefined) return [];
  if (isSecretSchema(s)) return value === undefined ? [] : [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(root, v, [...at, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => secretPaths(root, v, [...at, k]));
  }
  return [];
}
