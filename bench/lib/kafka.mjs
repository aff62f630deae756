// Kafka for the benchmark: one admin client, the topics and consumer groups it creates (all deleted
// at the end), message counts, and consumers that read mig's topics back.
import { Kafka, logLevel } from 'kafkajs';
import { registerKafkajsCodecs } from './app.mjs';
import { BROKERS } from './services.mjs';

/** Topics are named bench.<case>.<tag>.…, so an interrupted earlier run's leftovers can be found. */
export const TOPIC_PREFIX = 'bench.';
const STALE = /^bench\.(full|raw|java|inc|size|lat|tidb)\.[0-9a-z]+\./;

export const kafka = new Kafka({ clientId: 'mig-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
let admin;
const createdTopics = new Set();
const createdGroups = new Set();

/** The consumers here read mig's lz4 batches: the codecs come from mig's own module. */
export async function connectKafka(app) {
  await registerKafkajsCodecs(app);
  admin = kafka.admin();
  await admin.connect();
  const stale = (await admin.listTopics()).filter((t) => STALE.test(t));
  if (stale.length > 0) await admin.deleteTopics({ topics: stale, timeout: 30000 });
}

/** A topic mig creates itself: deleted with the others at the end. */
export const noteTopic = (topic) => createdTopics.add(topic);

export async function createTopic(topic, configEntries = []) {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries }], waitForLeaders: true });
  createdTopics.add(topic);
}

export async function deleteTopics(topics) {
  const list = [...topics];
  if (list.length === 0) return;
  const existing = new Set(await admin.listTopics());
  const gone = list.filter((t) => existing.has(t));
  if (gone.length > 0) await admin.deleteTopics({ topics: gone, timeout: 30000 });
  for (const t of list) createdTopics.delete(t);
}

export async function topicCount(topic) {
  const offs = await admin.fetchTopicOffsets(topic);
  return offs.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
}

/** Sends values to partition 0 in 1000-message requests, acks=all. */
export async function produce(topic, values) {
  const p = kafka.producer();
  await p.connect();
  try {
    for (let i = 0; i < values.length; i += 1000) await p.send({ topic, acks: -1, messages: values.slice(i, i + 1000).map((value) => ({ value, partition: 0 })) });
  } finally {
    await p.disconnect();
  }
}

/**
 * Consumes a topic from the beginning with a fresh group, handing every message to onMessage(m,
 * receivedAtMs) until done() is true or timeoutMs passes. `ready` resolves once the group is joined.
 */
export function consumeTopic(topic, { onMessage, done, timeoutMs, maxWaitTimeInMs = 200 }) {
  const groupId = `mig-bench-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  createdGroups.add(groupId);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs, sessionTimeout: 30000 });
  let joined;
  const ready = new Promise((r) => (joined = r));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const finished = (async () => {
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, timeoutMs);
        const check = setInterval(() => {
          if (done()) {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          }
        }, 20);
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const now = Date.now();
              for (const m of batch.messages) onMessage(m, now);
            },
          })
          .catch((e) => {
            clearTimeout(timer);
            clearInterval(check);
            reject(e);
          });
      }).finally(() => joined());
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  })();
  return { ready, finished };
}

/** Every message of a topic (expected count known), with their key and value bytes. */
export async function readAll(topic, expected, timeoutMs = 60000) {
  const out = [];
  const { finished } = consumeTopic(topic, { onMessage: (m) => out.push({ key: m.key, value: m.value }), done: () => out.length >= expected, timeoutMs });
  await finished;
  return out;
}

export async function cleanupKafka() {
  if (!admin) return;
  await deleteTopics(createdTopics).catch((e) => process.stderr.write(`bench: could not delete topics: ${e.message}\n`));
  if (createdGroups.size > 0) await admin.deleteGroups([...createdGroups]).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
}
