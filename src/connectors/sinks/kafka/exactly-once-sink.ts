// The Kafka sink under delivery exactly-once: a transactional sink, as the MySQL one is. Each batch
// of source transactions the engine hands over is written with the record of the position after it
// in one Kafka transaction (checkpoint-topic.ts), so after any crash a read_committed consumer has
// seen each change once and the stream resumes exactly after the last committed batch. Full-load
// chunks are one transaction each: a consumer never sees part of one; a crash after a chunk's commit
// and before the state recorded it sends that chunk again (rows of the snapshot, not changes).
import type { KafkaDestination } from '../../../spec/schema.js';
import type { TableInfo } from '../../../model/source-data.js';
import type { RecordedPosition, SinkCapabilities, TransactionalSink, UpstreamTransaction } from '../../contract.js';
import { classifyKafkaError } from '../../kafka/client.js';
import type { KafkaSecrets } from '../../kafka/secrets.js';
import type { OutboundMessage } from './message.js';
import type { Router } from './router.js';
import type { KafkaWriter } from './writer.js';
import { checkpointMessage, readCheckpointRecords } from './checkpoint-topic.js';

const capabilities: SinkCapabilities = { checkpoint: 'transactional', perKeyOrder: true, idempotentReplay: false, chunksInFlight: 1, queueSize: 5000 };

export interface ExactlyOnceParts {
  dest: KafkaDestination;
  secrets: KafkaSecrets;
  migration: string;
  checkpointTopic: string;
  router: Router;
  writer: KafkaWriter;
  shapes: Map<string, TableInfo>;
}

export function exactlyOnceSink(p: ExactlyOnceParts): TransactionalSink<OutboundMessage> {
  const shapeOf = (id: string) => p.shapes.get(id);
  // The last committed position per feed: a transaction at or before it was written already.
  const recorded = new Map<string, bigint>();
  const done = (t: UpstreamTransaction) => {
    const at = recorded.get(t.checkpoint.feed);
    return at !== undefined && BigInt(t.checkpoint.offset) <= at;
  };
  return {
    capabilities,
    snapshotRow: (shape, row, es, now) => p.router.snapshotRow(shape, row, es, now),
    change: (ev, shapes, now) => p.router.change(ev, shapes, now),
    send: (items) => p.writer.sendTransaction(items),
    applyTransactions: async (txs) => {
      const fresh = txs.filter((t) => !done(t));
      if (fresh.length === 0) return { applied: 0, rows: 0 };
      const now = Date.now();
      const messages: OutboundMessage[] = [];
      let rows = 0;
      for (const t of fresh) {
        for (const ev of t.events) {
          const m = p.router.change(ev, shapeOf, now);
          if (!m) continue;
          messages.push(m);
          if (ev.kind === 'row') rows++;
        }
      }
      const last = fresh.at(-1)!.checkpoint;
      messages.push(checkpointMessage(p.checkpointTopic, p.migration, last.feed, last.offset, last.commitTs));
      await p.writer.sendTransaction(messages);
      recorded.set(last.feed, BigInt(last.offset));
      return { applied: fresh.length, rows };
    },
    readCheckpoints: async (): Promise<RecordedPosition[]> => {
      const records = await readCheckpointRecords(p.dest, p.secrets, p.checkpointTopic, p.migration);
      for (const r of records) if (r.kafkaOffset !== null) recorded.set(r.feed, BigInt(r.kafkaOffset));
      return records;
    },
    // DDL goes out as a message inside its batch's transaction: nothing is left pending by a crash.
    finishPendingDdl: async () => [],
    classify: classifyKafkaError,
    close: () => p.writer.close(),
  };
}
