// Settings the schema accepts whose implementation has not landed in this build yet: refused at
// validate time with a clear message, rather than accepted and ignored.
import type { Diagnostic } from '../util/errors.js';
import type { LoadedMigration } from './load.js';
import { formatPath, type DataPath } from './positions.js';

type Unavailable = { path: DataPath; present: (m: LoadedMigration['migration']) => boolean; what: string };

/** Removed entry by entry as each feature is wired end to end. */
export const UNAVAILABLE: Unavailable[] = [
  { path: ['spec', 'destination', 'sasl'], present: (m) => m.spec.destination.sasl !== undefined, what: 'sasl' },
  { path: ['spec', 'destination', 'tls'], present: (m) => m.spec.destination.tls !== undefined, what: 'tls' },
  { path: ['spec', 'destination', 'compression'], present: (m) => m.spec.destination.compression !== undefined && m.spec.destination.compression !== 'none', what: 'compression other than none' },
  { path: ['spec', 'destination', 'acks'], present: (m) => m.spec.destination.acks !== undefined && m.spec.destination.acks !== 'all', what: 'acks other than all' },
];

export function unavailableSettings(m: LoadedMigration): Diagnostic[] {
  return UNAVAILABLE.filter((u) => u.present(m.migration)).map((u) => ({
    severity: 'error',
    code: 'not-available',
    file: m.file,
    ...m.locate(u.path),
    path: formatPath(u.path),
    message: `${u.what} ${u.what.endsWith('s') && !u.what.includes(' ') ? 'are' : 'is'} not available in this version of mig`,
    fix: 'remove the setting, or upgrade mig',
  }));
}
