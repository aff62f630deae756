#!/usr/bin/env node
// The version check comes before anything is imported: on an older Node a dependency could fail
// first with an error that does not say what to do.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  process.stderr.write(`Error: mig needs Node.js 22.22 or later; this is ${process.versions.node}.\nFix: install Node.js 22 LTS or 24 LTS (npm test and npm run demo fetch one into .cache/ themselves).\n`);
  process.exit(1);
}
// On a machine with more than 16 GB, V8 lets the old generation grow up to 4× what survived the last
// full collection before it collects again, and a load or a stream promotes what is in flight at each
// young collection (chunks, requests awaiting their acks): peak RSS reached ~300 MB for any table of
// 1M rows or more. A fixed factor of 2 (read by V8 at each collection, so it may be set now) keeps a
// 1M-row load near 235 MB for ~10% more CPU in the collector. An operator's own setting wins.
const heapFlag = '--heap-growing-percent';
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes(heapFlag))) {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString(`${heapFlag}=100`);
}
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
