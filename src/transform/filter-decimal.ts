// Exact decimal arithmetic on MySQL's text form of INT and DECIMAL values, plus MySQL's
// string-to-number conversions. Doubles cannot hold DECIMAL(65,30) or BIGINT UNSIGNED exactly,
// and a filter must select the same rows the server would.

/** MySQL caps DECIMAL scale at 30 digits; arithmetic results are rounded there. */
const MAX_SCALE = 30;
/** div_precision_increment: MySQL's default extra digits of scale for `/`. */
const DIV_PRECISION_INCREMENT = 4;

/** Canonical text of a numeric literal: no leading zeros or '+', at least one integer digit, scale kept. */
export function normalizeDecimal(text: string): string {
  let s = text.trim();
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const dot = s.indexOf('.');
  let int = (dot < 0 ? s : s.slice(0, dot)).replace(/^0+/, '') || '0';
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if (!/^\d+$/.test(int) || !/^\d*$/.test(frac)) int = '0';
  const body = frac.length > 0 ? `${int}.${frac}` : int;
  return neg && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Digits after the decimal point. */
export function decimalScale(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function isZeroFrom(s: string, start: number): boolean {
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 49 && c <= 57) return false;
  }
  return true;
}

/** Compares two decimal texts exactly, without allocating: -1, 0 or 1. Tolerates leading zeros and '+'. */
export function compareDecimal(a: string, b: string): number {
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  const as = an || a.charCodeAt(0) === 43 ? 1 : 0;
  const bs = bn || b.charCodeAt(0) === 43 ? 1 : 0;
  if (an !== bn) {
    if (isZeroFrom(a, as) && isZeroFrom(b, bs)) return 0;
    return an ? -1 : 1;
  }
  const r = compareMagnitude(a, as, b, bs);
  return an ? -r : r;
}

