// The builds under test: where their compiled modules are, and what identifies them in the report.
// Module paths are looked up in every source layout mig has had, so --ref or --compare of an older revision runs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** dist/ paths of a module by source layout, newest first. */
const MODULES = {
  compression: ['connectors/kafka/compression.js', 'connectors/sinks/kafka/compression.js', 'sink/kafka/compression.js'],
  drainerProto: ['connectors/sources/tidb/drainer-proto.js', 'source/tidb/drainer-proto.js'],
};

/** Imports one of the build's own modules (by MODULES name) from the app directory. */
export async function importFromApp(app, name) {
  const file = MODULES[name].map((p) => path.join(app, 'dist', p)).find((p) => existsSync(p));
  if (!file) throw new Error(`${app}/dist has none of ${MODULES[name].join(', ')}`);
  return import(pathToFileURL(file).href);
}

/**
 * Registers LZ4 and Snappy in kafkajs, which the benchmark's own readers and its raw-producer
 * baseline use: a build from before mig left kafkajs brings (and patches) its own codecs module;
 * later builds have none, and this checkout's test support module serves.
 */
export async function registerKafkajsCodecs(app) {
  const own = MODULES.compression.map((p) => path.join(app, 'dist', p)).find((p) => existsSync(p));
  const mod = own ? await import(pathToFileURL(own).href) : undefined;
  if (mod?.registerCompressionCodecs) return mod.registerCompressionCodecs();
  const { registerCompressionCodecs } = await import(pathToFileURL(path.join(ROOT, 'test', 'support', 'kafkajs-codecs.mjs')).href);
  registerCompressionCodecs();
}

export function assertBuilt(dir) {
  if (!existsSync(path.join(dir, 'dist', 'commands', 'apply.js'))) throw new Error(`mig is not built in ${dir}: run npx tsc -p . first`);
}

/** Identifies the compiled code that was measured: sha256 over dist's .js files, first 12 hex. */
export function buildDigest(app) {
  const dir = path.join(app, 'dist');
  const h = createHash('sha256');
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(path.relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 12);
}

export function gitDescribe() {
  try {
    const git = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const rev = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `${rev}${dirty ? '-dirty' : ''}`;
  } catch {
    return null;
  }
}

/** A path inside the project relative to it, any other as is. */
export function shown(p) {
  const rel = path.relative(ROOT, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}
