// The row filter's tokenizer, kept with its grammar in src/spec (see there).
export * from '../spec/filter-lex.js';
