// Where a migration's source is and how to log in: the spec's connection settings with the
// password resolved from the reference the spec holds, and the replication id mig registers with.
import { createHash } from 'node:crypto';
import type { Migration } from '../../../spec/schema.js';
import { projectRootOf, resolveMigrationSecrets } from '../../../spec/secrets.js';
import type { SourceEndpoint } from './connect.js';

export async function endpointFor(m: Migration, specDir: string): Promise<SourceEndpoint> {
  const secrets = await resolveMigrationSecrets(m, { projectRoot: projectRootOf(specDir) });
  return { spec: m.spec.source, password: secrets.get('spec.source.password')?.value };
}

/** Default replication server id: stable per migration name, away from small ids servers use. */
export function defaultServerId(name: string): number {
  const h = createHash('sha256').update(name).digest();
  return 100000 + (h.readUInt32BE(0) % 1_000_000_000);
}
