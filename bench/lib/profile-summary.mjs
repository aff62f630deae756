// Summarises V8 CPU profiles (node --cpu-prof, as `npm run bench -- --profile` writes them): self
// time by function and by package (mig, kafkajs, zongji, mysql2, avsc, lz4-napi, other packages,
// node internals, GC, unattributed native code). Idle time is left out of every percentage.
//
// Usage: node bench/lib/profile-summary.mjs [--top N] [--json] [--callers NAME [--depth D]] FILE.cpuprofile...
//   --callers NAME  instead of the summary: where NAME's self time comes from, by call path of
//                   D callers (2), e.g. --callers FastBuffer to see who allocates Buffers
// Also imported by bench/run.mjs and bench/lib/report.mjs (summarizeProfile, renderProfile).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package a profile node's code belongs to. */
export function packageOf(callFrame) {
  const { functionName, url } = callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'native (unattributed)';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(root)') return 'root';
  if (!url) return 'node internals';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (name === '@vlasky/zongji') return 'zongji';
    return name;
  }
  if (/\/dist\/.+\.js$/.test(url) || /\/bin\/run\.js$/.test(url)) return 'mig';
  return 'other';
}

/** `dist/sink/kafka/writer.js:57` or `kafkajs/src/…:12`: short enough to read, precise enough to find. */
function shortLocation(callFrame) {
  const { url, lineNumber } = callFrame;
  if (!url) return '';
  let p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('/node_modules/');
  if (nm >= 0) p = p.slice(nm + '/node_modules/'.length);
  else if (p.includes('/dist/')) p = p.slice(p.lastIndexOf('/dist/') + 1);
  return `${p}:${lineNumber + 1}`;
}

/**
 * Self time per node from the samples (each sample lasts until the next one), then aggregated by
 * function (name + location) and by package. Milliseconds.
 */
export function summarizeProfile(file, top = 20) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples = [], timeDeltas = [] } = prof;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const fns = new Map();
  const pkgs = new Map();
  let busyUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const pkg = packageOf(node.callFrame);
    if (pkg === 'idle') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
    const name = node.callFrame.functionName || '(anonymous)';
    const loc = shortLocation(node.callFrame);
    const key = `${pkg}\0${name}\0${loc}`;
    const f = fns.get(key) ?? { package: pkg, function: name, location: loc, selfUs: 0 };
    f.selfUs += us;
    fns.set(key, f);
  }
  const ms = (us) => Math.round(us / 100) / 10;
  const pct = (us) => (busyUs > 0 ? Math.round((1000 * us) / busyUs) / 10 : 0);
  return {
    profile: path.basename(file),
    wallMs: ms((prof.endTime ?? 0) - (prof.startTime ?? 0)),
    busyMs: ms(busyUs),
    idleMs: ms(idleUs),
    byPackage: [...pkgs.entries()].sort((a, b) => b[1] - a[1]).map(([pkg, us]) => ({ package: pkg, selfMs: ms(us), percent: pct(us) })),
    topFunctions: [...fns.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, top).map((f) => ({ package: f.package, function: f.function, location: f.location, selfMs: ms(f.selfUs), percent: pct(f.selfUs) })),
  };
}

/** Self time of the functions named `name`, by the chain of their `depth` nearest callers. */
export function callersOf(file, name, depth = 2, top = 15) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const { samples = [], timeDeltas = [] } = prof;
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, timeDeltas[i + 1] ?? 0));
  const paths = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    if (byId.get(id)?.callFrame.functionName !== name) continue;
    total += us;
    const chain = [];
    for (let p = parent.get(id), d = 0; p !== undefined && d < depth; p = parent.get(p), d++) {
      const cf = byId.get(p).callFrame;
      chain.push(`${cf.functionName || '(anonymous)'} (${shortLocation(cf)})`);
    }
    const key = chain.join(' ← ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  const lines = [`${path.basename(file)}: ${name} ${(total / 1000).toFixed(0)} ms self, called from:`];
  for (const [k, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return lines.join('\n');
}

export function renderProfile(s) {
  const out = [`${s.profile}: ${s.busyMs.toFixed(0)} ms busy (+${s.idleMs.toFixed(0)} ms idle) of ${s.wallMs.toFixed(0)} ms profiled; self time, % of busy`];
  out.push('  by package: ' + s.byPackage.map((p) => `${p.package} ${p.percent.toFixed(1)}%`).join(', '));
  out.push('  top functions:');
  for (const f of s.topFunctions) {
    out.push(`    ${f.percent.toFixed(1).padStart(5)}%  ${String(f.selfMs.toFixed(0)).padStart(6)} ms  ${f.package.padEnd(22)} ${f.function}${f.location ? `  (${f.location})` : ''}`);
  }
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let top = 20;
  let json = false;
  let callers;
  let depth = 2;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') top = Number(args[++i]);
    else if (args[i] === '--json') json = true;
    else if (args[i] === '--callers') callers = args[++i];
    else if (args[i] === '--depth') depth = Number(args[++i]);
    else if (args[i] === '-h' || args[i] === '--help') {
      process.stdout.write('Usage: node bench/lib/profile-summary.mjs [--top N] [--json] [--callers NAME [--depth D]] FILE.cpuprofile...\n');
      process.exit(0);
    } else files.push(args[i]);
  }
  if (files.length === 0) {
    process.stderr.write('profile-summary: no .cpuprofile files given\n');
    process.exit(2);
  }
  if (callers) {
    process.stdout.write(files.map((f) => callersOf(f, callers, depth, top)).join('\n\n') + '\n');
    process.exit(0);
  }
  const sums = files.map((f) => summarizeProfile(f, top));
  process.stdout.write(json ? JSON.stringify(sums, null, 2) + '\n' : sums.map(renderProfile).join('\n\n') + '\n');
}
