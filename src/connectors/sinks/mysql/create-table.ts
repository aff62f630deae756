// Rewrites a CREATE TABLE statement (SHOW CREATE TABLE text, or one replicated from the source) for
// the destination: the mapped name, renamed columns, columns left out removed along with what needs
// them. Everything else (types, charsets, options, TiDB's /*T! … */ comments) is kept as written.
//
// Limits, each reported as a note:
// - FOREIGN KEY constraints are dropped: the tables they point at may be renamed, left out or not yet
//   loaded, and the data is checked at the source already.
// - A PRIMARY or UNIQUE key that loses a column is dropped, not shrunk: fewer columns may not be
//   unique, and a shrunken unique key would merge distinct rows. A plain index is shrunk.
// - A generated column whose expression reads a column left out is dropped (it could not be computed).
// - CHECK constraints reading a column left out are dropped.
// - Expressions are renamed by matching names: a bare word equal to a renamed column is renamed
//   even where it means something else (a quoted table alias, say). Backticked names are exact.
// - CREATE TABLE … SELECT keeps its SELECT as written.
import { MigError } from '../../../util/errors.js';
import type { TableMap, TableRef, TargetNames } from './names.js';
import { qualified } from './names.js';
import { firstDroppedRef, nextParen, partEnd, renameRefs, rewriteKeyParts, sliceWithEdits, wordsAt } from './column-refs.js';
import { applyEdits, closingParen, isPunct, isWord, quoteIdent, readName, significant, splitTopLevel, tokenize, type Edit, type Token } from './sql-tokens.js';

export interface RewrittenCreate {
  sql: string;
  /** What was changed beyond names, for the user. */
  notes: string[];
}

export interface CreateTableOptions {
  /** Add IF NOT EXISTS when the statement lacks it (schema migration). */
  ifNotExists?: boolean;
  /** For CREATE TABLE … LIKE: maps the template table's name. */
  names?: TargetNames;
  /** Database an unqualified LIKE template is in (the statement's default database). */
  defaultDatabase?: string;
}

/** Where the header `CREATE … TABLE [IF NOT EXISTS] name` ends, in significant tokens. */
function header(sig: Token[]): { tableWord: number; ifNotExists: boolean; nameAt: number } | undefined {
  let i = 0;
  if (!isWord(sig[i++], 'CREATE')) return undefined;
  if (isWord(sig[i], 'OR') && isWord(sig[i + 1], 'REPLACE')) i += 2;
  if (isWord(sig[i], 'TEMPORARY')) i++;
  if (!isWord(sig[i], 'TABLE')) return undefined;
  const tableWord = i++;
  const ifNotExists = wordsAt(sig, i, 'IF', 'NOT', 'EXISTS');
  if (ifNotExists) i += 3;
  return { tableWord, ifNotExists, nameAt: i };
}

export function rewriteCreateTable(sql: string, map: TableMap, opts: CreateTableOptions = {}): RewrittenCreate {
  const sig = significant(tokenize(sql));
  const h = header(sig);
  const name = h && readName(sig, h.nameAt);
  if (!h || !name) throw new MigError('ddl-parse', `not a CREATE TABLE statement: ${sql.slice(0, 120)}`);
  const edits: Edit[] = [{ start: name.start, end: name.end, text: qualified(map.target) }];
  if (opts.ifNotExists && !h.ifNotExists) {
    const t = sig[h.tableWord]!;
    edits.push({ start: t.end, end: t.end, text: ' IF NOT EXISTS' });
  }
  const notes: string[] = [];
  let i = name.last + 1;
  // CREATE TABLE a LIKE b, or CREATE TABLE a (LIKE b)
  const likeAt = isWord(sig[i], 'LIKE') ? i + 1 : isPunct(sig[i], '(') && isWord(sig[i + 1], 'LIKE') ? i + 2 : -1;
  if (likeAt >= 0) {
    const like = readName(sig, likeAt);
    if (!like) throw new MigError('ddl-parse', `cannot read the LIKE table in: ${sql.slice(0, 120)}`);
    const db = like.database ?? opts.defaultDatabase ?? map.source.database;
    const to: TableRef = opts.names ? opts.names.anyTable(db, like.name) : { database: db, table: like.name };
    edits.push({ start: like.start, end: like.end, text: qualified(to) });
    return { sql: applyEdits(sql, edits), notes };
  }
  if (isPunct(sig[i], '(')) {
    const close = closingParen(sig, i);
    const defs = rewriteDefinitions(sql, sig, i, close, map, notes);
    edits.push({ start: sig[i]!.start, end: sig[close]!.end, text: defs });
    i = close + 1;
  }
  edits.push(...partitionRenames(sig, i, sig.length, map));
  if (sig.slice(i).some((t) => isWord(t, 'SELECT'))) notes.push('the SELECT of CREATE TABLE … SELECT is kept as written (its column names are not mapped)');
  return { sql: applyEdits(sql, edits), notes };
}

