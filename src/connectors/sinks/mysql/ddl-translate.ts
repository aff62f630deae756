// A DDL statement replicated from the source, rewritten for the destination: names mapped
// (databases, tables, renamed and left-out columns), every table name written qualified so the
// statement means the same whatever the session's default database is. The kinds DTS replicates
// from TiDB are handled: CREATE/DROP/ALTER/RENAME/TRUNCATE TABLE, CREATE/DROP/ALTER VIEW, plus
// CREATE/DROP INDEX (TiDB logs these as such). Statements on objects outside the migration, or on
// tables whose DDL policy is not replicate, return undefined (nothing to run).
import { MigError } from '../../../util/errors.js';
import type { TableMap, TableRef, TargetNames } from './names.js';
import { qualified } from './names.js';
import { rewriteAlterClauses } from './alter-table.js';
import { rewriteCreateTable } from './create-table.js';
import { rewriteKeyParts } from './column-refs.js';
import { applyEdits, closingParen, isPunct, isWord, quoteIdent, readName, significant, splitTopLevel, tokenize, type Edit, type QualifiedName, type Token } from './sql-tokens.js';

export type DdlKind =
  | 'create-table' | 'alter-table' | 'drop-table' | 'rename-table' | 'truncate-table'
  | 'create-view' | 'alter-view' | 'drop-view' | 'create-index' | 'drop-index';

export interface TranslatedDdl {
  kind: DdlKind;
  /** Destination database to make the session's default before running `sql`. */
  database: string;
  sql: string;
  /** Destination tables (or views) the statement creates, changes or removes. */
  tables: TableRef[];
  /** What was changed beyond names, for the user. */
  notes: string[];
}

export interface DdlStatement {
  /** The session's default database when the statement ran at the source. */
  database: string;
  sql: string;
}

interface Ctx {
  ev: DdlStatement;
  sql: string;
  sig: Token[];
  names: TargetNames;
  notes: string[];
}

/** Translates one statement; undefined when the destination has nothing to do. */
export function translateDdl(ev: DdlStatement, names: TargetNames): TranslatedDdl | undefined {
  const sql = ev.sql.trim().replace(/;\s*$/, '');
  let sig: Token[];
  try {
    sig = significant(tokenize(sql));
  } catch (e) {
    throw unsupported(ev, names, `it cannot be read (${(e as Error).message})`);
  }
  const ctx: Ctx = { ev, sql, sig, names, notes: [] };
  const w = (i: number, ...words: string[]) => isWord(sig[i], ...words);
  if (w(0, 'CREATE')) {
    let i = 1;
    if (w(i, 'OR') && w(i + 1, 'REPLACE')) i += 2;
    if (w(i, 'TEMPORARY')) return undefined; // session-local; the source does not log its rows either
    if (w(i, 'TABLE')) return createTable(ctx);
    if (w(i, 'UNIQUE', 'FULLTEXT', 'SPATIAL')) i++;
    if (w(i, 'INDEX')) return createIndex(ctx, i + 1);
    if (w(i, 'DATABASE', 'SCHEMA')) return databaseStatement(ctx, i + 1);
    if (viewKeywordAt(sig, i) >= 0) return view(ctx, 'create-view', viewKeywordAt(sig, i));
  } else if (w(0, 'ALTER')) {
    let i = 1;
    if (w(i, 'ONLINE', 'OFFLINE')) i++;
    if (w(i, 'IGNORE')) i++;
    if (w(i, 'TABLE')) return alterTable(ctx, i + 1);
    if (w(i, 'DATABASE', 'SCHEMA')) return databaseStatement(ctx, i + 1);
    if (viewKeywordAt(sig, 1) >= 0) return view(ctx, 'alter-view', viewKeywordAt(sig, 1));
  } else if (w(0, 'DROP')) {
    let i = 1;
    if (w(i, 'TEMPORARY')) return undefined;
    if (w(i, 'TABLE')) return dropList(ctx, 'drop-table', i + 1);
    if (w(i, 'VIEW')) return dropList(ctx, 'drop-view', i + 1);
    if (w(i, 'INDEX')) return dropIndex(ctx, i + 1);
    if (w(i, 'DATABASE', 'SCHEMA')) return databaseStatement(ctx, i + 1);
  } else if (w(0, 'RENAME') && w(1, 'TABLE', 'TABLES')) {
    return renameTables(ctx, 2);
  } else if (w(0, 'TRUNCATE')) {
    return truncate(ctx, w(1, 'TABLE') ? 2 : 1);
  }
  // Unknown: nothing to do when it is about a database outside the migration, or one where no
  // table replicates DDL.
  if (!names.replicatesDdl(ev.database)) return undefined;
  throw unsupported(ev, names, 'mig replicates CREATE/DROP/ALTER/RENAME/TRUNCATE TABLE, CREATE/DROP/ALTER VIEW and CREATE/DROP INDEX');
}

