// Feed values in mig's canonical form: the exact text (or bytes) the snapshot SELECT of the same
// value gives (src/source/mysql/type-map.ts), so a full load and the incremental feed agree.
import type { ColumnInfo } from '../../../model/source-data.js';
import { fromBinlog, type ValueOptions } from '../mysql/type-map.js';
import { isUtcZone, wallTimeToUtc } from './time-zone.js';

const FRACTION_TYPES = new Set(['datetime', 'timestamp', 'time']);

/** FLOAT/DOUBLE from a number: shortest float32 text for FLOAT, the ROUND rule when configured. */
export function floatText(c: ColumnInfo, v: number, o: ValueOptions): string {
  return fromBinlog(c, v, o) as string;
}

/**
 * Temporal text with exactly the column's fractional digits, as the server prints it (feeds may
 * print fewer, e.g. a trimmed `.5`, or none when the fraction is zero).
 */
export function temporalText(c: ColumnInfo, s: string): string {
  if (!FRACTION_TYPES.has(c.dataType) || c.fsp === undefined) return s;
  const dot = s.indexOf('.');
  const whole = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if (c.fsp === 0) return whole;
  return `${whole}.${frac.padEnd(c.fsp, '0').slice(0, c.fsp)}`;
}

/** DECIMAL text with the column's scale (a feed may drop trailing zeros the server prints). */
export function decimalText(c: ColumnInfo, s: string): string {
  const m = /^(?:decimal|numeric)\(\d+,(\d+)\)/.exec(c.columnType);
  if (!m) return s;
  const scale = Number(m[1]);
  const dot = s.indexOf('.');
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if (!/^-?\d+(\.\d*)?$/.test(s) || frac.length >= scale) return s;
  return `${dot < 0 ? s : s.slice(0, dot)}${scale > 0 ? '.' : ''}${frac.padEnd(scale, '0')}`;
}

/** YEAR as four digits ('0000' for the zero year), as the server prints it. */
export function yearText(s: string): string {
  return s.padStart(4, '0');
}

/** Byte width of a BIT(M) column; undefined when the type text gives no M. */
export function bitWidth(c: ColumnInfo): number | undefined {
  const m = /^bit\((\d+)\)/.exec(c.columnType);
  return m ? Math.ceil(Number(m[1]) / 8) : undefined;
}

/**
 * BIT value as the snapshot reads it: big-endian bytes, ceil(M/8) of them. When M is unknown, bytes
 * are kept as the feed gave them (TiDB stores ceil(M/8)) and a number takes the fewest bytes.
 */
export function bitBytes(c: ColumnInfo, v: bigint | Buffer): Buffer {
  let width = bitWidth(c);
  if (width === undefined && Buffer.isBuffer(v)) return v;
  let n = 0n;
  if (Buffer.isBuffer(v)) for (const b of v) n = (n << 8n) | BigInt(b);
  else n = v;
  if (width === undefined) {
    width = 1;
    while (n >> BigInt(8 * width) !== 0n) width++;
  }
  const out = Buffer.alloc(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/**
 * A value both feeds carry as text, in canonical form: DECIMAL with its scale, temporal values with
 * the column's fractional digits (TIMESTAMP moved from the feed's zone to UTC), YEAR with four digits,
 * FLOAT/DOUBLE with the ROUND rule. Undefined for the other types, which each feed treats its own way.
 */
export function typedText(c: ColumnInfo, s: string, zone: string, values: ValueOptions): string | undefined {
  switch (c.dataType) {
    case 'decimal':
    case 'numeric':
      return decimalText(c, s);
    case 'timestamp':
      return temporalText(c, isUtcZone(zone) ? s : wallTimeToUtc(s, zone));
    case 'datetime':
    case 'time':
      return temporalText(c, s);
    case 'year':
      return yearText(s);
    case 'float':
    case 'double':
    case 'real':
      return floatText(c, Number(s), values);
    default:
      return undefined;
  }
}
