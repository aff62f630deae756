// A topic as a read_committed consumer sees it, read with mig's own reader: what a consumer of a
// transactional (exactly-once) topic gets, without the transaction markers a plain reader waits on.
import { KAFKA_BROKERS, uniqueName } from '../../integration/helpers/env.js';
import { TopicAdmin } from '../../../src/connectors/kafka/topic-admin.js';
import { readTopic } from '../../../src/connectors/kafka/topic-read.js';

const endpoint = { brokers: KAFKA_BROKERS };

export interface CommittedMessage {
  partition: number;
  key: string | null;
  value: string;
}

export async function committed(topic: string): Promise<CommittedMessage[]> {
  const admin = new TopicAdmin(endpoint);
  try {
    const ranges = (await admin.offsets(topic, { committed: true })).filter((r) => r.high > r.low);
    const out: CommittedMessage[] = [];
    const groupId = uniqueName('committed-reader');
    await readTopic({ endpoint, topic, groupId, from: new Map(ranges.map((r) => [r.partition, r.low])), until: new Map(ranges.map((r) => [r.partition, r.high])), signal: AbortSignal.timeout(60_000) },
      (m) => void out.push({ partition: m.partition, key: m.key?.toString() ?? null, value: m.value!.toString() }));
    await admin.deleteGroup(groupId).catch(() => undefined);
    return out;
  } finally {
    await admin.close();
  }
}