type DefKind = 'column' | 'primary' | 'unique' | 'index' | 'foreign' | 'check' | 'other';

function kindOf(sig: Token[], s: number): { kind: DefKind; body: number } {
  let i = s;
  if (isWord(sig[i], 'CONSTRAINT')) {
    i++;
    if (!isWord(sig[i], 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK')) i++; // the constraint's name
  }
  const t = sig[i];
  if (isWord(t, 'PRIMARY') && isWord(sig[i + 1], 'KEY')) return { kind: 'primary', body: i };
  if (isWord(t, 'UNIQUE')) return { kind: 'unique', body: i };
  if (isWord(t, 'FOREIGN') && isWord(sig[i + 1], 'KEY')) return { kind: 'foreign', body: i };
  if (isWord(t, 'CHECK') && isPunct(sig[i + 1], '(')) return { kind: 'check', body: i };
  if (i === s && isWord(t, 'KEY', 'INDEX', 'FULLTEXT', 'SPATIAL') && t!.type === 'word') return { kind: 'index', body: i };
  if (i === s && isWord(t, 'PERIOD') && isWord(sig[i + 1], 'FOR')) return { kind: 'other', body: i };
  return { kind: 'column', body: i };
}

/** The `( … )` definition list, rebuilt without what is left out. */
function rewriteDefinitions(sql: string, sig: Token[], open: number, close: number, map: TableMap, notes: string[]): string {
  const parts = splitTopLevel(sig, open + 1, close);
  // First pass: which columns go (left out by the spec, or generated from a column that goes).
  const dropped = new Set<string>();
  const columns: string[] = [];
  for (const [s] of parts) {
    if (kindOf(sig, s).kind !== 'column') continue;
    columns.push(sig[s]!.value);
    if (!map.keeps(sig[s]!.value)) dropped.add(sig[s]!.value.toLowerCase());
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [s, e] of parts) {
      if (kindOf(sig, s).kind !== 'column' || dropped.has(sig[s]!.value.toLowerCase())) continue;
      const gen = generatedExpr(sig, s, e);
      const gone = gen && firstDroppedRef(sig, gen[0], gen[1], dropped);
      if (gone !== undefined && gen) {
        dropped.add(sig[s]!.value.toLowerCase());
        notes.push(`generated column ${sig[s]!.value} is left out: its expression reads ${gone}, which is not migrated`);
        changed = true;
      }
    }
  }
  if (columns.every((c) => dropped.has(c.toLowerCase()))) {
    throw new MigError('no-columns', `${map.source.database}.${map.source.table}: every column is left out`, 'keep at least one column in spec.objects[].tables[].columns');
  }
  const out: string[] = [];
  for (const [s, e] of parts) {
    const { kind, body } = kindOf(sig, s);
    const start = sig[s]!.start;
    const end = partEnd(sql, sig, e);
    switch (kind) {
      case 'column': {
        if (dropped.has(sig[s]!.value.toLowerCase())) continue;
        const edits: Edit[] = [];
        const to = map.renamed(sig[s]!.value);
        if (to !== undefined) edits.push({ start: sig[s]!.start, end: sig[s]!.end, text: quoteIdent(to) });
        for (const [a, b] of columnExprs(sig, s + 1, e)) edits.push(...renameRefs(sig, a, b, map));
        out.push(sliceWithEdits(sql, start, end, edits));
        break;
      }
      case 'primary':
      case 'unique':
      case 'index': {
        const p = nextParen(sig, body, e);
        if (p < 0) {
          out.push(sql.slice(start, end));
          break;
        }
        const r = rewriteKeyParts(sql, sig, p, map, dropped);
        const label = kind === 'primary' ? 'primary key' : kind === 'unique' ? 'unique key' : 'index';
        if (r.text === undefined || (kind !== 'index' && r.removed.length > 0)) {
          notes.push(`${label} ${keyName(sig, s, p)}is dropped: it needs ${r.removed.join(', ')}, which ${r.removed.length > 1 ? 'are' : 'is'} not migrated`);
          continue;
        }
        if (r.removed.length > 0) notes.push(`index ${keyName(sig, s, p)}loses ${r.removed.join(', ')}, which ${r.removed.length > 1 ? 'are' : 'is'} not migrated`);
        const pclose = closingParen(sig, p);
        out.push(sliceWithEdits(sql, start, end, [{ start: sig[p]!.start, end: sig[pclose]!.end, text: r.text }]));
        break;
      }
      case 'foreign':
        notes.push(`foreign key ${keyName(sig, s, nextParen(sig, body, e))}is not created: referenced tables may be renamed, left out or loaded later`);
        break;
      case 'check': {
        const p = body + 1;
        const pclose = closingParen(sig, p);
        const gone = firstDroppedRef(sig, p, pclose, dropped);
        if (gone !== undefined) {
          notes.push(`check constraint ${keyName(sig, s, p)}is dropped: it reads ${gone}, which is not migrated`);
          continue;
        }
        out.push(sliceWithEdits(sql, start, end, renameRefs(sig, p, pclose, map)));
        break;
      }
      default:
        out.push(sliceWithEdits(sql, start, end, renameRefs(sig, body + 2, e, map)));
    }
  }
  return `(\n  ${out.join(',\n  ')}\n)`;
}

/** `name ` of a key/constraint for notes ('' when it has none). */
function keyName(sig: Token[], s: number, paren: number): string {
  const KEYWORDS = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'KEY', 'INDEX', 'FULLTEXT', 'SPATIAL', 'FOREIGN', 'CHECK'];
  const n = sig.slice(s, paren < 0 ? s + 4 : paren).find((t) => t.type === 'ident' || (t.type === 'word' && !isWord(t, ...KEYWORDS, 'USING')));
  return n ? `${n.value} ` : '';
}

