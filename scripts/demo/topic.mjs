// Prints every message of the given topics, one line each: partition, offset, key, value; or
// deletes them (`delete`). Reads with mig's own Kafka client from the build.
import { randomUUID } from 'node:crypto';
import { TopicAdmin } from '../../dist/connectors/kafka/topic-admin.js';
import { readTopic } from '../../dist/connectors/kafka/topic-read.js';

const [mode, brokers, ...topics] = process.argv.slice(2);
const endpoint = { brokers: brokers.split(','), clientId: 'mig-demo' };
const admin = new TopicAdmin(endpoint, { retries: 3 });
try {
  if (mode === 'delete') {
    await admin.deleteTopics(topics);
  } else {
    for (const topic of topics) {
      const ranges = (await admin.offsets(topic)).filter((r) => r.high > r.low);
      const total = ranges.reduce((a, r) => a + Number(r.high - r.low), 0);
      console.log(`\n--- topic ${topic}: ${total} message(s)`);
      if (total === 0) continue;
      const groupId = `mig-demo-${randomUUID()}`;
      const lines = [];
      await readTopic(
        { endpoint, retries: 3, topic, groupId, from: new Map(ranges.map((r) => [r.partition, r.low])), until: new Map(ranges.map((r) => [r.partition, r.high])) },
        (m) => void lines.push([m.partition, m.offset, `p${m.partition}@${m.offset} key=${m.key?.toString() ?? 'null'} ${m.value?.toString() ?? 'null'}`]),
      );
      await admin.deleteGroup(groupId).catch(() => undefined);
      for (const [, , l] of lines.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))) console.log(l);
    }
  }
} finally {
  await admin.close();
}
