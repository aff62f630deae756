// The one stream loop every pair runs: binlog → Kafka, Tablestore or MySQL, and a TiDB feed →
// MySQL. A reader puts changes into a delivery; the loop writes them out one flush at a time,
// pauses the reader while the sink's queue is full, moves idle checkpoints, and stops on a signal
// or once the source reports it is caught up (--until-caught-up), after writing what is queued.
// The incremental throttle lives here too, for every pair: readers charge what they hand on
// (LoopControl.read), and the loop holds the next flush until that is paid for; meanwhile the queue
// fills to the sink's size and the reader pauses, as when the destination is slow.
import type { RunContext } from './context.js';
import type { ChangeEvent } from '../model/source-data.js';
import { changeCost, incrementalLimiter, type Limiter } from './throttle.js';
import type { Delivery, QuietPoint } from './delivery.js';
import { Waker } from './stream-common.js';

/** The reading side as the loop drives it. */
export interface LoopReader {
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  /** Set once reading failed; the loop throws it. */
  failure(): Error | undefined;
  /**
   * Set once the reader stopped handing changes on before one the stream must not pass (a DDL under
   * `ddl: stop`): the loop writes what was handed on before it, checkpoints, then throws it.
   */
  halted?(): Error | undefined;
  /**
   * Whether the stream may stop as caught up, asked when nothing is queued: a quiet point to record
   * (binlog), true when there is none to record (a feed read to its end), undefined when not yet.
   */
  caughtUp(): QuietPoint | true | undefined;
}

export interface LoopHooks<Progress> {
  progress(p: Progress): void;
  stopped(reason: 'caught-up' | 'signal'): void;
}

/** What readers use to talk to the loop while it runs. */
export class LoopControl {
  readonly waker = new Waker();
  private quietWaiters: (() => void)[] = [];
  /** spec.throttle.incremental, set by the loop as it starts (a new spec means a new run, so a new loop). */
  limiter: Limiter | undefined;

  /** Wakes the loop: something was read, an error happened, or the signal fired. */
  readonly poke = (): void => this.waker.poke();

  /** Charges changes a reader hands to the delivery to the incremental throttle. */
  read(events: readonly ChangeEvent[]): void {
    if (this.limiter?.limited) this.limiter.charge(changeCost(events));
  }

  /** Resolves once everything read so far is written (a DDL waits for it before shapes change). */
  quiet(): Promise<void> {
    return new Promise((resolve) => {
      this.quietWaiters.push(resolve);
      this.poke();
    });
  }

  /** Called by the loop when nothing is queued or in flight, and when it ends. */
  releaseQuiet(): void {
    const waiting = this.quietWaiters;
    this.quietWaiters = [];
    for (const w of waiting) w();
  }
}

export async function runStreamLoop<O, P>(ctx: RunContext<O>, control: LoopControl, reader: LoopReader, delivery: Delivery<P>, hooks: LoopHooks<P>): Promise<void> {
  const highWater = ctx.sink.capabilities.queueSize;
  const stop = () => control.poke();
  ctx.signal.addEventListener('abort', stop);
  control.limiter = incrementalLimiter(ctx.migration);
  try {
    await reader.start();
    for (;;) {
      const failure = reader.failure();
      if (failure) throw failure;
      // Throttled: what was read is not paid for yet. The wait ends early on a poke (a read, a
      // failure, the signal) to look again; a stop never waits for the throttle.
      const owed = ctx.signal.aborted ? 0 : control.limiter.delayMs();
      if (owed > 0) {
        await control.waker.sleep(Math.min(owed, 1000));
        continue;
      }
      // flush() takes the queue before it awaits: the reader goes on while the sink writes.
      const flushing = delivery.flush();
      if (delivery.backlog < highWater) reader.resume();
      const flushed = await flushing;
      if (flushed !== false) {
        if (flushed !== undefined) hooks.progress(flushed);
        // Under a steady load something is always queued: a stop must not wait for a quiet moment.
        if (!ctx.signal.aborted) continue;
      }
      control.releaseQuiet();
      if (await delivery.settle({ stopping: false })) continue;
      const halt = reader.halted?.();
      if (halt) {
        // Everything before the halt is written; nothing after it was taken, so the checkpoint stays before it.
        await delivery.settle({ stopping: true });
        await ctx.checkpointer.save();
        throw halt;
      }
      if (ctx.signal.aborted) {
        await delivery.settle({ stopping: true });
        await ctx.checkpointer.save();
        hooks.stopped('signal');
        return;
      }
      // Asked only with nothing queued (the reader may have handed more on while the loop awaited),
      // and settled in the same tick, so nothing read can slip in between.
      const caughtUp = delivery.midTransaction || delivery.backlog > 0 ? undefined : reader.caughtUp();
      if (caughtUp !== undefined) {
        await delivery.settle({ stopping: true, caughtUp: caughtUp === true ? undefined : caughtUp });
        await ctx.checkpointer.save();
        hooks.stopped('caught-up');
        return;
      }
      await ctx.checkpointer.saveIfDirty();
      await control.waker.sleep(200);
    }
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    // A reader waiting for the loop must not wait for ever once the loop is gone.
    control.releaseQuiet();
    await reader.stop();
  }
}
