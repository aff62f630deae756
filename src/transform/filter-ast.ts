// The row filter's syntax tree, kept with its grammar in src/spec (see there); transform compiles it.
export * from '../spec/filter-ast.js';
