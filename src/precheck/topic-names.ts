// Kafka's own rules for topic names, as the broker applies them when a topic is created
// (org.apache.kafka.common.internals.Topic): legal characters, length, and '.'/'_' collisions.
import { sinkKindOf } from '../connectors/registry.js';
import type { Migration } from '../spec/schema.js';
import { topicPartitionCounts } from '../spec/semantic.js';

export const MAX_TOPIC_LENGTH = 249;

/** Why Kafka would refuse `name`, or undefined when it is legal. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name === '.' || name === '..') return `is '${name}', which Kafka reserves`;
  if (name.length > MAX_TOPIC_LENGTH) return `is ${name.length} characters long (at most ${MAX_TOPIC_LENGTH})`;
  const bad = [...new Set(name.replace(/[A-Za-z0-9._-]/g, ''))];
  if (bad.length > 0) return `contains ${bad.map((c) => `'${c}'`).join(', ')} (only letters, digits, '.', '_' and '-' are allowed)`;
  return undefined;
}

/**
 * Kafka's metric names turn '.' into '_', so the broker refuses a new topic whose name differs
 * from an existing one only there (InvalidTopicException: "collides with existing topic").
 */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export interface Collision {
  topic: string;
  with: string;
  /** Whether `with` already exists on the cluster (else both are this migration's). */
  existing: boolean;
}

/**
 * Topics of `ours` the broker would refuse to create. Names that both already exist were
 * accepted by an older broker and are left alone; `existing` undefined means the list is unknown.
 */
export function topicCollisions(ours: readonly string[], existing: readonly string[] | undefined): Collision[] {
  const onCluster = new Set(existing ?? []);
  const out: Collision[] = [];
  const seen = new Map<string, string>();
  for (const t of ours) {
    const k = collisionKey(t);
    const prior = seen.get(k);
    if (prior !== undefined && prior !== t && !(onCluster.has(prior) && onCluster.has(t))) out.push({ topic: t, with: prior, existing: false });
    else if (prior === undefined) seen.set(k, t);
  }
  if (existing) {
    const byKey = new Map<string, string>();
    for (const e of existing) byKey.set(collisionKey(e), e);
    for (const t of ours) {
      const other = byKey.get(collisionKey(t));
      if (!onCluster.has(t) && other !== undefined && other !== t) out.push({ topic: t, with: other, existing: true });
    }
  }
  return out;
}

/** Every topic the migration writes: data topics, the default topic and the DDL topic. */
export function topicsWritten(m: Migration): string[] {
  const out = [...topicPartitionCounts(m.spec).keys()];
  const d = m.spec.destination;
  for (const [topic] of sinkKindOf(d).extraTopics(d, m)) if (!out.includes(topic)) out.push(topic);
  return out;
}
