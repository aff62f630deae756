// The typed syntax tree of a row filter: what filter-parse produces and filter-eval compiles.
// Every node keeps the character offset it started at, so later stages can point at the text.
// It sits in src/spec because the filter's grammar is part of the spec: validate parses filters with it,
// and src/spec may not import src/transform (which evaluates them).

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | '<=>';
export type ArithOp = '+' | '-' | '*' | '/' | 'div' | 'mod';
export type LogicOp = 'and' | 'or' | 'xor';

/** Functions a filter may call, by canonical name (synonyms are mapped by the parser). */
export const FILTER_FUNCTIONS = [
  'ABS',
  'CHAR_LENGTH',
  'COALESCE',
  'CONCAT',
  'DATE',
  'IFNULL',
  'LENGTH',
  'LOWER',
  'NOW',
  'SUBSTRING',
  'UPPER',
  'YEAR',
] as const;
export type FilterFunction = (typeof FILTER_FUNCTIONS)[number];

/** Spellings accepted for each function; the parser reports these in "unknown function" errors. */
export const FUNCTION_SYNONYMS: Readonly<Record<string, FilterFunction>> = {
  ABS: 'ABS',
  CHAR_LENGTH: 'CHAR_LENGTH',
  CHARACTER_LENGTH: 'CHAR_LENGTH',
  COALESCE: 'COALESCE',
  CONCAT: 'CONCAT',
  CURRENT_TIMESTAMP: 'NOW',
  DATE: 'DATE',
  IFNULL: 'IFNULL',
  LCASE: 'LOWER',
  LENGTH: 'LENGTH',
  LOWER: 'LOWER',
  NOW: 'NOW',
  SUBSTR: 'SUBSTRING',
  SUBSTRING: 'SUBSTRING',
  UCASE: 'UPPER',
  UPPER: 'UPPER',
  YEAR: 'YEAR',
};

/** Argument counts per function: [min, max]; max Infinity for variadic ones. */
export const FUNCTION_ARITY: Readonly<Record<FilterFunction, readonly [number, number]>> = {
  ABS: [1, 1],
  CHAR_LENGTH: [1, 1],
  COALESCE: [1, Infinity],
  CONCAT: [1, Infinity],
  DATE: [1, 1],
  IFNULL: [2, 2],
  LENGTH: [1, 1],
  LOWER: [1, 1],
  NOW: [0, 0],
  SUBSTRING: [2, 3],
  UPPER: [1, 1],
  YEAR: [1, 1],
};

/**
 * Numeric literal kinds follow MySQL: digits only is an integer (DECIMAL when it does not fit
 * BIGINT), a decimal point makes it DECIMAL, an exponent makes it DOUBLE.
 */
export type NumberKind = 'int' | 'decimal' | 'real';

export type Expr =
  | { kind: 'column'; name: string; table?: string; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'number'; text: string; numberKind: NumberKind; offset: number }
  | { kind: 'null'; offset: number }
  | { kind: 'bool'; value: boolean; offset: number }
  | { kind: 'not'; arg: Expr; offset: number }
  | { kind: 'negate'; arg: Expr; offset: number }
  | { kind: 'logic'; op: LogicOp; left: Expr; right: Expr; offset: number }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; offset: number }
  | { kind: 'is'; test: 'null' | 'true' | 'false' | 'unknown'; negated: boolean; arg: Expr; offset: number }
  | { kind: 'in'; negated: boolean; arg: Expr; list: Expr[]; offset: number }
  | { kind: 'between'; negated: boolean; arg: Expr; low: Expr; high: Expr; offset: number }
  /** escape is the single escape character; '\\' unless the filter says otherwise. */
  | { kind: 'like'; negated: boolean; arg: Expr; pattern: Expr; escape: string; offset: number }
  | { kind: 'arith'; op: ArithOp; left: Expr; right: Expr; offset: number }
  | { kind: 'call'; fn: FilterFunction; args: Expr[]; offset: number };

export type ParseResult =
  | { ok: true; expr: Expr; columns: string[] }
  | { ok: false; message: string; offset: number };
