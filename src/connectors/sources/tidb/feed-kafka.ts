// The feed's Kafka connection: mig's Kafka client (SASL, TLS, retries) built from the TiDB
// source's binlogKafka, its secrets, and errors that point at spec.source.binlogKafka.
import path from 'node:path';
import type { BinlogKafka } from '../../../spec/schema.js';
import { projectRootOf, resolveSecret, type SecretContext } from '../../../spec/secrets.js';
import { errorText, kafkaError } from '../../kafka/client.js';
import { TopicAdmin } from '../../kafka/topic-admin.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import { MigError } from '../../../util/errors.js';

const FIELD = 'spec.source.binlogKafka';

/** The feed's SASL password and CA path, resolved against the project that holds `specDir`. */
export async function resolveFeedSecrets(feed: BinlogKafka, specDir: string, env?: SecretContext['env']): Promise<KafkaSecrets> {
  const projectRoot = projectRootOf(specDir);
  const out: KafkaSecrets = {};
  if (feed.sasl) out.saslPassword = await resolveSecret(feed.sasl.password, `${FIELD}.sasl.password`, { projectRoot, env });
  if (feed.tls?.ca) out.caFile = path.resolve(projectRoot, feed.tls.ca);
  return out;
}

/** An admin client of the feed's cluster; a setting that cannot be used fails as the feed's error. */
export function feedAdmin(feed: BinlogKafka, secrets?: KafkaSecrets, retries?: number): TopicAdmin {
  try {
    return new TopicAdmin(feed, { secrets, retries });
  } catch (e) {
    throw feedError(feed, e);
  }
}

/**
 * A Kafka failure as a MigError about the feed. The shared mapping names the destination's
 * settings; here they are the source's, and a missing topic is the feed's, not one mig creates.
 */
export function feedError(feed: BinlogKafka, e: unknown): MigError {
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic|topic.*(not exist|unknown)|Unknown topic/i.test(errorText(e))) {
    return topicMissing(feed);
  }
  const m = kafkaError(feed, e);
  const fix = (s: string | undefined) => s?.replaceAll('spec.destination', FIELD);
  const out = new MigError(m.code, fix(m.message)!, fix(m.hint));
  return out;
}

export function topicMissing(feed: BinlogKafka): MigError {
  return new MigError('feed-topic-missing', `the change feed topic ${feed.topic} does not exist on ${feed.brokers.join(', ')}`,
    `set ${FIELD}.topic to the topic Drainer (or TiCDC) writes to; Drainer's default is <cluster-id>_obinlog`);
}
