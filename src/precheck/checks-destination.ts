// Checks on the Kafka side: the brokers answer, topic names are ones Kafka accepts, and no topic
// holding someone else's messages would be written into (DTS's "Precheck and Report Errors").
import { sinkKindOf } from '../connectors/registry.js';
import type { Check } from './types.js';
import { fail, kafkaOnly, listSome, pass, skip } from './outcome.js';
import { topicCollisions, topicNameProblem, topicsWritten } from './topic-names.js';

export const destinationConnection: Check = {
  id: 'destination.connection',
  run(ctx) {
    const d = ctx.migration.spec.destination;
    const kind = sinkKindOf(d);
    const where = kind.where(d);
    const c = ctx.destination.connection;
    if (c.ok) {
      const n = ctx.destination.topics.ok ? `, ${ctx.destination.topics.value.length} topic(s) on the cluster` : '';
      return pass(`connected to ${where}${n}`, 'a connection to the destination');
    }
    return fail(c.error, `a connection to ${where}`, 'mig cannot reach the destination', c.hint ?? kind.reachFix);
  },
};

export const topicNames: Check = {
  id: 'destination.topic-names',
  run: (ctx) => kafkaOnly(ctx, () => {
    const topics = topicsWritten(ctx.migration);
    const bad = topics.map((t) => [t, topicNameProblem(t)] as const).filter(([, p]) => p !== undefined);
    const expected = "letters, digits, '.', '_' and '-', at most 249 characters, not '.' or '..'";
    if (bad.length === 0) return pass(listSome(topics), expected);
    return fail(bad.map(([t, p]) => `'${t}' ${p}`).join('; '), expected, 'Kafka refuses to create topics with these names', 'rename the topics in spec.destination and spec.objects[].tables[].topic');
  }),
};

export const topicCollision: Check = {
  id: 'destination.topic-collision',
  run: (ctx) => kafkaOnly(ctx, () => {
    const ours = topicsWritten(ctx.migration);
    const existing = ctx.destination.topics.ok ? ctx.destination.topics.value : undefined;
    const found = topicCollisions(ours, existing);
    const expected = "no two topic names that differ only by '.' versus '_'";
    const note = existing ? '' : 'Kafka could not be reached: compared the spec\'s own topics only';
    if (found.length === 0) return pass(`no collisions among ${ours.length} topic(s)`, expected, note);
    return fail(
      found.map((c) => `${c.topic} collides with ${c.existing ? 'existing topic ' : ''}${c.with}`).join('; '),
      expected,
      "Kafka's metric names turn '.' into '_', so the broker refuses to create a topic that differs from another only there",
      `rename ${listSome([...new Set(found.map((c) => c.topic))])} so that it differs by more than '.' versus '_'`,
    );
  }),
};

/**
 * Re-runs adopt the topics mig recorded, and a topic created empty beforehand (as DTS needs on
 * managed Kafka) is adopted too. What remains is a topic someone else already wrote to. Under
 * conflictMode: ignore mig writes there anyway, with DTS's rule: the full load keeps what is there
 * (it appends after the existing messages) and incremental changes overwrite (later messages win
 * per key for consumers and compaction).
 */
export const existingTopics: Check = {
  id: 'destination.existing-topics',
  run: (ctx) => kafkaOnly(ctx, (dest) => {
    const mode = ctx.migration.spec.conflictMode ?? 'error';
    const expected = 'topics with messages exist only if this migration created them';
    if (mode === 'ignore') return skip('conflictMode is ignore: existing messages are kept and mig appends after them; per key, later messages win', expected);
    if (!ctx.destination.connection.ok) return skip(`not checked: Kafka could not be reached (${ctx.destination.connection.error})`, expected);
    const conflicts: string[] = [];
    const unknown: string[] = [];
    for (const [topic, n] of ctx.destination.messages) {
      if (!n.ok) unknown.push(`${topic} (${n.error})`);
      else if (n.value > 0) {
        const owner = ctx.otherTopics.get(topic);
        conflicts.push(`${topic} (${n.value} message(s)${owner ? `, written by migration ${owner}` : ''})`);
      }
    }
    if (conflicts.length === 0) {
      const adopted = [...ctx.destination.messages.keys()];
      const note = unknown.length > 0 ? `could not count messages in ${listSome(unknown)}` : adopted.length > 0 ? `empty topics created outside mig are adopted: ${listSome(adopted)}` : '';
      return pass(adopted.length > 0 ? `${adopted.length} empty topic(s) not created by mig` : 'no topics with messages outside this migration\'s state', expected, note);
    }
    const brokers = dest.brokers[0];
    const names = [...ctx.destination.messages].filter(([, n]) => n.ok && n.value > 0).map(([t]) => t);
    return fail(
      `not created by this migration, yet holding messages: ${listSome(conflicts)}`,
      expected,
      'another producer (or an earlier migration whose state is gone) wrote these; mig would mix its messages with theirs. Set spec.conflictMode: ignore to append after them',
      names.map((t) => `kafka-topics.sh --bootstrap-server ${brokers} --delete --topic ${t}`).join('; ') + ' (or choose other topic names, or set spec.conflictMode: ignore)',
    );
  }),
};
