// The report on stdout: one section per case (each case renders its own with the row helpers here),
// then the peak RSS of every mig process, the aims, CPU profiles and the totals.
import { renderProfile } from './profile-summary.mjs';

const RSS_GOAL_MB = 256;
export const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
export const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const W = 44;

export function rateRow(label, f) {
  if (!f?.rate) return `  ${label.padEnd(W)} failed`;
  const { median: m, min, max } = f.rate;
  const spread = `[${int(min)} – ${int(max)}]`;
  const mb = f.mbPerSecond ? fix(f.mbPerSecond.median, 1) : '';
  const secs = `${fix(f.seconds.median)} s`;
  const cpu = f.cpuSeconds ? `${fix(f.cpuSeconds.median, 1)} s` : '';
  const rss = f.maxRssMB ? `${int(f.maxRssMB.median)} MB` : '';
  return `  ${label.padEnd(W)} ${`${int(m)} ${f.unit}`.padStart(17)} ${spread.padEnd(21)} ${mb.padStart(6)} ${secs.padStart(9)} ${cpu.padStart(7)} ${rss.padStart(7)}`;
}

function ratioRow(label, r, width = W) {
  if (!r) return `  ${label.padEnd(width)} n/a`;
  const per = r.perRun ? `per run [${fix(r.perRun.min, 3)} – ${fix(r.perRun.max, 3)}]` : '';
  return `  ${label.padEnd(width)} ${fix(r.ofMedians, 3).padStart(8)}   ${per}`;
}

/** A block of ratio rows, aligned with each other even where the A/B labels outgrow the table's column. */
export function ratioRows(ratios, indent = '') {
  const rows = Object.entries(ratios).map(([k, r]) => [`${indent}${k}`, r]);
  const width = Math.max(W, ...rows.map(([label]) => label.length));
  return rows.map(([label, r]) => ratioRow(label, r, width));
}

export const HEAD = `  ${'figure'.padEnd(W)} ${'median'.padStart(17)} ${'[min – max]'.padEnd(21)} ${'MB/s'.padStart(6)} ${'wall'.padStart(9)} ${'cpu'.padStart(7)} ${'RSS'.padStart(7)}`;

export const errorLines = (errors) => errors.map((e) => `  ERROR run ${e.run} ${e.step}: ${e.error.split('\n')[0]}`);

/** An RSS row from a figure of whole mig processes (none if the figure failed). */
export const rssRow = (what, f) => (f?.maxRssMB ? [{ what, medianMB: f.maxRssMB.median, maxMB: f.maxRssMB.max }] : []);

// The order the RSS table has always had (the latency case last), whatever order the cases run in.
const RSS_ORDER = ['full', 'incremental', 'tablestore', 'latency', 'tidb', 'throttle', 'verify'];

/** Each case's rss(section, result) rows, in RSS_ORDER, and their maximum. */
export function rssSummary(result, cases) {
  const rows = [];
  for (const name of RSS_ORDER) {
    const c = cases.find((x) => x.name === name);
    const section = c && result.cases[c.key];
    if (section && c.rss) rows.push(...c.rss(section, result));
  }
  const all = rows.map((r) => r.maxMB).filter(Number.isFinite);
  return { rows, maxMB: all.length ? Math.max(...all) : NaN };
}

/** The aims each case states (aims(section)), then the RSS aim over every mig process. */
export function aims(result, cases) {
  const out = [];
  for (const c of cases) if (result.cases[c.key] && c.aims) out.push(...c.aims(result.cases[c.key]));
  const rss = result.rss.maxMB;
  out.push({ aim: `peak RSS of every mig process < ${RSS_GOAL_MB} MB`, value: rss, met: Number.isFinite(rss) ? rss < RSS_GOAL_MB : null });
  return out;
}

function aimValue(a) {
  if (a.value === null || !Number.isFinite(a.value)) return 'n/a';
  if (a.aim.startsWith('incremental')) return `${int(a.value)} events/s`;
  if (a.aim.startsWith('peak')) return `${int(a.value)} MB`;
  return fix(a.value, 3);
}

export function render(result, cases) {
  const out = [];
  for (const c of cases) if (result.cases[c.key]) out.push(...c.render(result.cases[c.key], result));
  out.push('', `Peak RSS of mig (goal: < ${RSS_GOAL_MB} MB whatever the table size):`);
  for (const r of result.rss.rows) out.push(`  ${r.what.padEnd(W + 8)} median ${int(r.medianMB)} MB, max ${int(r.maxMB)} MB`);
  out.push('', 'Aims:');
  for (const a of result.aims) out.push(`  ${a.met === null ? '  ?   ' : a.met ? '  met ' : 'NOT met'} ${a.aim}: ${aimValue(a)}`);
  if (result.profiles) {
    out.push('', 'CPU profiles (mig under --cpu-prof):');
    for (const p of result.profiles) out.push(renderProfile(p), '');
  }
  if (result.params.profiled) out.push('', 'mig ran under --cpu-prof: its figures are slower than in a plain run.');
  out.push('', `Total ${fix(result.totalSeconds, 0)} s. Wall = process start to exit; phase = between mig's own progress lines; cpu = user + system of that process; RSS = its peak resident set.`);
  return out.join('\n');
}
