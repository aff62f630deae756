// The spec folder: reads migrations.d, validates every document against the schema and the
// semantic checks, normalises specs for diffs and digests, and resolves secret references.
export { DEFAULT_SPEC_DIR, findSpecFiles, hasErrors, loadSpecFiles, loadSpecs, parseSpecText } from './load.js';
export type { LoadedMigration, LoadOptions, LoadResult } from './load.js';
export { runSemanticChecks, SEMANTIC_CHECKS, tableTopic, topicPartitionCounts } from './semantic.js';
export type { SemanticCheck } from './semantic.js';
export { normalize, normalizedText, specDigest, specSetDigest } from './normalize.js';
export {
  collectSecretValues,
  forgetSecretValues,
  isSecretRef,
  parseSecretRef,
  projectRootOf,
  redactSecrets,
  resolveMigrationSecrets,
  resolveSecret,
} from './secrets.js';
export type { ResolvedSecret, SecretContext, SecretRef } from './secrets.js';
export { MIGRATION_SCHEMA_FILE, MIGRATION_SCHEMA_ID, migrationJsonSchema, migrationJsonSchemaText } from './json-schema.js';
export { formatPath } from './positions.js';
export type { DataPath, Position } from './positions.js';
export * from './schema.js';
