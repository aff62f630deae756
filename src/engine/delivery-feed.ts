// Delivery of a TiDB feed into a transactional sink (MySQL): each upstream transaction (one feed
// message) is applied with its topic:partition offset in the same destination transaction, so a
// crash can neither lose one nor apply one twice; the state keeps a copy of the positions for status.
import type { TransactionalSink, UpstreamTransaction } from '../connectors/contract.js';
import type { RunContext } from './context.js';
import type { Delivery } from './delivery.js';
import { countersFor, countWritten } from './counters.js';

/** Enough to share a commit among many small transactions, small enough to keep locks short. */
export const FEED_BATCH = 500;

export interface FeedProgress {
  /** Upstream transactions applied since the stream started. */
  transactions: number;
  /** The last position written, as text. */
  position: string;
}

export interface FeedDelivery extends Delivery<FeedProgress> {
  take(tx: UpstreamTransaction): void;
  /** The last position written, as text ('' before the first). */
  readonly last: string;
  /** Upstream transactions applied so far. */
  readonly transactions: number;
}

export function feedDelivery<O>(ctx: RunContext<O>, sink: TransactionalSink<unknown>, batch = FEED_BATCH): FeedDelivery {
  const feedState = ctx.mstate.feed!;
  let queue: UpstreamTransaction[] = [];
  let applied = 0;
  let last = '';
  return {
    take: (tx) => {
      queue.push(tx);
    },
    get backlog() {
      return queue.length;
    },
    // A feed message is a whole upstream transaction.
    midTransaction: false,
    get last() {
      return last;
    },
    get transactions() {
      return applied;
    },
    flush: async () => {
      if (queue.length === 0) return false;
      const txs = queue.splice(0, batch);
      const skippedBefore = countersFor(ctx.mstate).skipped;
      const r = await sink.applyTransactions(txs);
      countWritten(ctx.mstate, txs.reduce((n, tx) => n + tx.events.length, 0), skippedBefore);
      applied += r.applied;
      for (const tx of txs) {
        const cp = tx.checkpoint;
        feedState.positions[cp.feed] = { offset: String(cp.offset), ...(cp.commitTs !== undefined ? { commitTs: String(cp.commitTs) } : {}) };
        last = `${cp.feed} offset ${cp.offset}${cp.commitTs !== undefined ? ` (commit ts ${cp.commitTs})` : ''}`;
      }
      await ctx.checkpointer.saveThrottled();
      return { transactions: applied, position: last };
    },
    // Every message moves its partition's position when applied; there is nothing to settle.
    settle: async () => false,
  };
}
