// Compiles a parsed row filter into one closure per table, evaluated on each binlog row image with
// MySQL's semantics, so the stream selects exactly the rows the full load's WHERE selected.
import type { ColumnInfo, Row } from '../model/source-data.js';
import { MigError } from '../util/errors.js';
import type { Expr, LogicOp } from './filter-ast.js';
import { compileArith, compileNegate } from './filter-arith.js';
import { compileCompare, type Flavor } from './filter-compare.js';
import { compileCall, type Clock } from './filter-functions.js';
import { parseFilter } from './filter-parse.js';
import { compileBetween, compileIn, compileIs, compileLikeNode, negate } from './filter-predicates.js';
import {
  EMPTY_ROW, columnNode, nullNode, numberLiteral, stringLiteral, truth, type BoolNode, type Node,
} from './filter-values.js';

export interface FilterOptions {
  /** Table the filter belongs to: named in errors, and checked against `table.col` qualifiers. */
  table?: string;
  /** Clock for NOW(); defaults to Date.now. */
  now?: () => number;
  /** UTC offset of the source session's time zone for NOW(); defaults to 0 (UTC). */
  utcOffsetMinutes?: number;
  /** The source server's rules where MySQL and MariaDB differ; defaults to MariaDB. */
  flavor?: Flavor;
}

export type RowPredicate = (row: Row) => boolean;

/**
 * Compiles a filter for a table. The predicate is true only when the condition is TRUE: NULL
 * (unknown) drops the row, as WHERE does. A column the row image lacks reads as NULL.
 * Throws MigError for columns the table does not have and for comparisons filters cannot express.
 */
export function compileFilter(expr: Expr, columns: ColumnInfo[], options: FilterOptions = {}): RowPredicate {
  const compiler = new Compiler(columns, options);
  const test = truth(compiler.compile(expr));
  return (row) => test(row) === true;
}

/** Parses and compiles in one step, turning a syntax error into a MigError that shows where it is. */
export function compileFilterText(text: string, columns: ColumnInfo[], options: FilterOptions = {}): RowPredicate {
  const parsed = parseFilter(text);
  if (!parsed.ok) {
    const where = `${text.slice(0, parsed.offset)}⟨here⟩${text.slice(parsed.offset)}`;
    throw new MigError(
      'filter-syntax',
      `invalid filter${options.table ? ` for table ${options.table}` : ''} at offset ${parsed.offset}: ${parsed.message}`,
      `the filter is a MySQL WHERE condition: ${where}`,
    );
  }
  return compileFilter(parsed.expr, columns, options);
}

class Compiler {
  private readonly byName: Map<string, ColumnInfo>;
  private readonly clock: Clock;
  private readonly flavor: Flavor;

  constructor(
    private readonly columns: ColumnInfo[],
    private readonly options: FilterOptions,
  ) {
    this.byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
    this.clock = { now: options.now ?? Date.now, utcOffsetMinutes: options.utcOffsetMinutes ?? 0 };
    this.flavor = options.flavor ?? 'mariadb';
  }

  compile(e: Expr): Node {
    const node = this.build(e);
    if (!node.constant || node.t === 'null') return node;
    // Constant subexpressions are computed once here, not once per row.
    const v = node.f(EMPTY_ROW);
    return { ...node, f: () => v } as Node;
  }

  private build(e: Expr): Node {
    switch (e.kind) {
      case 'column':
        return columnNode(this.column(e.name, e.table));
      case 'string':
        return stringLiteral(e.value);
      case 'number':
        return numberLiteral(e.text, e.numberKind);
      case 'null':
        return nullNode();
      case 'bool':
        return numberLiteral(e.value ? '1' : '0', 'int');
      case 'not':
        return negate(asBool(this.compile(e.arg)));
      case 'negate':
        return compileNegate(this.compile(e.arg));
      case 'logic':
        return logic(e.op, this.compile(e.left), this.compile(e.right));
      case 'compare':
        return compileCompare(e.op, this.compile(e.left), this.compile(e.right), this.flavor);
      case 'is':
        return compileIs(this.compile(e.arg), e.test, e.negated);
      case 'in':
        return compileIn(this.compile(e.arg), e.list.map((x) => this.compile(x)), e.negated, this.flavor);
      case 'between':
        return compileBetween(this.compile(e.arg), this.compile(e.low), this.compile(e.high), e.negated, this.flavor);
      case 'like':
        return compileLikeNode(this.compile(e.arg), this.compile(e.pattern), e.escape, e.negated);
      case 'arith':
        return compileArith(e.op, this.compile(e.left), this.compile(e.right));
      case 'call':
        return compileCall(e.fn, e.args.map((x) => this.compile(x)), this.clock);
    }
  }

  private column(name: string, table: string | undefined): ColumnInfo {
    const where = this.options.table ? `table ${this.options.table}` : 'the table';
    if (table !== undefined && this.options.table && table.toLowerCase() !== this.options.table.toLowerCase()) {
      throw new MigError('filter-unknown-column', `filter refers to ${table}.${name}, but it filters ${where}`);
    }
    const col = this.byName.get(name.toLowerCase());
    if (!col) {
      throw new MigError(
        'filter-unknown-column',
        `filter refers to column ${name}, which ${where} does not have`,
        `columns of ${where}: ${this.columns.map((c) => c.name).join(', ')}`,
      );
    }
    return col;
  }
}

function asBool(n: Node): BoolNode {
  return n.t === 'bool' ? n : { t: 'bool', constant: n.constant, decimals: 0, f: truth(n) };
}

/** AND, OR and XOR in three-valued logic: a known FALSE (AND) or TRUE (OR) decides despite a NULL. */
function logic(op: LogicOp, a: Node, b: Node): BoolNode {
  const x = truth(a);
  const y = truth(b);
  const constant = a.constant && b.constant;
  let f: (r: Row) => boolean | null;
  if (op === 'and') {
    f = (r) => {
      const p = x(r);
      if (p === false) return false;
      const q = y(r);
      if (q === false) return false;
      return p === null || q === null ? null : true;
    };
  } else if (op === 'or') {
    f = (r) => {
      const p = x(r);
      if (p === true) return true;
      const q = y(r);
      if (q === true) return true;
      return p === null || q === null ? null : false;
    };
  } else {
    f = (r) => {
      const p = x(r);
      if (p === null) return null;
      const q = y(r);
      return q === null ? null : p !== q;
    };
  }
  return { t: 'bool', constant, decimals: 0, f };
}
