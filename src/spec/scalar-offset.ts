// Maps a character index inside a YAML scalar's value back to the source text, so a diagnostic about
// part of a value (a filter's bad token) can point at that character rather than the value's start.
import { Scalar } from 'yaml';

/**
 * Index in `raw` (the scalar's source, from its first character) of the value's character `index`,
 * or undefined when the value does not map one to one onto a single source line: block scalars and
 * multi-line flow scalars fold and strip, so only the scalar's start is certain there.
 */
export function sourceIndex(raw: string, type: Scalar['type'], index: number): number | undefined {
  if (raw.includes('\n') || index < 0) return undefined;
  switch (type) {
    case Scalar.PLAIN:
      return index <= raw.length ? index : undefined;
    case Scalar.QUOTE_SINGLE:
      return walk(raw, index, (i) => (raw[i] === "'" && raw[i + 1] === "'" ? [2, 1] : [1, 1]));
    case Scalar.QUOTE_DOUBLE:
      return walk(raw, index, (i) => (raw[i] === '\\' ? escapeWidth(raw, i) : [1, 1]));
    default:
      return undefined;
  }
}

/**
 * Steps through the quoted source; `width(i)` gives the source characters and the value characters
 * (UTF-16 units) the piece at `i` stands for. An index one past the value lands on the closing quote;
 * an index inside a two-unit escape lands on the escape.
 */
function walk(raw: string, index: number, width: (i: number) => [number, number]): number | undefined {
  let i = 1; // past the opening quote
  let v = 0;
  while (v < index) {
    if (i >= raw.length - 1) return undefined;
    const [src, units] = width(i);
    if (v + units > index) return i;
    i += src;
    v += units;
  }
  return i < raw.length ? i : undefined;
}

/** A double-quoted escape at `i`: `\xHH`, `\uHHHH`, `\UHHHHHHHH` (two units past U+FFFF), else `\c`. */
function escapeWidth(raw: string, i: number): [number, number] {
  const digits = ({ x: 2, u: 4, U: 8 } as Record<string, number>)[raw[i + 1] ?? ''] ?? 0;
  const code = digits === 0 ? 0 : parseInt(raw.slice(i + 2, i + 2 + digits), 16);
  return [2 + digits, code > 0xffff ? 2 : 1];
}
