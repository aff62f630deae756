// The clauses of a replicated ALTER TABLE, rewritten for the destination's column names. Clauses on
// columns the spec leaves out are dropped; if nothing is left the statement is skipped. Clauses
// this file does not recognise (table options, partition operations) pass through unchanged.
//
// Column renames made by the source (CHANGE old new, RENAME COLUMN old TO new) are followed: the
// spec's rename map stays keyed by source names, so a column renamed at the source arrives under
// its new source name (or its spec rename of that name).
import type { TableMap, TargetNames } from './names.js';
import { qualified } from './names.js';
import { partitionRenames } from './create-table.js';
import { nextParen, partEnd, renameRefs, rewriteKeyParts, sliceWithEdits } from './column-refs.js';
import { closingParen, isPunct, isWord, quoteIdent, readName, splitTopLevel, type Edit, type Token } from './sql-tokens.js';

export interface AlterContext {
  sql: string;
  sig: Token[];
  map: TableMap;
  names: TargetNames;
  /** The statement's default database, for an unqualified RENAME TO. */
  defaultDatabase: string;
  notes: string[];
}

/** TiDB-only clauses MySQL would reject; they change nothing a MySQL destination has. */
const TIDB_ONLY = ['TIFLASH', 'CACHE', 'NOCACHE', 'COMPACT', 'ATTRIBUTES', 'PLACEMENT', 'TTL', 'TTL_ENABLE', 'TTL_JOB_INTERVAL', 'SHARD_ROW_ID_BITS', 'PRE_SPLIT_REGIONS', 'AUTO_ID_CACHE', 'AUTO_RANDOM_BASE'];

/** Rewritten clause texts (in order), or an empty list when none is left. `from` is the first clause token. */
export function rewriteAlterClauses(ctx: AlterContext, from: number, to: number): string[] {
  const out: string[] = [];
  for (const [s, e] of splitTopLevel(ctx.sig, from, to)) {
    const text = rewriteClause(ctx, s, e);
    if (text !== undefined) out.push(text);
  }
  return out;
}

const clauseText = (ctx: AlterContext, s: number, e: number, edits: Edit[]) => sliceWithEdits(ctx.sql, ctx.sig[s]!.start, partEnd(ctx.sql, ctx.sig, e), edits);

