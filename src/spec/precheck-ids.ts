// The precheck ids a spec may accept in `spec.precheck.ignore`. They are part of the spec
// contract, so the list lives with the schema; precheck/catalog.ts marks the same checks
// ignorable and fails to compile if the two disagree.

/** In the catalog's order; a non-empty tuple, as z.enum wants. Never rename an id. */
export const IGNORABLE_CHECK_IDS = [
  'source.log-slave-updates',
  'source.binlog-retention',
  'source.views',
  'source.primary-key',
  'source.invisible-columns',
  'migration.table-count',
] as const;

export type IgnorableCheckId = (typeof IGNORABLE_CHECK_IDS)[number];
