// The shape of a semantic check and how it places a diagnostic in the document it came from.
import type { Diagnostic } from '../util/errors.js';
import type { LoadedMigration } from './loaded-migration.js';
import { formatPath, type DataPath } from './positions.js';

/** One check: looks at `m`, with every loaded migration (in file order) at hand for cross-file rules. */
export type SemanticCheck = (m: LoadedMigration, all: readonly LoadedMigration[]) => Diagnostic[];

export function at(m: LoadedMigration, path: DataPath, d: Omit<Diagnostic, 'file' | 'line' | 'col' | 'path'>): Diagnostic {
  return { ...d, file: m.file, ...m.locate(path), path: formatPath(path) };
}
