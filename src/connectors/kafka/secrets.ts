// What a Kafka connection needs from outside the spec: the SASL password behind its secret
// reference, and where the TLS CA file is. Resolved just before connecting, never stored.
import path from 'node:path';
import type { KafkaDestination } from '../../spec/schema.js';
import { projectRootOf, resolveSecret, type SecretContext } from '../../spec/secrets.js';

export interface KafkaSecrets {
  /** spec.destination.sasl.password, resolved. */
  saslPassword?: string;
  /** spec.destination.tls.ca as an absolute path (the spec's relative paths start at the project root). */
  caFile?: string;
}

/**
 * Resolves the destination's secret reference and file paths against the project that holds
 * `specDir`. `env` is for tests; mig itself reads process.env.
 */
export async function resolveKafkaSecrets(
  dest: KafkaDestination,
  specDir: string,
  env?: SecretContext['env'],
): Promise<KafkaSecrets> {
  const projectRoot = projectRootOf(specDir);
  const out: KafkaSecrets = {};
  if (dest.sasl) {
    out.saslPassword = await resolveSecret(dest.sasl.password, 'spec.destination.sasl.password', { projectRoot, env });
  }
  if (dest.tls?.ca) out.caFile = path.resolve(projectRoot, dest.tls.ca);
  return out;
}
