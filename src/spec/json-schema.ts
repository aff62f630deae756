// The spec's JSON Schema, generated from the zod schema so the two cannot drift apart. Editors
// use it for completion and inline errors (yaml-language-server: `# yaml-language-server:
// $schema=../schemas/migration.schema.json`).
import { z } from 'zod';
import { MigrationDoc } from './schema.js';

export const MIGRATION_SCHEMA_ID = 'urn:mig:schema:migration:v1';

/** Path of the committed schema file, relative to the package root. */
export const MIGRATION_SCHEMA_FILE = 'schemas/migration.schema.json';

/**
 * Describes what a user may WRITE (zod's input side): fields with defaults are optional and
 * carry their default, rather than being required as they are after parsing.
 */
export function migrationJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(MigrationDoc, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: MIGRATION_SCHEMA_ID,
    title: 'mig migration spec (mig/v1)',
    description: 'A declarative migration from a MySQL-family source into Kafka, as read from migrations.d/*.yaml.',
    ...rest,
  };
}

/** The file's exact text: 2-space JSON with a final newline, so regenerating is byte-stable. */
export function migrationJsonSchemaText(): string {
  return `${JSON.stringify(migrationJsonSchema(), null, 2)}\n`;
}
