// The spec as a plan's diff shows it. The state records the normalised spec (every default filled
// in), which is what digests and comparisons need; a reviewer needs what was written. Both sides of
// the diff are therefore shown without the fields that hold their schema default: what is left is
// what the spec sets, the same for a spec applied by any earlier mig, whose state kept no other
// form. A field written with its default value is left out too (it means the same as omitting it).
// Secrets stay references (`${env:NAME}`): the normalised spec never holds their values.
import { stringify } from 'yaml';
import { z } from 'zod';
import { MigrationDoc, normalize, type Migration } from '../spec/index.js';
import type { DataPath } from '../spec/positions.js';
import { schemaAt } from '../spec/schema-walk.js';

/** The normalised spec as YAML without the fields at their defaults. */
export function writtenText(spec: Migration): string {
  const doc = normalize(spec);
  return stringify(withoutDefaults(doc, [], doc), { indent: 2, lineWidth: 0, minContentWidth: 0 });
}

function withoutDefaults(value: unknown, path: DataPath, doc: unknown): unknown {
  if (Array.isArray(value)) return value.map((v: unknown, i) => withoutDefaults(v, [...path, i], doc));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = [...path, key];
    const schema = schemaAt(MigrationDoc, at, doc);
    if (schema && isDefault(schema, v)) continue;
    const kept = withoutDefaults(v, at, doc);
    // A settings map whose every field is at its default says nothing either.
    if (schema && isObject(kept) && Object.keys(kept).length === 0 && omittable(schema)) continue;
    out[key] = kept;
  }
  return out;
}

/** The default a field's schema declares, through optional and nullable wrappers; none when it has none. */
function defaultOf(schema: z.ZodType): { value: unknown } | undefined {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodDefault) return { value: s.def.defaultValue };
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else return undefined;
  }
}

function isDefault(schema: z.ZodType, value: unknown): boolean {
  const d = defaultOf(schema);
  return d !== undefined && sameValue(d.value, value);
}

function omittable(schema: z.ZodType): boolean {
  return schema instanceof z.ZodOptional || defaultOf(schema) !== undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
