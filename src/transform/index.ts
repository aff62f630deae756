// Per-row transforms between source and sink: row filters (a MySQL WHERE condition evaluated on
// binlog row images with the server's semantics) and, alongside, operation selection.
export { FILTER_FUNCTIONS, type Expr, type FilterFunction, type ParseResult } from './filter-ast.js';
export { parseFilter } from './filter-parse.js';
export { compileFilter, compileFilterText, type FilterOptions, type RowPredicate } from './filter-eval.js';
export type { Flavor } from './filter-compare.js';
export { Selection } from './selection.js';