function rewriteClause(ctx: AlterContext, s: number, e: number): string | undefined {
  const { sig, map } = ctx;
  const first = sig[s]!;
  const tidbOnly = (isWord(first, 'SET') && isWord(sig[s + 1], 'TIFLASH')) || (isWord(first, 'REMOVE') && isWord(sig[s + 1], 'TTL')) || isWord(first, ...TIDB_ONLY);
  if (tidbOnly) {
    ctx.notes.push(`TiDB-only clause skipped: ${clauseText(ctx, s, e, [])}`);
    return undefined;
  }
  if (isWord(first, 'ADD')) {
    let i = s + 1;
    if (isWord(sig[i], 'INDEX', 'KEY', 'UNIQUE', 'PRIMARY', 'CONSTRAINT', 'FULLTEXT', 'SPATIAL', 'FOREIGN', 'CHECK') && sig[i]!.type === 'word') return addKey(ctx, s, e, i);
    if (isWord(sig[i], 'PARTITION', 'PERIOD', 'SYSTEM')) return clauseText(ctx, s, e, []);
    if (isWord(sig[i], 'COLUMN')) i++;
    if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'NOT') && isWord(sig[i + 2], 'EXISTS')) i += 3;
    if (isPunct(sig[i], '(')) return addColumnList(ctx, s, i);
    return columnDefinition(ctx, s, e, i, 'added');
  }
  if (isWord(first, 'MODIFY')) {
    let i = s + 1;
    if (isWord(sig[i], 'COLUMN')) i++;
    if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'EXISTS')) i += 2;
    return columnDefinition(ctx, s, e, i, 'modified');
  }
  if (isWord(first, 'CHANGE')) {
    let i = s + 1;
    if (isWord(sig[i], 'COLUMN')) i++;
    if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'EXISTS')) i += 2;
    return changeColumn(ctx, s, e, i, i + 1);
  }
  if (isWord(first, 'RENAME') && isWord(sig[s + 1], 'COLUMN')) return changeColumn(ctx, s, e, s + 2, s + 4);
  if (isWord(first, 'RENAME') && !isWord(sig[s + 1], 'INDEX', 'KEY')) {
    const at = isWord(sig[s + 1], 'TO', 'AS') ? s + 2 : s + 1;
    const n = readName(sig, at);
    if (!n) return clauseText(ctx, s, e, []);
    const to = ctx.names.anyTable(n.database ?? ctx.defaultDatabase, n.name);
    return clauseText(ctx, s, e, [{ start: n.start, end: n.end, text: qualified(to) }]);
  }
  if (isWord(first, 'DROP')) {
    let i = s + 1;
    if (isWord(sig[i], 'FOREIGN')) {
      ctx.notes.push('DROP FOREIGN KEY skipped: foreign keys are not created at the destination');
      return undefined;
    }
    if (isWord(sig[i], 'INDEX', 'KEY', 'PRIMARY', 'CONSTRAINT', 'CHECK', 'PARTITION', 'PERIOD', 'SYSTEM') && sig[i]!.type === 'word') return clauseText(ctx, s, e, []);
    if (isWord(sig[i], 'COLUMN')) i++;
    if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'EXISTS')) i += 2;
    return columnRef(ctx, s, e, i, 'dropped');
  }
  if (isWord(first, 'ALTER') && !isWord(sig[s + 1], 'INDEX', 'CONSTRAINT', 'CHECK')) {
    let i = s + 1;
    if (isWord(sig[i], 'COLUMN')) i++;
    if (isWord(sig[i], 'IF') && isWord(sig[i + 1], 'EXISTS')) i += 2;
    return columnRef(ctx, s, e, i, 'altered');
  }
  if (isWord(first, 'ORDER') && isWord(sig[s + 1], 'BY')) return clauseText(ctx, s, e, renameRefs(sig, s + 2, e, map));
  return clauseText(ctx, s, e, partitionRenames(sig, s, e, map));
}

/** A clause whose subject is the column at sig[at] (DROP, ALTER … SET DEFAULT). */
function columnRef(ctx: AlterContext, s: number, e: number, at: number, what: string): string | undefined {
  const col = ctx.sig[at];
  if (!col) return clauseText(ctx, s, e, []);
  if (!ctx.map.keeps(col.value)) {
    ctx.notes.push(`column ${col.value} is not migrated: ${what} at the source only`);
    return undefined;
  }
  return clauseText(ctx, s, e, renameAt(ctx, at));
}

function renameAt(ctx: AlterContext, at: number): Edit[] {
  const t = ctx.sig[at]!;
  const to = ctx.map.renamed(t.value);
  return to !== undefined ? [{ start: t.start, end: t.end, text: quoteIdent(to) }] : [];
}

/**
 * ADD/MODIFY: the column at sig[at], its definition after. Expressions (AS ( … ), CHECK ( … )) get
 * renames; a FIRST/AFTER naming a column left out is removed (the column goes last).
 */
function columnDefinition(ctx: AlterContext, s: number, e: number, at: number, what: string): string | undefined {
  const col = ctx.sig[at];
  if (!col) return clauseText(ctx, s, e, []);
  if (!ctx.map.keeps(col.value)) {
    ctx.notes.push(`column ${col.value} is not migrated: ${what} at the source only`);
    return undefined;
  }
  return clauseText(ctx, s, e, [...renameAt(ctx, at), ...definitionEdits(ctx, at + 1, e)]);
}

