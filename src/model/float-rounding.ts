// DTS's FLOAT/DOUBLE rule, shared by what reads the source (the full load, the binlog) and what
// checks the destination (mig verify): values are read with ROUND(col, n), and the defaults (38 and
// 308 decimal places) keep every stored digit, so no rounding happens then.

export interface ValueOptions {
  floatPrecision: number;
  doublePrecision: number;
}

export const DEFAULT_VALUE_OPTIONS: ValueOptions = { floatPrecision: 38, doublePrecision: 308 };

/** The decimal places a column of this type is rounded to, or undefined when it keeps all. */
export function roundingDigits(dataType: string, o: ValueOptions): number | undefined {
  if (dataType === 'float') return o.floatPrecision < 38 ? o.floatPrecision : undefined;
  if (dataType === 'double' || dataType === 'real') return o.doublePrecision < 308 ? o.doublePrecision : undefined;
  return undefined;
}
