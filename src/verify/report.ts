// What `mig verify` finds, per migration and table: the shape the views render and --json prints.
// A difference names the row by its key (a keyless table's row by its values) and, for a row held
// with other values, the destination columns that differ.

/** Exit codes: 0 everything equal, 1 an error (a table could not be verified), 3 differences found. */
export const EXIT_EQUAL = 0;
export const EXIT_ERROR = 1;
export const EXIT_DIFFERENT = 3;

export type Difference =
  | { kind: 'missing' | 'extra'; key: string | null; row?: Record<string, string | null> }
  | { kind: 'differing'; key: string | null; columns: string[] };

/** How a table was compared. */
export type VerifyMethod = 'checksum' | 'rows' | 'scan';

export interface TableReport {
  /** `database.table` at the source. */
  table: string;
  /** Where its rows go (topic, table, `database.table`). */
  target: string;
  status: 'equal' | 'different' | 'error';
  method: VerifyMethod;
  sourceRows: number;
  destinationRows: number;
  missing: number;
  extra: number;
  differing: number;
  /** The first differences, in key order where the table has a key. */
  sample: Difference[];
  /** Key-range chunks compared by checksum (method checksum). */
  chunks?: number;
  /** Differences seen in the first pass that were equal once the migration had caught up. */
  settled?: number;
  notes: string[];
  error?: { code: string; message: string; fix?: string };
}

export interface MigrationReport {
  migration: string;
  /** The destination kind's label: MySQL, Kafka, Tablestore. */
  destination: string;
  tables: TableReport[];
  notes: string[];
}

export interface VerifyReport {
  /** Every table of every migration verified equal. */
  equal: boolean;
  migrations: MigrationReport[];
  seconds: number;
}

/** The exit code a report calls for. */
export function exitCodeOf(r: VerifyReport): number {
  const tables = r.migrations.flatMap((m) => m.tables);
  if (tables.some((t) => t.status === 'error')) return EXIT_ERROR;
  return tables.some((t) => t.status === 'different') ? EXIT_DIFFERENT : EXIT_EQUAL;
}