function unsupported(ev: DdlStatement, _names: TargetNames, why: string): MigError {
  return new MigError(
    'ddl-unsupported',
    `cannot replicate this DDL statement (database ${ev.database}): ${why}: ${ev.sql.slice(0, 200)}`,
    'make the equivalent change at the destination by hand, then set ddl: ignore for the tables concerned (spec.objects[].tables[].ddl, or spec.ddl) and run again',
  );
}

/** The table a name refers to, when migrated with DDL replicated (spec/ddl-policy.ts). */
function tableOf(ctx: Ctx, n: QualifiedName): TableMap | undefined {
  const m = ctx.names.table(n.database ?? ctx.ev.database, n.name);
  if (!m) return undefined;
  if (m.ddl !== 'replicate') {
    ctx.notes.push(`${m.source.database}.${m.source.table}: its DDL policy is ${m.ddl}`);
    return undefined;
  }
  return m;
}

function result(ctx: Ctx, kind: DdlKind, sql: string, tables: TableRef[]): TranslatedDdl {
  return { kind, database: tables[0]!.database, sql, tables, notes: ctx.notes };
}

function createTable(ctx: Ctx): TranslatedDdl | undefined {
  const { sig } = ctx;
  let i = sig.findIndex((t) => isWord(t, 'TABLE')) + 1;
  if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'NOT') && isWord(sig[i + 2], 'EXISTS')) i += 3;
  const n = readName(sig, i);
  const m = n && tableOf(ctx, n);
  if (!m) return undefined;
  const r = rewriteCreateTable(ctx.sql, m, { names: ctx.names, defaultDatabase: ctx.ev.database });
  ctx.notes.push(...r.notes);
  return result(ctx, 'create-table', r.sql, [m.target]);
}

function alterTable(ctx: Ctx, at: number): TranslatedDdl | undefined {
  const { sig, sql } = ctx;
  let i = at;
  if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'EXISTS')) i += 2;
  const n = readName(sig, i);
  const m = n && tableOf(ctx, n);
  if (!n || !m) return undefined;
  const clauses = rewriteAlterClauses({ sql, sig, map: m, names: ctx.names, defaultDatabase: ctx.ev.database, notes: ctx.notes }, n.last + 1, sig.length);
  if (clauses.length === 0) return undefined;
  const head = sql.slice(0, n.start) + qualified(m.target);
  const tables = [m.target];
  const renamed = /\bRENAME\s+(?:TO\s+|AS\s+)?(`(?:[^`]|``)+`\.`(?:[^`]|``)+`)/i.exec(clauses.join(', '));
  if (renamed) tables.push(parseQualified(renamed[1]!));
  return result(ctx, 'alter-table', `${head} ${clauses.join(', ')}`, tables);
}

function parseQualified(text: string): TableRef {
  const sig = significant(tokenize(text));
  const n = readName(sig, 0)!;
  return { database: n.database!, table: n.name };
}

