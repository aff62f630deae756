// Writes schemas/migration.schema.json from the zod schema (`npm run schemas` after a build).
// With --check it writes nothing and exits 1 when the committed file is stale, for CI.
// A script, not part of the core, so it reports on stderr itself.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MIGRATION_SCHEMA_FILE, migrationJsonSchemaText } from './json-schema.js';

// dist/spec/ → package root; resolved from this file so the working directory does not matter.
const target = fileURLToPath(new URL(`../../${MIGRATION_SCHEMA_FILE}`, import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  const text = migrationJsonSchemaText();
  if (argv.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => undefined);
    if (committed === text) return 0;
    process.stderr.write(
      `${MIGRATION_SCHEMA_FILE} is ${committed === undefined ? 'missing' : 'stale'}: run \`npm run build && npm run schemas\` and commit it\n`,
    );
    return 1;
  }
  await writeFile(target, text);
  process.stderr.write(`wrote ${MIGRATION_SCHEMA_FILE}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
