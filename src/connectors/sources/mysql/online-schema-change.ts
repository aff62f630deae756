// Online schema changes by gh-ost and pt-online-schema-change, as they show in the binary log. Both
// copy the table into a helper table that already has the new shape, keep it in step with the
// original (gh-ost from the binlog, pt-osc with triggers), then swap the two in one RENAME TABLE.
// For mig the helpers are not data: their rows and their CREATE/ALTER/DROP are never forwarded,
// and the swap is the original table's ALTER: the statements the tool ran on the helper, rewritten
// to name the original. The original's own rows are streamed as always, before and after the swap,
// so nothing is copied again and no row is lost or doubled. Names and statements:
//   gh-ost (go/base/context.go GetGhostTableName/GetChangelogTableName/GetOldTableName, and
//   go/logic/applier.go): `_t_gho` (CREATE … LIKE t, then ALTER), `_t_ghc` (changelog), `_t_del`
//   (the cut-over sentry, then the old table; `_t_<timestamp>_del` with --timestamp-old-table),
//   cut-over `rename table t to _t_del, _t_gho to t` (or two RENAMEs with --cut-over=two-step).
//   pt-online-schema-change: `_t_new` (CREATE, then ALTER, ANALYZE), triggers
//   `pt_osc_<db>_<t>_ins|upd|del` on t, swap `RENAME TABLE t TO _t_old, _t_new TO t`, DROP `_t_old`.
import { ddlTarget } from './ddl.js';
import { helperName, isHelperTable, type HelperName, type OscTool } from '../../../model/osc-helpers.js';

export type { OscTool } from '../../../model/osc-helpers.js';

