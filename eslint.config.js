// Lint for src/: import structure (no cycles, layers only import downwards) and no `any`.
// Style is left to the code as it is; tests and bench are not linted.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));

// The folders of src/, top to bottom. A folder may import itself and any folder below it, never
// one above. The order follows who drives whom: commands are the CLI entry points and cli what
// they share (flags, views, prompts); verify reads destinations back and compares them with their
// sources (mig verify); engine runs apply; precheck checks sources and destinations against a plan
// before apply; plan derives the desired state and diffs it with the recorded state
// and the live destinations; connectors talk to sources and sinks; transform filters and selects
// rows; model holds the data shapes passed between those; config finds the project and its state
// store; state keeps what was applied; spec reads and validates the YAML; util is leaf helpers.
// So each layer can be used and tested without anything above it (the spec validates without
// drivers, a sink runs without the CLI).
// A layer is a folder, or a folder with `also`: files in another folder that belong to it.
const LAYERS = [
  'commands', 'cli', 'verify', 'engine', 'precheck', 'plan', 'connectors', 'transform', 'model', 'config', 'state',
  // Each kind's config.ts is its part of the spec (zod only), kept beside the kind and composed by src/spec, so it is spec.
  { layer: 'spec', also: ['connectors/**/config.ts'] },
  'util',
].map((entry) => (typeof entry === 'string' ? { layer: entry, also: [] } : entry));

// Globs throughout: a folder's files except those lent to a layer at or below the importing one
// (import-x matches exceptions as absolute globs).
const layerZones = LAYERS.flatMap(({ layer, also }, i) => {
  const lent = LAYERS.slice(i).flatMap((below) => below.also.map((glob) => `${root}src/${glob}`));
  return LAYERS.slice(0, i).map(({ layer: above }) => ({
    target: [`./src/${layer}/**`, ...also.map((glob) => `./src/${glob}`)],
    from: `./src/${above}/**`,
    except: lent,
    message: `src/${layer} sits below src/${above} in the layer order of eslint.config.js; move the shared piece down instead.`,
  }));
});

// The command line reaches sources and sinks only through engine, plan and precheck.
const cliZones = ['commands', 'cli'].map((layer) => ({
  target: `./src/${layer}`,
  from: './src/connectors',
  message: `src/${layer} goes through engine, plan or precheck, not to connectors directly.`,
}));

// Sources and sinks, and each sink kind, stand alone; what they share lives in src/connectors/*.ts or below.
const sinkKinds = readdirSync(new URL('src/connectors/sinks/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const connectorZones = [
  ['sources', 'sinks'],
  ['sinks', 'sources'],
  ...sinkKinds.flatMap((kind) => sinkKinds.filter((other) => other !== kind).map((other) => [`sinks/${kind}`, `sinks/${other}`])),
].map(([target, from]) => ({
  target: `./src/connectors/${target}`,
  from: `./src/connectors/${from}`,
  message: `connectors/${target} may not import connectors/${from}; shared pieces belong in src/connectors/*.ts or below.`,
}));

export default defineConfig([
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // `.js` specifiers of the NodeNext sources resolve to their `.ts` files.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}tsconfig.json` })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: [...layerZones, ...cliZones, ...connectorZones] }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
]);
