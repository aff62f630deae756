// The DDL policy at work in the stream, for every source and destination: before a reader's changes
// reach a delivery, DDL under `ignore` is taken out (its position still counts, so the checkpoint
// passes it) and DDL under `stop` halts the stream before it: nothing from it on is handed on, so the
// checkpoint stays before it and the next run reads it again under whatever policy the spec says then.
import type { ChangeEvent } from '../model/source-data.js';
import { ddlPolicyOf, type ResolvedDdlPolicy } from '../spec/ddl-policy.js';
import { ddlTarget } from '../connectors/sources/mysql/ddl.js';
import { MigError } from '../util/errors.js';
import type { RunContext } from './context.js';

type DdlEvent = Extract<ChangeEvent, { kind: 'ddl' }>;

export class DdlGate {
  /** DDL statements taken out under `ignore`. */
  ignored = 0;

  constructor(private readonly ctx: Pick<RunContext<unknown>, 'migration' | 'desired'>) {}

  /** The policy of one statement: its migrated table's, else the migration's (spec.ddl). */
  policyOf(ev: DdlEvent): ResolvedDdlPolicy & { table?: string } {
    // A TiDB feed's DDL may come without its table: it is read from the text, as the binlog reader does.
    const table = ev.table ?? ddlTarget(ev.sql, ev.database)?.table;
    const t = table === undefined ? undefined : this.ctx.desired.get(`${ev.database}.${table}`);
    return { ...(t ? t.ddl : ddlPolicyOf(this.ctx.migration.spec, undefined)), table };
  }

  /**
   * The changes to hand on: `events` without the DDL to ignore, or the error that stops the stream
   * before a DDL under `stop` (then nothing of `events` may be handed on: the reader hands a DDL on
   * alone, with the position after it). `where` says where the statement is in the source.
   */
  pass(events: ChangeEvent[], where: () => string): ChangeEvent[] | MigError {
    if (!events.some((ev) => ev.kind === 'ddl')) return events;
    const out: ChangeEvent[] = [];
    for (const ev of events) {
      if (ev.kind !== 'ddl') {
        out.push(ev);
        continue;
      }
      const p = this.policyOf(ev);
      if (p.policy === 'stop') return this.stopError(ev, p, where());
      if (p.policy === 'replicate' && ev.onlineSchemaChange?.alterSeen === false) return this.unseenAlter(ev, p, where());
      if (p.policy === 'ignore') this.ignored++;
      else out.push(ev);
    }
    // The reader's own list when nothing was taken out: the caller then hands its batch on as it is.
    return out.length === events.length ? events : out;
  }

  /** An online schema change swapped whose ALTER came before the stream's start: what changed is unknown. */
  private unseenAlter(ev: DdlEvent, p: ResolvedDdlPolicy & { table?: string }, where: string): MigError {
    const tool = ev.onlineSchemaChange!.tool;
    return new MigError(
      'osc-alter-unseen',
      `${this.ctx.migration.metadata.name}: ${tool} swapped a changed copy of ${ev.database}.${p.table} in at ${where}, but the ALTER it ran on its helper table came before where this stream started, so mig cannot replicate it (nothing after the swap was written)`,
      `make the same change at the destination yourself, then set ${settingOf(p)}: ignore and run mig apply: the swap is then passed and the table's new shape read from the source (set replicate again afterwards)`,
    );
  }

  private stopError(ev: DdlEvent, p: ResolvedDdlPolicy & { table?: string }, where: string): MigError {
    const name = this.ctx.migration.metadata.name;
    const what = p.table === undefined ? `database ${ev.database} (no migrated table named)` : `table ${ev.database}.${p.table}`;
    const setting = settingOf(p);
    return new MigError(
      'ddl-stop',
      `${name}: the stream stopped before a DDL statement on ${what}, as ddl: stop (${p.from}) asks, at ${where}; nothing after it was written and the checkpoint stays before it. The statement: ${ev.sql.slice(0, 1000)}`,
      `apply the change at the destination yourself, then set ${setting}: ignore (or replicate, to have mig apply it) and run mig apply: the stream resumes at this statement`,
    );
  }
}

/** The spec field to edit for a policy: the table's ddl, or spec.ddl. */
function settingOf(p: ResolvedDdlPolicy): string {
  return p.from === 'default' || p.from === 'spec.ddl' ? 'spec.ddl' : p.from.replace(/\.(ddl|operations)$/, '.ddl');
}
