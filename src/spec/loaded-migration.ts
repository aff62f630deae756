// A migration document as loading leaves it: what the loader gives back and what the semantic
// checks read, kept apart from both so that neither imports the other for it.
import type { DataPath, Position } from './positions.js';
import type { Migration } from './schema.js';

/** One valid migration document and where it came from. */
export interface LoadedMigration {
  /** The file as given (relative when the directory was given relative). */
  file: string;
  /** Index of the document within its file, counting from 0. */
  docIndex: number;
  /** Line where the document's content starts, 1-based. */
  line: number;
  /** Validated, defaults applied. */
  migration: Migration;
  /** Where a data path of this document is in the file (nearest existing node when absent). */
  locate(path: DataPath): Position;
  /**
   * Where character `index` of the string at `path` is: for a problem inside a value (a filter's bad
   * token). Optional so hand-built migrations in tests need not provide it; locate() stands in.
   */
  locateWithin?(path: DataPath, index: number): Position;
}