const PT_OSC_TRIGGER = /^\s*(?:CREATE\s+(?:DEFINER\s*=\s*\S+\s+)?TRIGGER|DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?)\s*(?:`[^`]+`\s*\.\s*|\w+\s*\.\s*)?`?pt_osc_\S+_(?:ins|upd|del)`?/i;
const TABLE_MAINTENANCE = /^\s*(?:ANALYZE|OPTIMIZE)\s+(?:NO_WRITE_TO_BINLOG\s+|LOCAL\s+)?TABLE\s+/i;

/** Statements with their comments taken out (`alter /* gh-ost *\/ table` reads as `alter table`). */
export function withoutComments(sql: string): string {
  return sql.replace(/\/\*(?!!)[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
}

/** What one statement is to mig. */
export type OscVerdict =
  | { kind: 'plain' }
  /** A helper's CREATE/ALTER/DROP/ANALYZE or a pt-osc trigger: nothing to forward. */
  | { kind: 'helper'; tool: OscTool }
  /**
   * The swap: the original table changed shape. `sql` is the ALTER the tool ran on the helper,
   * naming the original; undefined when the stream started after that ALTER.
   */
  | { kind: 'swap'; tool: OscTool; database: string; table: string; sql?: string };

interface Run {
  tool: OscTool;
  /** The ALTER clauses run on the helper, in order. */
  alters: string[];
  /** gh-ost two-step cut-over: the original was renamed away, the ghost comes next. */
  renamedAway?: boolean;
}

/**
 * Follows online schema changes through the statements of a binary log, in order. `exists` and
 * `isMigrated` say which tables the reader knows and which the migration takes (isHelperTable).
 */
export class OnlineSchemaChanges {
  /** Runs under way by `db`.`ghost helper`. */
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly exists: (database: string, table: string) => boolean,
    private readonly isMigrated: (database: string, table: string) => boolean,
  ) {}

  classify(sql: string, schema: string): OscVerdict {
    const text = withoutComments(sql);
    if (PT_OSC_TRIGGER.test(text)) return { kind: 'helper', tool: 'pt-online-schema-change' };
    const target = ddlTarget(TABLE_MAINTENANCE.test(text) ? text.replace(TABLE_MAINTENANCE, 'ALTER TABLE ') : text, schema);
    if (!target?.table) return { kind: 'plain' };
    if (/^RENAME\s/i.test(text)) return this.rename(text, schema);
    const h = this.helper(target.database, target.table);
    if (!h) return { kind: 'plain' };
    const key = `${target.database}.${target.table}`;
    if (h.role === 'ghost') {
      if (/^CREATE\s/i.test(text)) this.runs.set(key, { tool: h.tool, alters: [] });
      else if (/^ALTER\s/i.test(text)) this.runs.get(key)?.alters.push(alterClauses(text));
      // A DROP of the ghost before any swap: the run was given up; it leaves nothing behind.
      else if (/^DROP\s/i.test(text)) this.runs.delete(key);
    }
    return { kind: 'helper', tool: h.tool };
  }

  private helper(database: string, table: string): HelperName | undefined {
    return isHelperTable(database, table, this.exists, this.isMigrated) ? helperName(table) : undefined;
  }

  /** RENAME TABLE: the swap (one statement, or gh-ost's two-step), a helper's own rename, or a plain one. */
  private rename(text: string, schema: string): OscVerdict {
    const pairs = renamePairs(text, schema);
    if (!pairs) return { kind: 'plain' };
    const roles = pairs.map(([from, to]) => [this.helper(from.database, from.table), this.helper(to.database, to.table)] as const);
    // t → old helper, ghost → t: the swap of both tools.
    if (pairs.length === 2 && !roles[0]![0] && roles[0]![1]?.role === 'old' && roles[1]![0]?.role === 'ghost' && !roles[1]![1]
      && sameTable(pairs[0]![0], pairs[1]![1])) {
      return this.swap(pairs[1]![0], pairs[1]![1], roles[1]![0].tool);
    }
    if (pairs.length === 1) {
      const [[from, to]] = pairs as [[Ref, Ref]];
      const [fromRole, toRole] = roles[0]!;
      const run = this.runs.get(`${from.database}._${from.table}_gho`);
      if (!fromRole && toRole?.role === 'old' && run) {
        run.renamedAway = true;
        return { kind: 'helper', tool: run.tool };
      }
      const ghost = fromRole?.role === 'ghost' ? this.runs.get(`${from.database}.${from.table}`) : undefined;
      if (ghost?.renamedAway && !toRole) return this.swap(from, to, ghost.tool);
    }
    return roles.every(([a, b]) => a && b) ? { kind: 'helper', tool: roles[0]![0]!.tool } : { kind: 'plain' };
  }

  private swap(ghost: Ref, original: Ref, tool: OscTool): OscVerdict {
    const key = `${ghost.database}.${ghost.table}`;
    const run = this.runs.get(key);
    this.runs.delete(key);
    const sql = run && run.alters.length > 0 ? `ALTER TABLE ${quote(original.database)}.${quote(original.table)} ${run.alters.join(', ')}` : undefined;
    return { kind: 'swap', tool, database: original.database, table: original.table, sql };
  }
}

interface Ref {
  database: string;
  table: string;
}

const IDENT = '(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$\\u0080-\\uFFFF]+))';
const NAME = new RegExp(`^\\s*${IDENT}(?:\\s*\\.\\s*${IDENT})?`);

function readRef(text: string, schema: string): { ref: Ref; rest: string } | undefined {
  const m = NAME.exec(text);
  if (!m) return undefined;
  const first = (m[1] ?? m[2])!.replace(/``/g, '`');
  const second = (m[3] ?? m[4])?.replace(/``/g, '`');
  return { ref: second === undefined ? { database: schema, table: first } : { database: first, table: second }, rest: text.slice(m[0].length) };
}

/** `RENAME TABLE a TO b, c TO d` as pairs; undefined when it cannot be read. */
function renamePairs(text: string, schema: string): [Ref, Ref][] | undefined {
  let rest = text.replace(/^RENAME\s+TABLES?\s+/i, '');
  const pairs: [Ref, Ref][] = [];
  for (;;) {
    const from = readRef(rest, schema);
    const to = from && /^\s*TO\s/i.test(from.rest) ? readRef(from.rest.replace(/^\s*TO\s/i, ''), schema) : undefined;
    if (!from || !to) return undefined;
    pairs.push([from.ref, to.ref]);
    rest = to.rest.replace(/^\s*;?\s*$/, '');
    if (rest === '') return pairs;
    if (!/^\s*,/.test(rest)) return undefined;
    rest = rest.replace(/^\s*,/, '');
  }
}

/** The text after `ALTER [ONLINE] [IGNORE] TABLE name`: what was changed. */
function alterClauses(text: string): string {
  const head = /^ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?/i.exec(text)!;
  return readRef(text.slice(head[0].length), '')!.rest.trim().replace(/;$/, '');
}

function sameTable(a: Ref, b: Ref): boolean {
  return a.database === b.database && a.table === b.table;
}

function quote(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
