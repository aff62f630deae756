// Temporal values in filters: MySQL's lenient reading of date/time strings and numbers, and
// comparison of DATE/DATETIME/TIMESTAMP values by their canonical text without allocating.

/** What an unreadable value becomes in a comparison: MySQL compares it as the zero date. */
export const ZERO_DATETIME = '0000-00-00 00:00:00.000000';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function build(
  y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, strict: boolean,
  twoDigitYear = false,
): string | null {
  // MySQL reads two-digit years as 2000-2069 and 1970-1999, unless the whole value is zero.
  if (twoDigitYear && (y || mo || d || h || mi || s || Number(frac ?? 0))) y += y < 70 ? 2000 : 1900;
  if (mo > 12 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  // In comparisons MySQL accepts any day up to 31 ('2024-02-30'); DATE() and YEAR() do not.
  if (strict && mo > 0 && d > daysInMonth(y, mo)) return null;
  const micro = (frac ?? '').slice(0, 6).padEnd(6, '0');
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${micro}`;
}

// Each part ends where its digits end: MySQL reads '2024-01-0120' as day 0120, which is invalid.
const DELIMITED =
  /^\s*(\d{1,4})[^\d\s](\d{1,2})[^\d\s](\d{1,2})(?!\d)(?:(?:T|\s+|[^\d\s])(\d{1,2})(?!\d)(?:[^\d\s](\d{1,2})(?!\d)(?:[^\d\s](\d{1,2})(?!\d)(?:\.(\d+))?)?)?)?/;
const COMPACT = /^\s*(\d{14}|\d{12}|\d{8}|\d{6})(?:\.(\d+))?(?!\d)/;

/**
 * A string as MySQL reads it as a DATETIME: 'YYYY-MM-DD HH:MM:SS.ffffff', or null when unreadable.
 * Like MySQL, trailing text after a complete value is ignored ('2024-01-01x').
 */
export function parseDatetime(text: string, strict: boolean): string | null {
  const [, year, month, day, hour, minute, second, frac] = DELIMITED.exec(text) ?? [];
  if (year !== undefined) {
    return build(
      Number(year), Number(month), Number(day),
      Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), frac, strict, year.length <= 2,
    );
  }
  const [, digits, digitsFrac] = COMPACT.exec(text) ?? [];
  return digits === undefined ? null : compactDigits(digits, digitsFrac, strict);
}

function compactDigits(digits: string, frac: string | undefined, strict: boolean): string | null {
  const longYear = digits.length === 8 || digits.length === 14;
  const yl = longYear ? 4 : 2;
  const part = (i: number): number => Number(digits.slice(yl + i * 2, yl + i * 2 + 2) || '0');
  return build(Number(digits.slice(0, yl)), part(0), part(1), part(2), part(3), part(4), frac, strict, !longYear);
}

/** A YEAR value in temporal context: MariaDB makes it the year with zero month and day. */
export function yearToDatetime(year: string): string {
  return `${year.padStart(4, '0')}-00-00 00:00:00`;
}

/** A number in temporal context: YYMMDD, YYYYMMDD, YYMMDDHHMMSS or YYYYMMDDHHMMSS, zero-padded on the left. */
export function numberToDatetime(decimalText: string, strict: boolean): string | null {
  if (decimalText.startsWith('-')) return null;
  const dot = decimalText.indexOf('.');
  const int = (dot < 0 ? decimalText : decimalText.slice(0, dot)).replace(/^0+/, '');
  const frac = dot < 0 ? undefined : decimalText.slice(dot + 1);
  if (int === '') return build(0, 0, 0, 0, 0, 0, frac, strict);
  const width = int.length <= 6 ? 6 : int.length <= 8 ? 8 : int.length <= 12 ? 12 : int.length <= 14 ? 14 : 0;
  if (width === 0 || Number(int) < 101) return null;
  return compactDigits(int.padStart(width, '0'), frac, strict);
}

/**
 * Orders two DATE/DATETIME texts of the canonical shape ('YYYY-MM-DD[ HH:MM:SS[.f…]]'): they share
 * positions, so the common prefix compares character by character and any remaining non-zero
 * digit makes the longer text later. A DATE equals the same day at midnight, as in MySQL.
 */
export function compareDatetimeText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < y ? -1 : 1;
  }
  const longer = a.length > n ? a : b;
  for (let i = n; i < longer.length; i++) {
    const c = longer.charCodeAt(i);
    if (c >= 49 && c <= 57) return longer === a ? 1 : -1;
  }
  return 0;
}

const MAX_TIME = (838 * 3600 + 59 * 60 + 59) * 1_000_000 + 999_999;

function timeMicros(
  neg: boolean, h: number, mi: number, s: number, frac: string | undefined, clamp = true,
): number | null {
  if (mi > 59 || s > 59 || (!clamp && h > 838)) return null;
  // 'HH:MM:SS' text saturates at 838:59:59 as in MySQL; bare digits beyond it are unreadable.
  const total = Math.min(((h * 60 + mi) * 60 + s) * 1_000_000 + Number((frac ?? '').slice(0, 6).padEnd(6, '0')), MAX_TIME);
  return neg ? -total : total;
}

/** A string as TIME microseconds: '[-][D ]HH:MM[:SS[.f]]', HHMMSS digits, or a datetime's time part. */
export function parseTime(text: string): number | null {
  const dt = DELIMITED.exec(text);
  if (dt && dt[4] !== undefined) return timeMicros(false, Number(dt[4]), Number(dt[5] ?? 0), Number(dt[6] ?? 0), dt[7]);
  const [, minus, days, hoursOrDigits, minutes, seconds, frac] =
    /^\s*(-)?(?:(\d+)\s+)?(\d+)(?::(\d{1,2})(?::(\d{1,2}))?)?(?:\.(\d+))?/.exec(text) ?? [];
  if (hoursOrDigits === undefined) return null;
  const neg = minus !== undefined;
  if (minutes !== undefined) {
    return timeMicros(neg, Number(hoursOrDigits) + 24 * Number(days ?? 0), Number(minutes), Number(seconds ?? 0), frac);
  }
  // Without colons MySQL reads the digits right to left: SS, MMSS, HHMMSS.
  const digits = hoursOrDigits.padStart(6, '0');
  return timeMicros(neg, Number(digits.slice(0, -4)), Number(digits.slice(-4, -2)), Number(digits.slice(-2)), frac, false);
}

/** A number as TIME: up to 7 digits HHHMMSS, 8 a date (midnight), 12 to 14 a datetime's time part. */
export function numberToTime(decimalText: string): number | null {
  const neg = decimalText.startsWith('-');
  const abs = neg ? decimalText.slice(1) : decimalText;
  const dot = abs.indexOf('.');
  const int = (dot < 0 ? abs : abs.slice(0, dot)).replace(/^0+(?=\d)/, '');
  const frac = dot < 0 ? undefined : abs.slice(dot + 1);
  if (int.length <= 7) {
    const d = int.padStart(6, '0');
    return timeMicros(neg, Number(d.slice(0, -4)), Number(d.slice(-4, -2)), Number(d.slice(-2)), frac, false);
  }
  if (neg) return null;
  if (int.length === 8) return numberToDatetime(int, false) === null ? null : 0;
  if (int.length < 12 || int.length > 14) return null;
  const d = numberToDatetime(decimalText, false);
  return d === null ? null : parseTime(d.slice(11));
}

/** A temporal value in numeric context, as MySQL: 2024-01-02 is 20240102, 12:30:00 is 123000. */
export function temporalToDecimal(text: string): string {
  const neg = text.startsWith('-');
  const dot = text.indexOf('.');
  const main = (dot < 0 ? text : text.slice(0, dot)).replace(/\D/g, '').replace(/^0+(?=\d)/, '');
  const frac = dot < 0 ? '' : text.slice(dot);
  return (neg ? '-' : '') + main + frac;
}

/** 'YYYY-MM-DD HH:MM:SS' for a clock reading shifted to the source's time zone. */
export function formatNow(epochMs: number, utcOffsetMinutes: number): string {
  const d = new Date(epochMs + utcOffsetMinutes * 60_000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}