/** The `( … )` after GENERATED ALWAYS AS / AS in a column definition, as [open, close]. */
function generatedExpr(sig: Token[], s: number, e: number): [number, number] | undefined {
  for (let i = s + 1; i < e; i++) {
    if (isWord(sig[i], 'AS') && isPunct(sig[i + 1], '(')) return [i + 1, closingParen(sig, i + 1)];
  }
  return undefined;
}

/** Expressions inside a column definition that may name other columns: AS ( … ) and CHECK ( … ). */
function columnExprs(sig: Token[], from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = from; i < to; i++) {
    if (isWord(sig[i], 'AS', 'CHECK') && isPunct(sig[i + 1], '(')) {
      const c = closingParen(sig, i + 1);
      out.push([i + 1, c]);
      i = c;
    }
  }
  return out;
}

/** Renames in PARTITION BY / SUBPARTITION BY expressions among the table options. */
export function partitionRenames(sig: Token[], from: number, to: number, map: TableMap): Edit[] {
  const edits: Edit[] = [];
  for (let i = from; i < to; i++) {
    if (!isWord(sig[i], 'PARTITION', 'SUBPARTITION') || !isWord(sig[i + 1], 'BY')) continue;
    const p = nextParen(sig, i + 2, to);
    if (p < 0) continue;
    const c = closingParen(sig, p);
    edits.push(...renameRefs(sig, p, c, map));
    i = c;
  }
  return edits;
}
