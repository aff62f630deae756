// Statistics over runs: median and [min – max] of each figure, and ratios of a tool to a baseline
// as the ratio of the medians plus the spread of per-run ratios (each run against its neighbour).
import { VARIANTS, hasRef } from './mig.mjs';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function stats(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), runs: v };
}

/** p-th percentile (nearest rank) of a sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const succeeded = (r) => r && !r.error;

/**
 * A rate figure from per-run seconds: rate = work / seconds, and MB/s = rate × bytesPerUnit.
 * `pick` chooses the seconds (whole process by default); CPU and RSS are the process's, unless
 * `whole` is false (a phase inside it).
 */
export function figure(unit, work, runs, { pick = (r) => r.wallSeconds, bytesPerUnit = null, whole = true } = {}) {
  const ok = runs.filter(succeeded);
  const secs = ok.map(pick);
  const rates = secs.map((s) => work / s);
  return {
    unit,
    rate: stats(rates),
    mbPerSecond: bytesPerUnit ? stats(rates.map((x) => (x * bytesPerUnit) / 1e6)) : null,
    seconds: stats(secs),
    cpuSeconds: whole ? stats(ok.map((r) => r.cpuSeconds)) : null,
    maxRssMB: whole ? stats(ok.map((r) => r.maxRssKb / 1024)) : null,
  };
}

/** Figures of whole processes (fig[key]) and of the phase inside them (fig[key + 'Phase'], between mig's phase lines). */
export function processAndPhase(fig, key, unit, work, runs, bytesPerUnit = null) {
  fig[key] = figure(unit, work, runs, { bytesPerUnit });
  fig[`${key}Phase`] = figure(unit, work, runs, { pick: (r) => r.phaseSeconds, bytesPerUnit, whole: false });
}

/** f(tool run, base run) for each run in which both succeeded. */
function pairs(toolRuns, baseRuns, f) {
  const out = [];
  for (let i = 0; i < Math.min(toolRuns.length, baseRuns.length); i++) {
    if (succeeded(toolRuns[i]) && succeeded(baseRuns[i])) out.push(f(toolRuns[i], baseRuns[i]));
  }
  return stats(out);
}

/**
 * tool ÷ baseline on rates: the ratio of the medians, and the spread of the per-run ratios (each
 * run's tool figure against the baseline measured next to it).
 */
export function ratio(tool, base, toolRuns, baseRuns, pickTool = (r) => r.wallSeconds, pickBase = (r) => r.wallSeconds) {
  if (!tool?.rate || !base?.rate) return null;
  return { ofMedians: tool.rate.median / base.rate.median, perRun: pairs(toolRuns, baseRuns, (t, b) => pickBase(b) / pickTool(t)) };
}

/** The same for a figure where lower is better (a latency): base ÷ tool, so that > 1 still means the tool is better. */
export function inverseRatio(toolRuns, baseRuns, pick) {
  const tool = stats(toolRuns.filter(succeeded).map(pick));
  const base = stats(baseRuns.filter(succeeded).map(pick));
  if (!tool || !base) return null;
  return { ofMedians: base.median / tool.median, perRun: pairs(toolRuns, baseRuns, (t, b) => pick(b) / pick(t)) };
}

/**
 * The A/B ratios "mig / mig ref (what)" when a reference build runs: `pairsOf` lists
 * [what, mig's figure key, ref's figure key, pick] over the runs of each.
 */
export function abRatios(figures, migRuns, refRuns, pairsOf) {
  if (!hasRef()) return {};
  const out = {};
  for (const [what, a, b, pick = (r) => r.wallSeconds] of pairsOf) out[`mig / mig ref (${what})`] = ratio(figures[a], figures[b], migRuns, refRuns, pick, pick);
  return out;
}

/** Runs of a step per variant: steps are named "<variant name> <what>". */
export const variantRuns = (runs, what) => Object.fromEntries(VARIANTS.map((v) => [v.key, runs[`${v.name} ${what}`] ?? []]));

export const errorsOf = (runs) => Object.entries(runs).flatMap(([k, rs]) => rs.map((r, i) => (r?.error ? { step: k, run: i + 1, error: r.error } : null)).filter(Boolean));
