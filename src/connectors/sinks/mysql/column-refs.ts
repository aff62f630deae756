// Column references inside DDL: index key parts `(a, b(10) DESC, (expr))` and expressions
// (generated columns, CHECK, partitioning). Renamed columns get their destination names; the
// callers decide what to do when a reference points at a column that is left out.
import type { TableMap } from './names.js';
import { applyEdits, closingParen, isPunct, isWord, quoteIdent, splitTopLevel, type Edit, type Token } from './sql-tokens.js';

/** Text of sql[start, end) with edits (all inside the range) applied. */
export function sliceWithEdits(sql: string, start: number, end: number, edits: Edit[]): string {
  const local = edits.filter((e) => e.start >= start && e.end <= end).map((e) => ({ ...e, start: e.start - start, end: e.end - start }));
  return applyEdits(sql.slice(start, end), local);
}

/**
 * End of a comma-separated part ending before sig[next] (its comma or closing parenthesis): comments
 * after the last token belong to the part (TiDB writes `/*T![clustered_index] CLUSTERED *\/` there).
 */
export function partEnd(sql: string, sig: Token[], next: number): number {
  const t = sig[next];
  return t ? sql.slice(0, t.start).trimEnd().length : sql.trimEnd().length;
}

/** A reference at sig[i] may be a column: a quoted name, or a bare word not followed by `(` (a function call). */
function maybeColumn(sig: Token[], i: number): boolean {
  const t = sig[i]!;
  if (t.type === 'ident') return true;
  return t.type === 'word' && !/^\d/.test(t.value) && !isPunct(sig[i + 1], '(');
}

/**
 * Edits giving renamed columns their destination names in an expression, sig[from, to).
 * A bare word matches only when not followed by `(`, so functions named like a column survive.
 */
export function renameRefs(sig: Token[], from: number, to: number, map: TableMap): Edit[] {
  const edits: Edit[] = [];
  for (let i = from; i < to; i++) {
    if (!maybeColumn(sig, i)) continue;
    const t = sig[i]!;
    const to = map.renamed(t.value);
    if (to !== undefined) edits.push({ start: t.start, end: t.end, text: quoteIdent(to) });
  }
  return edits;
}

/** First name in sig[from, to) that is one of `dropped` (lower-cased names). */
export function firstDroppedRef(sig: Token[], from: number, to: number, dropped: ReadonlySet<string>): string | undefined {
  for (let i = from; i < to; i++) {
    if (maybeColumn(sig, i) && dropped.has(sig[i]!.value.toLowerCase())) return sig[i]!.value;
  }
  return undefined;
}

export interface KeyPartsRewrite {
  /** The new `(…)` text; undefined when no part is left. */
  text?: string;
  /** Source columns whose parts were removed. */
  removed: string[];
}

/**
 * Rewrites the key part list whose `(` is sig[open]: parts naming a column left out are removed,
 * renamed columns renamed. `dropped` adds names that count as left out (columns removed for other
 * reasons, like generated columns whose expression needed a missing column).
 */
export function rewriteKeyParts(sql: string, sig: Token[], open: number, map: TableMap, dropped: ReadonlySet<string> = new Set()): KeyPartsRewrite {
  const close = closingParen(sig, open);
  const kept: string[] = [];
  const removed: string[] = [];
  for (const [s, e] of splitTopLevel(sig, open + 1, close)) {
    const first = sig[s]!;
    if (isPunct(first, '(')) {
      // Functional key part ((expr)): keep it unless it needs a missing column.
      const gone = firstDroppedRef(sig, s, e, dropped) ?? firstLeftOut(sig, s, e, map);
      if (gone !== undefined) {
        removed.push(gone);
        continue;
      }
      kept.push(sliceWithEdits(sql, first.start, sig[e - 1]!.end, renameRefs(sig, s, e, map)));
      continue;
    }
    if (!map.keeps(first.value) || dropped.has(first.value.toLowerCase())) {
      removed.push(first.value);
      continue;
    }
    const to = map.renamed(first.value);
    const edits = to !== undefined ? [{ start: first.start, end: first.end, text: quoteIdent(to) }] : [];
    kept.push(sliceWithEdits(sql, first.start, sig[e - 1]!.end, edits));
  }
  return { text: kept.length > 0 ? `(${kept.join(',')})` : undefined, removed };
}

/** A quoted name in an expression that the spec leaves out (only quoted names: bare words may be keywords). */
function firstLeftOut(sig: Token[], from: number, to: number, map: TableMap): string | undefined {
  for (let i = from; i < to; i++) {
    const t = sig[i]!;
    if (t.type === 'ident' && !map.keeps(t.value)) return t.value;
  }
  return undefined;
}

/** Index of the first `(` at or after `from` and before `to`, or -1. */
export function nextParen(sig: Token[], from: number, to: number): number {
  for (let i = from; i < to; i++) if (isPunct(sig[i], '(')) return i;
  return -1;
}

/** Whether the words at sig[i…] are `words` in order. */
export function wordsAt(sig: Token[], i: number, ...words: string[]): boolean {
  return words.every((w, k) => isWord(sig[i + k], w));
}
