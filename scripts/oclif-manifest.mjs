// Writes oclif.manifest.json next to package.json (npm run build does; so does the benchmark for
// its private build): the commands' ids, flags and help text, read once from the compiled commands.
// Without it oclif imports every command module at each start to learn them, so `mig apply` also
// loaded what plan, verify, destroy and state need (~1,500 modules; the Tablestore SDK, simple-git,
// protobufjs…). With it only the command that runs is imported.
//
// Usage: node scripts/oclif-manifest.mjs [ROOT]   (ROOT: the package directory, default .)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Plugin } from '@oclif/core';

const root = path.resolve(process.argv[2] ?? '.');
// As oclif's own `oclif manifest` builds it: from the commands themselves, failing on any that
// cannot be loaded rather than leaving it out.
const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
writeFileSync(path.join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 2) + '\n');
