// `mig redrive` while streaming: the rows of set-aside changes are read again from the source by
// their keys, in the backfill's watermark windows, and written as the table's current rows. Never
// the old change itself: a later change of the key may have been written meanwhile, and writing the
// current row is the only order-safe repair (a key never goes back in time at the destination). A
// key the stream changes inside the window is left to the stream, which writes that newer change.
import type { SqlValue, TableInfo } from '../model/source-data.js';
import type { TableState } from '../state/model.js';
import { markRedriven } from '../state/redrive.js';
import { sqlValueOf } from '../connectors/dead-letter.js';
import { MigError } from '../util/errors.js';
import type { RunContext } from './context.js';
import type { WindowOutcome } from './backfill-window.js';

/** Keys read per window: one SELECT … WHERE (key) IN (…) of this many tuples. */
const KEYS_PER_WINDOW = 500;
/** Windows tried for one batch of keys the stream keeps touching before giving up. */
const WINDOW_ATTEMPTS = 20;

type ReadWindow = (shape: TableInfo, keys: SqlValue[][]) => Promise<WindowOutcome>;

export async function redrive<O>(ctx: RunContext<O>, ts: TableState, readWindow: ReadWindow): Promise<void> {
  const name = ctx.migration.metadata.name;
  const started = Date.now();
  let rows = 0;
  let gone = 0;
  let superseded = 0;
  let settled = 0;
  for (let attempt = 0; ts.redrive && ts.redrive.keys.length > 0; ) {
    if (ctx.signal.aborted) return;
    const shape = ctx.shapes.get(ts.id);
    if (!shape || shape.chunkKey.length === 0) {
      throw new MigError('redrive-no-key', `${name}: ${ts.id} has no key now, so its set-aside rows cannot be read again by key`, `copy the table again instead: mig apply --replace ${name}/${ts.id}`);
    }
    const batch = ts.redrive.keys.slice(0, KEYS_PER_WINDOW);
    const outcome = await readWindow(shape, batch.map((k) => k.map(sqlValueOf)));
    if (outcome === 'again') {
      if (++attempt >= WINDOW_ATTEMPTS) throw new MigError('backfill-busy', `${name}: ${ts.id} had its definition changed during each of ${WINDOW_ATTEMPTS} attempts to re-drive its set-aside rows`, `run mig redrive ${name} again once the table's schema changes are done`);
      continue;
    }
    rows += outcome.rows.length;
    superseded += outcome.superseded;
    gone += Math.max(0, batch.length - outcome.rows.length - outcome.superseded);
    settled += markRedriven(ctx.mstate, ts.id, batch, new Date().toISOString());
    const rest = ts.redrive.keys.slice(batch.length);
    if (rest.length > 0) ts.redrive = { ...ts.redrive, keys: rest };
    else delete ts.redrive;
    await ctx.checkpointer.save();
  }
  ctx.hook({ type: 'redrive-done', migration: name, table: ts.id, changes: settled, rows, gone, superseded, seconds: (Date.now() - started) / 1000 });
}


