// Reads what the precheck's Kafka checks look at: whether the brokers answer, every topic name on
// the cluster, and how many messages sit in topics this migration would write but did not create.
import type { KafkaDestination, Migration } from '../../../spec/schema.js';
import type { MigrationState } from '../../../state/model.js';
import type { DestinationFacts, Known } from '../../../model/precheck-facts.js';
import type { MigError } from '../../../util/errors.js';
import type { PrecheckFactsContext } from '../../contract.js';
import { kafkaError } from '../../kafka/client.js';
import { TopicAdmin } from '../../kafka/topic-admin.js';
import { resolveKafkaSecrets, type KafkaSecrets } from '../../kafka/secrets.js';
import { checkpointTopicOf } from './checkpoint-topic.js';

export function unreachableDestination(error: string, hint?: string): DestinationFacts {
  return { connection: { ok: false, error, hint }, topics: { ok: false, error: 'Kafka could not be reached' }, messages: new Map() };
}

/** The facts with the destination's secrets resolved; one that cannot be is a connection finding, not a crash. */
export function kafkaPrecheckFacts(_m: Migration, d: KafkaDestination, ctx: PrecheckFactsContext): Promise<DestinationFacts> {
  return resolveKafkaSecrets(d, ctx.specDir).then(
    (secrets) => gatherKafkaFacts(d, ctx.topics, secrets, ctx.state),
    (e: MigError) => unreachableDestination(e.message, e.hint ?? 'set the environment variable or file spec.destination.sasl.password refers to'),
  );
}

/** `topics`: every topic the migration writes. */
export async function gatherKafkaFacts(dest: KafkaDestination, topics: readonly string[], secrets: KafkaSecrets, state: MigrationState | undefined): Promise<DestinationFacts> {
  let admin: TopicAdmin | undefined;
  try {
    // One retry: a precheck should answer quickly when the brokers are down, not wait out apply's backoff.
    admin = new TopicAdmin(dest, { retries: 1, secrets });
    const onCluster = await admin.listTopics();
    const found = new Set(onCluster);
    const recorded = new Set(Object.keys(state?.topics ?? {}));
    const messages = new Map<string, Known<number>>();
    // The exactly-once checkpoint topic is shared by every migration on the cluster (one key each):
    // another migration's records there are expected, not a conflict.
    const shared = checkpointTopicOf(dest);
    for (const t of topics) {
      if (!found.has(t) || recorded.has(t) || t === shared) continue;
      messages.set(t, await countMessages(admin, t));
    }
    return { connection: { ok: true }, topics: { ok: true, value: onCluster }, messages };
  } catch (e) {
    const err = kafkaError(dest, e);
    return unreachableDestination(err.message, err.hint);
  } finally {
    await admin?.close();
  }
}

/** Messages still held: high watermark minus log start, summed over partitions. */
async function countMessages(admin: TopicAdmin, topic: string): Promise<Known<number>> {
  try {
    const offsets = await admin.offsets(topic);
    const n = offsets.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Number(p.low)), 0);
    return { ok: true, value: n };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
