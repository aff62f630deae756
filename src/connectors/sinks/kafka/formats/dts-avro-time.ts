// Temporal values in the shapes of DTS Avro's Timestamp and DateTime records. The input is mig's
// canonical text ('YYYY-MM-DD HH:MM:SS[.ffffff]', TIME as '[-]H…H:MM:SS[.ffffff]'); it is parsed by
// position rather than through Date, because zero dates, invalid dates and TIME beyond 24 hours are
// legal MySQL values that Date would reject or normalise.

export interface AvroDateTime {
  year: number | null;
  month: number | null;
  day: number | null;
  hour: number | null;
  minute: number | null;
  second: number | null;
  /** Microseconds, despite the name (DTS's readers pad it to 6 digits). */
  millis: number | null;
}

export interface AvroTimestamp {
  /** Seconds since the epoch. */
  timestamp: number;
  /** Microseconds of the second. */
  millis: number;
}

const num = (s: string, from: number, to: number): number => Number(s.slice(from, to));

/** '.5' → 500000: the fraction as microseconds, whatever the column's fractional digits; null without one. */
function micros(s: string, dot: number): number | null {
  if (dot < 0) return null;
  return Number(s.slice(dot + 1, dot + 7).padEnd(6, '0'));
}

/** Negated when the TIME is negative; zero stays 0 rather than -0. */
function signed(neg: boolean, n: number | null): number | null {
  return neg && n !== null && n !== 0 ? -n : n;
}

/** DATE: year, month and day; the zero date gives zeros, as MySQL stores it. */
export function dateValue(s: string): AvroDateTime {
  return { year: num(s, 0, 4), month: num(s, 5, 7), day: num(s, 8, 10), hour: null, minute: null, second: null, millis: null };
}

/** DATETIME: every segment; millis only when the column keeps fractional seconds. */
export function dateTimeValue(s: string): AvroDateTime {
  return {
    year: num(s, 0, 4), month: num(s, 5, 7), day: num(s, 8, 10),
    hour: num(s, 11, 13), minute: num(s, 14, 16), second: num(s, 17, 19), millis: micros(s, s.indexOf('.', 19)),
  };
}

/**
 * TIME: hour, minute, second (and millis with fractional seconds); the hour may exceed 23. A negative
 * TIME carries the sign on every non-zero segment ('-00:30:00' is minute -30), because a sign on the
 * hour alone is lost when the hour is 0; DTS's own reader tests each segment for a sign the same way.
 */
export function timeValue(s: string): AvroDateTime {
  const neg = s.charCodeAt(0) === 45; // '-'
  const start = neg ? 1 : 0;
  const c1 = s.indexOf(':', start);
  const dot = s.indexOf('.', c1);
  return {
    year: null, month: null, day: null,
    hour: signed(neg, num(s, start, c1)), minute: signed(neg, num(s, c1 + 1, c1 + 3)),
    second: signed(neg, num(s, c1 + 4, c1 + 6)), millis: signed(neg, micros(s, dot)),
  };
}

/** YEAR: the year segment only. */
export function yearValue(s: string): AvroDateTime {
  return { year: Number(s), month: null, day: null, hour: null, minute: null, second: null, millis: null };
}

/**
 * TIMESTAMP (canonical text is UTC): epoch seconds and microseconds. The zero timestamp becomes 0,
 * which no real TIMESTAMP can be (the range starts one second after the epoch).
 */
export function timestampValue(s: string): AvroTimestamp {
  const year = num(s, 0, 4);
  if (year === 0) return { timestamp: 0, millis: 0 };
  const ms = Date.UTC(year, num(s, 5, 7) - 1, num(s, 8, 10), num(s, 11, 13), num(s, 14, 16), num(s, 17, 19));
  return { timestamp: ms / 1000, millis: micros(s, s.indexOf('.', 19)) ?? 0 };
}
