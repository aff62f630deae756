// Source row changes as destination statements, under mapped names. Planned before the
// destination transaction starts, so describing tables holds no locks meanwhile.
import type { ChangeEvent } from '../../../model/source-data.js';
import { MigError } from '../../../util/errors.js';
import type { ApplierContext } from './applier-context.js';
import { deleteSql, keepsKey, keyCondition, tuple, updateSql, writable } from './dml.js';
import type { Op } from './statements.js';

/** The statements for the row changes among `events`; `ignored` counts changes the spec leaves out. */
export async function planChanges(ctx: ApplierContext, events: ChangeEvent[]): Promise<{ ops: Op[]; ignored: number }> {
  const ops: Op[] = [];
  let ignored = 0;
  for (const ev of events) {
    if (ev.kind !== 'row') continue;
    const map = ctx.o.names.table(ev.database, ev.table);
    if (!map || !map.operations.has(ev.op)) {
      ignored++;
      continue;
    }
    const t = await ctx.table(map.target);
    const what = `${ev.op} on ${map.target.database}.${map.target.table}`;
    const origin = ctx.o.refusals ? { source: `${ev.database}.${ev.table}`, kind: 'change' as const, ev } : undefined;
    const after = ev.after && writable(t, map.project(ev.after));
    const before = ev.before && map.project(ev.before);
    if (ev.op === 'insert' && after) {
      const columns = Object.keys(after);
      ops.push({ kind: 'insert', table: t, columns, key: `${map.target.database}.${map.target.table}\u0000${columns.join('\u0000')}`, tuple: tuple(t, columns, after), what, origin });
    } else if (ev.op === 'update' && after && before) {
      if (keepsKey(t, before, after) && Object.keys(after).length === Object.keys(writable(t, before)).length) {
        // Same key, whole row: UPDATE … WHERE key, or the after image when the row is missing, is
        // exactly what an upsert of the after image does, and upserts batch with inserts.
        const columns = Object.keys(after);
        ops.push({ kind: 'insert', table: t, columns, key: `${map.target.database}.${map.target.table}\u0000${columns.join('\u0000')}`, tuple: tuple(t, columns, after), what, origin });
      } else {
        ops.push({ kind: 'update', table: t, sql: updateSql(t, before, after), after, what, origin });
      }
    } else if (ev.op === 'delete' && before) {
      ops.push({ kind: 'delete', table: t, sql: deleteSql(t, before), cond: keyCondition(t, before), what, origin });
    } else {
      throw new MigError('feed-event', `${what}: the change lacks its ${ev.op === 'insert' ? 'after' : 'before'} image`, 'this is a bug in the feed decoder; report it');
    }
  }
  return { ops, ignored };
}
