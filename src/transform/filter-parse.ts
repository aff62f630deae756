// The row filter's parser, kept in src/spec so validate parses filters exactly as apply does.
export * from '../spec/filter-parse.js';