function compareMagnitude(a: string, ai: number, b: string, bi: number): number {
  // Leading zeros (including a lone "0" before the point) carry no magnitude.
  while (ai < a.length && a.charCodeAt(ai) === 48) ai++;
  while (bi < b.length && b.charCodeAt(bi) === 48) bi++;
  let ad = a.indexOf('.', ai);
  let bd = b.indexOf('.', bi);
  if (ad < 0) ad = a.length;
  if (bd < 0) bd = b.length;
  const aIntLen = ad - ai;
  const bIntLen = bd - bi;
  if (aIntLen !== bIntLen) {
    return aIntLen < bIntLen ? -1 : 1;
  }
  for (let k = 0; k < aIntLen; k++) {
    const d = a.charCodeAt(ai + k) - b.charCodeAt(bi + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const aFrac = a.length - ad - 1;
  const bFrac = b.length - bd - 1;
  const len = Math.max(aFrac, bFrac);
  for (let k = 0; k < len; k++) {
    const x = k < aFrac ? a.charCodeAt(ad + 1 + k) : 48;
    const y = k < bFrac ? b.charCodeAt(bd + 1 + k) : 48;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function decimalIsZero(s: string): boolean {
  return isZeroFrom(s, 0);
}

interface Scaled {
  v: bigint;
  scale: number;
}

function toScaled(s: string): Scaled {
  const dot = s.indexOf('.');
  if (dot < 0) return { v: BigInt(s), scale: 0 };
  return { v: BigInt(s.slice(0, dot) + s.slice(dot + 1)), scale: s.length - dot - 1 };
}

function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return neg && v !== 0n ? `-${digits}` : digits;
}

const POW10 = new Map<number, bigint>();
function pow10(n: number): bigint {
  let p = POW10.get(n);
  if (p === undefined) POW10.set(n, (p = 10n ** BigInt(n)));
  return p;
}

/** Rounds n / d half away from zero, as MySQL rounds DECIMAL results. */
function divRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (ad * 2n);
  return neg ? -q : q;
}

function rescale(x: Scaled, scale: number): bigint {
  return x.v * pow10(scale - x.scale);
}

export function decimalAdd(a: string, b: string, subtract: boolean): string {
  const x = toScaled(a);
  const y = toScaled(b);
  const scale = Math.max(x.scale, y.scale);
  const yv = rescale(y, scale);
  return fromScaled(rescale(x, scale) + (subtract ? -yv : yv), scale);
}

export function decimalMultiply(a: string, b: string): string {
  const x = toScaled(a);
  const y = toScaled(b);
  const scale = x.scale + y.scale;
  if (scale <= MAX_SCALE) return fromScaled(x.v * y.v, scale);
  return fromScaled(divRound(x.v * y.v, pow10(scale - MAX_SCALE)), MAX_SCALE);
}

/** a / b with MySQL's result scale (scale of a plus div_precision_increment); null when b is zero. */
export function decimalDivide(a: string, b: string): string | null {
  const x = toScaled(a);
  const y = toScaled(b);
  if (y.v === 0n) return null;
  const scale = Math.min(x.scale + DIV_PRECISION_INCREMENT, MAX_SCALE);
  return fromScaled(divRound(x.v * pow10(y.scale + scale - x.scale), y.v), scale);
}

/** a DIV b: the quotient truncated toward zero, as an integer; null when b is zero. */
export function decimalIntDivide(a: string, b: string): string | null {
  const x = toScaled(a);
  const y = toScaled(b);
  if (y.v === 0n) return null;
  return ((x.v * pow10(y.scale)) / (y.v * pow10(x.scale))).toString();
}

/** a MOD b with the sign of a, as MySQL; null when b is zero. */
export function decimalModulo(a: string, b: string): string | null {
  const x = toScaled(a);
  const y = toScaled(b);
  if (y.v === 0n) return null;
  const scale = Math.max(x.scale, y.scale);
  return fromScaled(rescale(x, scale) % rescale(y, scale), scale);
}

export function decimalNegate(a: string): string {
  if (a.charCodeAt(0) === 45) return a.slice(1);
  return decimalIsZero(a) ? a : `-${a}`;
}

export function decimalAbs(a: string): string {
  return a.charCodeAt(0) === 45 ? a.slice(1) : a;
}

/** The integer value of a decimal text if it has no fractional part, else undefined. */
export function decimalAsInteger(a: string): string | undefined {
  const dot = a.indexOf('.');
  if (dot < 0) return normalizeDecimal(a);
  return isZeroFrom(a, dot + 1) ? normalizeDecimal(a.slice(0, dot)) : undefined;
}

/** Rounded to an integer, half away from zero. */
export function decimalRound(a: string): string {
  const x = toScaled(a);
  return divRound(x.v, pow10(x.scale)).toString();
}

// MySQL reads the longest numeric prefix of a string, after leading whitespace; no prefix is 0.
const NUMERIC_PREFIX = /[ \t\n\r\v\f]*([+-]?(?:\d+\.?\d*|\.\d+))([eE][+-]?\d+)?/y;

/** A string in numeric context, as MySQL converts it to DOUBLE ('10abc' is 10, 'abc' is 0). */
export function stringToDouble(s: string): number {
  NUMERIC_PREFIX.lastIndex = 0;
  const m = NUMERIC_PREFIX.exec(s);
  if (!m) return 0;
  return Number(m[2] === undefined ? m[1] : m[1] + m[2]);
}

/** A string in exact-decimal context: its numeric prefix with any exponent applied exactly. */
export function stringToDecimal(s: string): string {
  NUMERIC_PREFIX.lastIndex = 0;
  const [, digits, exponent] = NUMERIC_PREFIX.exec(s) ?? [];
  if (digits === undefined) return '0';
  const mantissa = normalizeDecimal(digits);
  if (exponent === undefined) return mantissa;
  const exp = Number(exponent.slice(1));
  // Beyond DECIMAL's 65 digits MySQL saturates; far past them only the sign still matters.
  if (exp > 200) return decimalIsZero(mantissa) ? '0' : `${mantissa.startsWith('-') ? '-' : ''}${'9'.repeat(65)}`;
  if (exp < -200) return '0';
  const x = toScaled(mantissa);
  const scale = x.scale - exp;
  return scale >= 0 ? fromScaled(x.v, scale) : fromScaled(x.v * pow10(-scale), 0);
}

/** BIT values arrive as big-endian Buffers; in numeric context they are unsigned integers. */
export function bitsToDecimal(b: Buffer): string {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v.toString();
}

/**
 * A DOUBLE in string context, as MariaDB prints it: the shortest digits that round-trip (like
 * JavaScript), in exponent form only from 1e15 up or below 1e-15 ('1e15', '0.0000000001').
 */
export function doubleToText(n: number): string {
  if (n === 0) return '0';
  if (!Number.isFinite(n)) return String(n);
  const text = n.toExponential();
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e);
  const exp = Number(text.slice(e + 1));
  if (exp >= 15 || exp <= -16) return `${mantissa}e${exp}`;
  const neg = mantissa.startsWith('-');
  const digits = mantissa.replace(/[-.]/g, '');
  let body: string;
  if (exp < 0) body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (exp + 1 >= digits.length) body = digits + '0'.repeat(exp + 1 - digits.length);
  else body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return neg ? `-${body}` : body;
}
