#!/usr/bin/env node
// The version check comes before anything is imported: on an older Node a dependency could fail
// first with an error that does not say what to do.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  process.stderr.write(`Error: mig needs Node.js 22.22 or later; this is ${process.versions.node}.\nFix: install Node.js 22 LTS or 24 LTS (npm test and npm run demo fetch one into .cache/ themselves).\n`);
  process.exit(1);
}
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