/** DROP TABLE/VIEW [IF EXISTS] a, b [RESTRICT|CASCADE]: only the migrated names are kept. */
function dropList(ctx: Ctx, kind: 'drop-table' | 'drop-view', at: number): TranslatedDdl | undefined {
  const { sig } = ctx;
  let i = at;
  const ifExists = isWord(sig[i], 'IF') && isWord(sig[i + 1], 'EXISTS');
  if (ifExists) i += 2;
  let end = sig.length;
  while (end > i && isWord(sig[end - 1], 'RESTRICT', 'CASCADE')) end--;
  const targets: TableRef[] = [];
  for (const [s] of splitTopLevel(sig, i, end)) {
    const n = readName(sig, s);
    if (!n) continue;
    if (kind === 'drop-table') {
      const m = tableOf(ctx, n);
      if (m) targets.push(m.target);
    } else {
      const v = ctx.names.view(n.database ?? ctx.ev.database, n.name);
      if (v) targets.push(v);
    }
  }
  if (targets.length === 0) return undefined;
  const what = kind === 'drop-table' ? 'TABLE' : 'VIEW';
  return result(ctx, kind, `DROP ${what} ${ifExists ? 'IF EXISTS ' : ''}${targets.map(qualified).join(', ')}`, targets);
}

function renameTables(ctx: Ctx, at: number): TranslatedDdl | undefined {
  const { sig } = ctx;
  const pairs: string[] = [];
  const tables: TableRef[] = [];
  for (const [s] of splitTopLevel(sig, at, sig.length)) {
    const from = readName(sig, s);
    const to = from && isWord(sig[from.last + 1], 'TO') ? readName(sig, from.last + 2) : undefined;
    if (!from || !to) throw unsupported(ctx.ev, ctx.names, 'its RENAME TABLE list cannot be read');
    const m = tableOf(ctx, from);
    if (!m) {
      if (ctx.names.table(to.database ?? ctx.ev.database, to.name)) {
        ctx.notes.push(`${from.name} is renamed into the migration as ${to.name}, but its rows were never copied`);
      }
      continue;
    }
    const target = ctx.names.anyTable(to.database ?? ctx.ev.database, to.name);
    pairs.push(`${qualified(m.target)} TO ${qualified(target)}`);
    tables.push(m.target, target);
  }
  if (pairs.length === 0) return undefined;
  return result(ctx, 'rename-table', `RENAME TABLE ${pairs.join(', ')}`, tables);
}

function truncate(ctx: Ctx, at: number): TranslatedDdl | undefined {
  const n = readName(ctx.sig, at);
  const m = n && tableOf(ctx, n);
  if (!m) return undefined;
  return result(ctx, 'truncate-table', `TRUNCATE TABLE ${qualified(m.target)}`, [m.target]);
}

/** CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name [USING …] ON t (parts) [options]. */
function createIndex(ctx: Ctx, at: number): TranslatedDdl | undefined {
  const { sig, sql } = ctx;
  const on = sig.findIndex((t, k) => k > at && isWord(t, 'ON'));
  const n = on > 0 ? readName(sig, on + 1) : undefined;
  const m = n && tableOf(ctx, n);
  if (!n || !m) return undefined;
  const open = n.last + 1;
  if (!isPunct(sig[open], '(')) throw unsupported(ctx.ev, ctx.names, 'its key part list cannot be read');
  const r = rewriteKeyParts(sql, sig, open, m);
  const unique = isWord(sig[1], 'UNIQUE');
  if (r.text === undefined || (unique && r.removed.length > 0)) {
    ctx.notes.push(`index skipped: it needs ${r.removed.join(', ')}, which is not migrated`);
    return undefined;
  }
  const edits: Edit[] = [
    { start: n.start, end: n.end, text: qualified(m.target) },
    { start: sig[open]!.start, end: sig[closingParen(sig, open)]!.end, text: r.text },
  ];
  return result(ctx, 'create-index', applyEdits(sql, edits), [m.target]);
}

function dropIndex(ctx: Ctx, at: number): TranslatedDdl | undefined {
  const { sig, sql } = ctx;
  const on = sig.findIndex((t, k) => k > at && isWord(t, 'ON'));
  const n = on > 0 ? readName(sig, on + 1) : undefined;
  const m = n && tableOf(ctx, n);
  if (!n || !m) return undefined;
  return result(ctx, 'drop-index', applyEdits(sql, [{ start: n.start, end: n.end, text: qualified(m.target) }]), [m.target]);
}

