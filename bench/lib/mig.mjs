// The migs measured: the build under test and, with --ref-app, a reference build run next to it in
// every run of every case (A/B), each spawned through measure() with the phase lines it prints marked.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { measure } from './process.mjs';

/**
 * key: the figures' name in the results (mig, ref); name: in step names and the report; suffix: in
 * topic names and profile labels. nodeOptions: extra node flags (--node-options, mig under test only).
 */
export const VARIANTS = [];

export function setVariants(opts) {
  VARIANTS.push({ key: 'mig', name: 'mig', suffix: '', bin: path.join(opts.app, 'bin', 'run.js'), nodeOptions: opts.nodeOptions });
  if (opts.refApp) VARIANTS.push({ key: 'ref', name: 'mig ref', suffix: '-ref', bin: path.join(opts.refApp, 'bin', 'run.js'), nodeOptions: [] });
}

export const hasRef = () => VARIANTS.length > 1;

/** mig's progress lines that open and close its phases (process start, plan and precheck excluded). */
// Both wordings: a reference build may predate the timestamped lines with thousands separators.
export const MARKS = {
  fullStart: /: full load( resuming after \d+ rows)? \(~/,
  fullDone: /: [\d,]+ rows in [\d.]+ s( \([\d,]+ rows\/s\))?$/,
  streamStart: /: streaming from /,
  caughtUp: /: caught up(: \d+ binlog change| at checkpoint )/,
};

/** The changes a caught-up apply reports: its final progress line's written count, or an older build's handled count. */
export function changesReported(stdout) {
  const m = /(?:, |: )([\d,]+) change\(s\) written/.exec(stdout) ?? /caught up: (\d+) binlog change\(s\) handled/.exec(stdout);
  return m ? Number(m[1].replaceAll(',', '')) : NaN;
}

/** Seconds between two marks of a measured mig, NaN when mig did not print both. */
export const phaseSeconds = (r, from, to) => (r.marks[from] !== undefined && r.marks[to] !== undefined ? r.marks[to] - r.marks[from] : NaN);

/** Set by --profile: every mig process writes a V8 CPU profile there (figures then run slower). */
export const profiles = { dir: undefined, labels: [] };

export function enableProfiles(dir) {
  profiles.dir = dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** Profiles worth summarising: the sizing and pre-load runs are small; the report shows the measured ones. */
export function measuredProfiles() {
  return profiles.labels
    .filter((label) => !/^size-|-initial(-ref)?$/.test(label))
    .map((label) => ({ label, file: path.join(profiles.dir, `${label}.cpuprofile`) }))
    .filter(({ file }) => existsSync(file));
}

export function mig(dir, label, args, { variant = VARIANTS[0], ...extra } = {}) {
  const name = `${label}${variant.suffix}`;
  if (profiles.dir) profiles.labels.push(name);
  const prof = profiles.dir ? ['--cpu-prof', `--cpu-prof-dir=${profiles.dir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  return measure(process.execPath, [...variant.nodeOptions, ...prof, variant.bin, ...args], { cwd: dir, marks: MARKS, ...extra });
}
