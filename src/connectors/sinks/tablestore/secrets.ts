// What a Tablestore connection needs from outside the spec: the AccessKey pair behind its secret
// references, resolved just before connecting and never stored or printed.
import type { TablestoreDestination } from '../../../spec/schema.js';
import { projectRootOf, resolveSecret, type SecretContext } from '../../../spec/secrets.js';

export interface TablestoreSecrets {
  accessKeyId: string;
  accessKeySecret: string;
}

/** Resolves spec.destination.accessKeyId/accessKeySecret against the project holding `specDir`; `env` is for tests. */
export async function resolveTablestoreSecrets(
  dest: Pick<TablestoreDestination, 'accessKeyId' | 'accessKeySecret'>,
  specDir: string,
  env?: SecretContext['env'],
): Promise<TablestoreSecrets> {
  const ctx = { projectRoot: projectRootOf(specDir), env };
  return {
    accessKeyId: await resolveSecret(dest.accessKeyId, 'spec.destination.accessKeyId', ctx),
    accessKeySecret: await resolveSecret(dest.accessKeySecret, 'spec.destination.accessKeySecret', ctx),
  };
}
