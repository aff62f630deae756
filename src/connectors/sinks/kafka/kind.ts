// The Kafka sink kind: where a table's rows go (its topic), what the plan shows and diffs of the
// destination's settings, the live topics for drift, the sink apply writes through, and what the
// precheck reads of the cluster.
import type { KafkaDestination, Migration, TableSpec } from '../../../spec/schema.js';
import { ddlPolicyOf } from '../../../spec/ddl-policy.js';
import type { LiveDestination, LiveTopics } from '../../../model/targets.js';
import type { SinkKind } from '../../contract.js';
import { collectSettingChanges } from '../../setting-changes.js';
import { KafkaAdmin } from './admin.js';
import { classifyKafkaError } from '../../kafka/index.js';
import { openKafkaSink } from './change-sink.js';
import { resolveKafkaSecrets } from '../../kafka/secrets.js';
import { kafkaPrecheckFacts } from './precheck-facts.js';
import { openKafkaVerifier } from './verify.js';
import { checkpointTopicOf, forgetKafkaCheckpoints } from './checkpoint-topic.js';
import { deadLetterTopicOf } from './dead-letters.js';

export const kafkaSink: SinkKind<KafkaDestination> = {
  type: 'kafka',
  label: 'Kafka',
  classify: classifyKafkaError,
  targetNoun: 'topic',
  targetKind: 'topic',
  targetOf: (d, _database, t) => t.topic ?? d.topic,
  snapshotLayout: () => undefined,
  // The checkpoint topic of delivery exactly-once has one partition: a migration's records stay in order.
  extraTopics: (d, m) => {
    const dl = deadLetterTopicOf(m);
    return [
      ...(d.ddlTopic ? [[d.ddlTopic, d.partitions] as [string, number]] : []),
      ...(checkpointTopicOf(d) ? [[checkpointTopicOf(d)!, 1] as [string, number]] : []),
      ...(dl ? [[dl, d.partitions] as [string, number]] : []),
    ];
  },
  describe: (d) =>
    `${d.format}, ${d.compression ?? 'lz4'}, partitioning ${d.partitioning?.policy ?? 'primary-key'}, acks ${d.acks ?? 'all'}${d.delivery === 'exactly-once' ? `, exactly-once (checkpoints in ${checkpointTopicOf(d)})` : ''}${d.ddlTopic ? `, DDL to ${d.ddlTopic}` : ''}${d.nameCase && d.nameCase !== 'source' ? `, names ${d.nameCase} case` : ''}`,
  where: (d) => d.brokers.join(', '),
  reachFix: 'check spec.destination.brokers and that the brokers are running',
  keylessConsequence: {
    plan: 'its messages have no key (all on partition 0), and consumers cannot tell duplicates apart',
    apply: 'its messages have no key, so consumers cannot tell duplicates apart',
    precheck: 'consumers may see duplicates, and all its messages go to partition 0',
  },
  copiesViews: false,
  replicatesDdl: true,
  targetColumn: 'TOPIC',
  planNotes: (m) => ddlOnDataTopicNotes(m),
  settingChanges: (da, db) =>
    collectSettingChanges((field) => {
      field('brokers', da.brokers, db.brokers, 'the same topics are expected on the new bootstrap list');
      field('format', da.format, db.format, 'messages from the checkpoint on use the new format; consumers must read both until the old messages expire', ['destructive']);
      field('partitioning', da.partitioning?.policy ?? 'primary-key', db.partitioning?.policy ?? 'primary-key', 'partition policy change breaks per-key ordering', ['breaks-key-order']);
      field('ddlTopic', da.ddlTopic, db.ddlTopic, 'DDL from the checkpoint on goes to the new topic');
      field('nameCase', da.nameCase ?? 'source', db.nameCase ?? 'source', 'names in messages from the checkpoint on change case');
      field('compression', da.compression ?? 'lz4', db.compression ?? 'lz4', 'new batches use it; consumers read either');
      const acks = db.acks ?? 'all';
      field('acks', da.acks ?? 'all', acks, acks === 'all' ? 'every checkpoint waits for all in-sync replicas' : 'a broker failure can lose changes mig already checkpointed', acks === 'all' ? [] : ['destructive']);
      field('delivery', da.delivery ?? 'at-least-once', db.delivery ?? 'at-least-once', (db.delivery ?? 'at-least-once') === 'exactly-once'
        ? 'from the checkpoint on each batch of changes and the position after it are one Kafka transaction (consumers should read read_committed)'
        : 'from the checkpoint on a crash can send changes again');
      field('checkpointTopic', checkpointTopicOf(da), checkpointTopicOf(db), 'where the exactly-once checkpoints are kept');
      field('oversizedRow', da.oversizedRow ?? 'fail', db.oversizedRow ?? 'fail', 'applies to rows from the checkpoint on');
      field('maxMessageBytes', da.maxMessageBytes ?? 10485760, db.maxMessageBytes ?? 10485760, 'applies to rows from the checkpoint on');
      field('schemaRegistry', da.schemaRegistry?.url, db.schemaRegistry?.url, 'value schemas are registered there from now on');
      field('sasl', da.sasl && { ...da.sasl, password: '(secret)' }, db.sasl && { ...db.sasl, password: '(secret)' }, 'authentication changed');
      field('tls', da.tls, db.tls, 'connection security changed');
    }),
  inspect: async (m, d, specDir, known): Promise<LiveDestination> => ({ topics: await inspectTopics(d, [...new Set([...topicsOf(m, d), ...known])], specDir) }),
  offline: () => ({ topics: { ok: false, error: 'offline' } }),
  open: (d, r) => openKafkaSink({ ...r, dest: d }),
  precheckFacts: kafkaPrecheckFacts,
  verifier: openKafkaVerifier,
  checkpointRecord: {
    where: (d) => (checkpointTopicOf(d) ? `topic ${checkpointTopicOf(d)}` : undefined),
    forget: (m, d, specDir) => forgetKafkaCheckpoints(m, d, specDir),
  },
  createdTargets: (ms) => Object.entries(ms.topics).filter(([, t]) => t.created).map(([name]) => name),
  dropTargets: async (_m, d, specDir, topics) => {
    const admin = await KafkaAdmin.connect(d, await resolveKafkaSecrets(d, specDir));
    try {
      await admin.deleteTopics(topics);
    } finally {
      await admin.close();
    }
  },
};

