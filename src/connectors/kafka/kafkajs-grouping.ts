// kafkajs 2.2.4 groups a batch by partition with `[...current, message]` per message, which is
// quadratic in the batch size: at mig's batch sizes it was ~10% of CPU in the full load and the
// stream (profiled by npm run bench -- --profile). This module replaces that one function, with
// the same contract, in Node's module cache before kafkajs loads it; it must be imported before
// `kafkajs` (client.ts imports it first). If kafkajs was already loaded, nothing changes.
import { createRequire } from 'node:module';

interface PartitionMeta {
  partitionId: number;
}
type Partitioner = (args: { topic: string; partitionMetadata: PartitionMeta[]; message: unknown }) => number;
type Grouping = (args: { topic: string; partitionMetadata: PartitionMeta[]; messages: unknown[]; partitioner: Partitioner }) => Record<number, unknown[]>;

const linear: Grouping = ({ topic, partitionMetadata, messages, partitioner }) => {
  if (partitionMetadata.length === 0) return {};
  const result: Record<number, unknown[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
};

const require = createRequire(import.meta.url);
try {
  const file = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
  require(file);
  const cached = require.cache[file];
  if (cached) cached.exports = linear;
} catch {
  // Another kafkajs layout: keep its own grouping (correct, only slower).
}

export const kafkajsGroupingPatched = true;
