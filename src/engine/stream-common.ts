// The stream loop's start (the metadata session and the end of log to stop at) and its wait for
// the next event or tick.
import type { Connection } from 'mysql2/promise';
import type { BinlogPosition } from '../state/model.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { currentBinlogEnd } from '../connectors/sources/mysql/inspect.js';
import { comparePositions } from '../connectors/sources/mysql/position.js';
import type { RunContext } from './context.js';

export interface StreamStart {
  /** Session for table shapes and the like while streaming; the caller ends it. */
  meta: Connection;
  /** With --until-caught-up: the end of the log as of the start. */
  until?: { file: string; pos: number };
}

/**
 * Opens the metadata session, reads where to stop, and reports the start. Undefined when there is
 * nothing to stream (already at the target): the stop is reported and the session closed.
 */
export async function startStream<O>(ctx: RunContext<O>, from: BinlogPosition, untilCaughtUp: boolean): Promise<StreamStart | undefined> {
  const name = ctx.migration.metadata.name;
  const meta = await connectSource(ctx.endpoint);
  let until: StreamStart['until'];
  try {
    if (untilCaughtUp) until = await currentBinlogEnd(meta);
  } catch (e) {
    await meta.end().catch(() => undefined);
    throw e;
  }
  ctx.hook({ type: 'stream-start', migration: name, from, until });
  if (until && comparePositions(from, until) >= 0) {
    await meta.end().catch(() => undefined);
    ctx.hook({ type: 'stream-stop', migration: name, events: 0, checkpoint: ctx.mstate.checkpoint, reason: 'caught-up' });
    return undefined;
  }
  return { meta, until };
}

/** The loop sleeps until the reader pokes it (an event, an idle position, an error, a signal) or a tick passes. */
export class Waker {
  private wake: (() => void) | undefined;

  readonly poke = (): void => {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  };

  /** Resolves on the next poke, or after `ms` so a quiet stream still reaches its checkpoint. */
  async sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(this.poke, ms);
    });
    clearTimeout(timer);
  }
}