export async function inspectTopics(dest: KafkaDestination, topics: string[], specDir: string): Promise<LiveTopics> {
  let admin: KafkaAdmin | undefined;
  try {
    admin = await KafkaAdmin.connect(dest, await resolveKafkaSecrets(dest, specDir), 1);
    const found = await admin.describe(topics);
    return { ok: true, topics: new Map([...found.values()].map((t) => [t.name, t.partitions])) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    await admin?.close();
  }
}

/**
 * DTS's default puts DDL messages on the table's data topic when no ddlTopic is set; mig keeps that,
 * but consumers reading a data topic as row changes trip over them (Flink's canal-json format fails
 * the job on any type but INSERT/UPDATE/DELETE/CREATE), so the plan warns.
 */
export function ddlOnDataTopicNotes(m: Migration): { message: string; hint: string; severity: 'warning' }[] {
  const d = m.spec.destination;
  if (d.type !== 'kafka' || d.ddlTopic || !m.spec.types.includes('incremental')) return [];
  const replicated = (t: TableSpec | undefined) => ddlPolicyOf(m.spec, t).policy === 'replicate';
  const ddl = m.spec.objects.some((o) => (o.tables ? o.tables.some(replicated) : replicated(undefined)));
  if (!ddl) return [];
  const consumers = d.format === 'canal-json'
    ? "Flink's canal-json format fails the job on a type other than INSERT, UPDATE, DELETE or CREATE (e.g. ALTER) unless ignore-parse-errors is set"
    : 'consumers that read the data topics as row changes must skip them';
  return [{
    severity: 'warning',
    message: `DDL is replicated into the tables' data topics (no destination.ddlTopic, as DTS by default): ${consumers}`,
    hint: 'set spec.destination.ddlTopic to send DDL to a topic of its own, or set spec.ddl: ignore (or ddl: ignore on the tables concerned)',
  }];
}

/** Every topic a spec may touch: the default one and each table's own. */
export function topicsOf(m: Migration, dest: KafkaDestination): string[] {
  const out = new Set<string>([dest.topic]);
  for (const o of m.spec.objects) for (const t of o.tables ?? []) if (t.topic) out.add(t.topic);
  return [...out];
}