function definitionEdits(ctx: AlterContext, from: number, e: number): Edit[] {
  const { sig, map } = ctx;
  const edits: Edit[] = [];
  for (let i = from; i < e; i++) {
    if (isWord(sig[i], 'AS', 'CHECK') && isPunct(sig[i + 1], '(')) {
      const c = closingParen(sig, i + 1);
      edits.push(...renameRefs(sig, i + 1, c, map));
      i = c;
    } else if (isWord(sig[i], 'AFTER') && sig[i + 1]) {
      const ref = sig[i + 1]!;
      if (!map.keeps(ref.value)) {
        ctx.notes.push(`AFTER ${ref.value} removed: that column is not migrated`);
        edits.push({ start: sig[i]!.start, end: ref.end, text: '' });
      } else {
        edits.push(...renameAt(ctx, i + 1));
      }
      i++;
    }
  }
  return edits;
}

/** ADD [COLUMN] (a INT, b INT): each definition on its own terms. */
function addColumnList(ctx: AlterContext, s: number, open: number): string | undefined {
  const { sig } = ctx;
  const close = closingParen(sig, open);
  const kept: string[] = [];
  for (const [a, b] of splitTopLevel(sig, open + 1, close)) {
    const t = columnDefinition(ctx, a, b, a, 'added');
    if (t !== undefined) kept.push(t);
  }
  if (kept.length === 0) return undefined;
  return `${ctx.sql.slice(sig[s]!.start, sig[open]!.start)}(${kept.join(', ')})`;
}

/** ADD INDEX/KEY/UNIQUE/PRIMARY KEY/CONSTRAINT …/FOREIGN KEY/CHECK. */
function addKey(ctx: AlterContext, s: number, e: number, body: number): string | undefined {
  const { sig, map } = ctx;
  let i = body;
  if (isWord(sig[i], 'CONSTRAINT')) {
    i++;
    if (!isWord(sig[i], 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK')) i++;
  }
  if (isWord(sig[i], 'FOREIGN')) {
    ctx.notes.push('ADD FOREIGN KEY skipped: foreign keys are not created at the destination');
    return undefined;
  }
  if (isWord(sig[i], 'CHECK')) return clauseText(ctx, s, e, renameRefs(sig, i + 1, e, map));
  const p = nextParen(sig, i, e);
  if (p < 0) return clauseText(ctx, s, e, []);
  const r = rewriteKeyParts(ctx.sql, sig, p, map);
  const unique = isWord(sig[i], 'PRIMARY', 'UNIQUE');
  if (r.text === undefined || (unique && r.removed.length > 0)) {
    ctx.notes.push(`key skipped: it needs ${r.removed.join(', ')}, which is not migrated`);
    return undefined;
  }
  return clauseText(ctx, s, e, [{ start: sig[p]!.start, end: sig[closingParen(sig, p)]!.end, text: r.text }]);
}

/**
 * CHANGE old new … / RENAME COLUMN old TO new. The destination column is the spec's name for `old`;
 * its new name is the spec's name for `new` (the spec is keyed by source names).
 */
function changeColumn(ctx: AlterContext, s: number, e: number, oldAt: number, newAt: number): string | undefined {
  const { sig, map } = ctx;
  const oldCol = sig[oldAt];
  const newCol = sig[newAt];
  if (!oldCol || !newCol) return clauseText(ctx, s, e, []);
  const keepsOld = map.keeps(oldCol.value);
  const keepsNew = map.keeps(newCol.value);
  const isChange = isWord(sig[s], 'CHANGE');
  if (!keepsOld && keepsNew && isChange) {
    // The column comes into the migration under its new name: the destination never had it.
    ctx.notes.push(`column ${oldCol.value} (not migrated) becomes ${newCol.value} (migrated): added at the destination`);
    return `ADD COLUMN ${clauseText(ctx, newAt, e, [...renameAt(ctx, newAt), ...definitionEdits(ctx, newAt + 1, e)])}`;
  }
  if (!keepsOld || !keepsNew) {
    ctx.notes.push(`column ${oldCol.value} → ${newCol.value} skipped: ${keepsOld ? `${newCol.value} is not migrated, the destination keeps ${map.column(oldCol.value)}` : 'neither name is migrated'}`);
    return undefined;
  }
  const edits = [...renameAt(ctx, oldAt), ...renameAt(ctx, newAt)];
  if (isChange) edits.push(...definitionEdits(ctx, newAt + 1, e));
  return clauseText(ctx, s, e, edits);
}