/** CREATE/ALTER/DROP DATABASE: not replicated; an error only when it is about a migrated database. */
function databaseStatement(ctx: Ctx, at: number): TranslatedDdl | undefined {
  let i = at;
  while (isWord(ctx.sig[i], 'IF', 'NOT', 'EXISTS')) i++;
  const name = ctx.sig[i]?.value ?? ctx.ev.database;
  if (ctx.names.database(name) === undefined) return undefined;
  throw unsupported(ctx.ev, ctx.names, 'database statements are not replicated');
}

/** Index of VIEW after the optional ALGORITHM = …, DEFINER = …, SQL SECURITY … clauses; -1 if none. */
function viewKeywordAt(sig: Token[], from: number): number {
  let i = from;
  for (;;) {
    if (isWord(sig[i], 'VIEW')) return i;
    if (isWord(sig[i], 'ALGORITHM') && isPunct(sig[i + 1], '=')) i += 3;
    else if (isWord(sig[i], 'DEFINER') && isPunct(sig[i + 1], '=')) i = afterUser(sig, i + 2);
    else if (isWord(sig[i], 'SQL') && isWord(sig[i + 1], 'SECURITY')) i += 3;
    else return -1;
  }
}

/** Index after a user: `u`@`h`, 'u'@'h', u@h, CURRENT_USER, CURRENT_USER(). */
function afterUser(sig: Token[], i: number): number {
  if (isWord(sig[i], 'CURRENT_USER')) return isPunct(sig[i + 1], '(') ? i + 3 : i + 1;
  let j = i + 1;
  if (isPunct(sig[j], '@')) j += 2;
  // The lexer reads `u@h` unquoted as word, punct '@', word; a host like '%' arrives as a string.
  return j;
}

/**
 * CREATE/ALTER VIEW: DEFINER is removed (the account may not exist at the destination; the view is
 * then defined by the user mig connects as), the view name mapped, and `db`. qualifiers in its
 * SELECT that name a migrated database get the destination database (and table) name. Column
 * renames are not applied inside the SELECT: views go along only with whole databases, where
 * columns are not renamed.
 */
function view(ctx: Ctx, kind: 'create-view' | 'alter-view', viewAt: number): TranslatedDdl | undefined {
  const { sig, sql } = ctx;
  const n = readName(sig, viewAt + 1);
  const target = n && ctx.names.view(n.database ?? ctx.ev.database, n.name);
  if (!n || !target) return undefined;
  const edits: Edit[] = [{ start: n.start, end: n.end, text: qualified(target) }];
  const definer = sig.findIndex((t, k) => k < viewAt && isWord(t, 'DEFINER') && isPunct(sig[k + 1], '='));
  if (definer >= 0) edits.push({ start: sig[definer]!.start, end: sig[afterUser(sig, definer + 2)]!.start, text: '' });
  edits.push(...qualifierEdits(sig, n.last + 1, sig.length, ctx.names));
  return result(ctx, kind, applyEdits(sql, edits), [target]);
}

/** `db`.`t` pairs whose database is migrated: mapped database and table names. */
export function qualifierEdits(sig: Token[], from: number, to: number, names: TargetNames): Edit[] {
  const edits: Edit[] = [];
  for (let i = from; i < to; i++) {
    const a = sig[i]!;
    if (a.type !== 'ident' && a.type !== 'word') continue;
    if (isPunct(sig[i - 1], '.') || !isPunct(sig[i + 1], '.')) continue;
    const b = sig[i + 2];
    const db = names.database(a.value);
    if (db === undefined || !b || (b.type !== 'ident' && b.type !== 'word')) continue;
    const t = names.anyTable(a.value, b.value);
    edits.push({ start: a.start, end: a.end, text: quoteIdent(t.database) });
    if (t.table !== b.value) edits.push({ start: b.start, end: b.end, text: quoteIdent(t.table) });
    i += 2;
  }
  return edits;
}
