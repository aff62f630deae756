// Poison events at a Kafka destination: under onError dead-letter the refused change becomes a
// JSON message on the dead-letter topic, sent in its place in the stream, so it is acknowledged
// (or, exactly-once, committed) before the checkpoint passes it, and never lost or written twice
// more than the data topics are.
import type { Migration } from '../../../spec/schema.js';
import type { ApplyHook } from '../../../model/events.js';
import type { DesiredTable } from '../../../model/targets.js';
import { tableOnError, usesDeadLetters } from '../../../spec/error-policy.js';
import { deadLetterDocument, settleRefusal, type Refusal } from '../../dead-letter.js';
import type { OutboundMessage } from './message.js';

/** The dead-letter topic a migration writes to, when any of its tables may dead-letter. */
export function deadLetterTopicOf(m: Migration): string | undefined {
  if (!usesDeadLetters(m)) return undefined;
  return m.spec.deadLetter?.topic ?? `mig.dead-letters.${m.metadata.name}`;
}

/** The router's `refuse`: the table's policy applied, and the dead letter to send when it says so. */
export function kafkaRefusals(m: Migration, hook: ApplyHook, maxBytes: number): (r: Refusal, t: DesiredTable) => OutboundMessage | undefined {
  const topic = deadLetterTopicOf(m);
  const migration = m.metadata.name;
  return (r, t) => {
    const policy = tableOnError(m, t.settings);
    settleRefusal({ migration, policy, hook, deadLetter: policy === 'dead-letter' ? topic : undefined }, r);
    if (policy !== 'dead-letter' || topic === undefined) return undefined;
    const doc = deadLetterDocument(migration, r);
    let value = Buffer.from(JSON.stringify(doc));
    // A row too large for a message is too large for its dead letter too: the letter then keeps the
    // key and the error, and `mig redrive` reads the row from the source by that key.
    if (value.length > maxBytes) value = Buffer.from(JSON.stringify({ ...doc, before: undefined, after: undefined, imagesLeftOut: true }));
    return { topic, key: JSON.stringify([r.table, r.key]), value };
  };
}
