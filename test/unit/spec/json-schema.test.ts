// The committed JSON Schema must match the zod schema it is generated from.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATION_SCHEMA_FILE, migrationJsonSchema, migrationJsonSchemaText } from '../../../src/spec/json-schema.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

interface Obj {
  properties: Record<string, Obj>;
  required?: string[];
  additionalProperties?: boolean;
  default?: unknown;
}

describe('JSON Schema', () => {
  it('is up to date with the zod schema', async () => {
    const committed = await readFile(path.join(ROOT, MIGRATION_SCHEMA_FILE), 'utf8');
    // On failure: npm run build && npm run schemas, then commit schemas/migration.schema.json.
    expect(committed).toBe(migrationJsonSchemaText());
  });

  it('describes what a user writes: defaults optional, unknown fields refused', () => {
    const schema = migrationJsonSchema() as unknown as Obj & { $id: string; title: string };
    expect(schema.$id).toMatch(/^urn:mig:/);
    expect(schema.title).toContain('mig/v1');
    // Source and destination are one of several kinds, told apart by `type`.
    const sources = (schema.properties.spec.properties.source as unknown as { oneOf: Obj[] }).oneOf;
    const [mysql, tidb] = sources;
    expect(mysql!.required).toEqual(['type', 'host', 'user']);
    expect(mysql!.properties.port.default).toBe(3306);
    expect(mysql!.additionalProperties).toBe(false);
    expect(tidb!.properties.port.default).toBe(4000);
    const destinations = (schema.properties.spec.properties.destination as unknown as { oneOf: Obj[] }).oneOf;
    expect(destinations.map((d) => (d.properties.type as unknown as { const: string }).const)).toEqual(['kafka', 'tablestore', 'mysql']);
    expect(schema.properties.spec.required).toEqual(['source', 'destination', 'objects']);
  });
});
