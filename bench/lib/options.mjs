// bench/run.mjs's command line: the options, their defaults and checks, and --help. scripts/bench.sh
// passes its own arguments through, so every option here is also an `npm run bench -- …` option.
import path from 'node:path';
import { ROOT } from './app.mjs';

const FORMATS = ['canal-json', 'dts-avro', 'shareplex-json'];
export const CASES = ['full', 'incremental', 'latency', 'tablestore', 'tidb', 'throttle', 'verify'];
export const DEFAULTS = { rows: 1_000_000, runs: 2, latencySeconds: 20, latencyWarmup: 5, latencyRate: 5000, tablestoreRows: 100_000, tidbTransactions: 30_000 };

function usage(code) {
  (code === 0 ? process.stdout : process.stderr).write(
    `Usage: node bench/run.mjs [--rows N] [--runs N] [--formats LIST] [--cases LIST] [--latency-seconds S]
                          [--latency-rate R] [--tablestore-rows N] [--tidb-transactions N] [--tidb-only | --no-tidb]
                          [--out FILE] [--profile] [--app DIR] [--built-from TEXT]
                          [--ref-app DIR [--ref-built-from TEXT]] [--node-options OPTS]
  --rows N             rows of the full-load table (~200 bytes each), and binlog row events written
                       for the incremental case (${DEFAULTS.rows.toLocaleString('en-US')})
  --runs N             repetitions of each case; the report gives median and [min – max] (${DEFAULTS.runs}:
                       at the defaults one run of everything takes about 4 minutes on 2 cores, the
                       whole benchmark about 8; 3 runs would pass 11 minutes)
  --formats LIST       comma-separated destination formats (${FORMATS.join(',')})
  --cases LIST         comma-separated cases (${CASES.join(',')}); throttle (spec.throttle's limits
                       against the rates achieved, ~1 minute) and verify (mig verify against CHECKSUM
                       TABLE and one read of the topic, on --rows rows) run only when named
  --latency-seconds S  measured seconds of the latency case, after ${DEFAULTS.latencyWarmup} s of warm-up (${DEFAULTS.latencySeconds})
  --latency-rate R     rows per second the latency case's writer inserts (${DEFAULTS.latencyRate})
  --tablestore-rows N  rows of the Tablestore case's table, held in the test server's memory; it
                       also writes N/2 binlog events for the catch-up (${DEFAULTS.tablestoreRows.toLocaleString('en-US')})
  --tidb-transactions N  Drainer transactions of the TiDB → MySQL case (${DEFAULTS.tidbTransactions.toLocaleString('en-US')})
  --tidb-only          only the tidb case (same as --cases tidb); --no-tidb leaves it out of --cases
  --out FILE           JSON results (bench/results/latest.json; with --profile bench/results/profile.json)
  --profile            run mig under node --cpu-prof; profiles go to profiles/ next to the JSON file and
                       are summarised (self time by function and by package) in the report. Profiling
                       slows mig down: those figures are not comparable with plain runs
  --app DIR            the built mig to run: DIR/bin/run.js with DIR/dist (this checkout)
  --built-from TEXT    what DIR was built from, for the report (default: this checkout's git revision)
  --ref-app DIR        a second build, measured next to the first in every run of every case (A/B:
                       "mig / mig ref" ratios); --ref-built-from TEXT names it
  --node-options OPTS  extra node flags for the mig under test only (e.g. "--max-semi-space-size=32")
`,
  );
  process.exit(code);
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const list = (v, allowed, what) => {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s));
  if (items.length === 0 || bad.length > 0) fail(`unknown ${what} ${bad.join(', ') || '(none)'}; choose from ${allowed.join(', ')}`);
  return allowed.filter((a) => items.includes(a));
};

const FLAGS = {
  '--rows': (o, v) => (o.rows = Number(v)),
  '--runs': (o, v) => (o.runs = Number(v)),
  '--formats': (o, v) => (o.formats = list(v, FORMATS, 'format')),
  '--cases': (o, v) => (o.cases = list(v, CASES, 'case')),
  '--latency-seconds': (o, v) => (o.latencySeconds = Number(v)),
  '--latency-rate': (o, v) => (o.latencyRate = Number(v)),
  '--tablestore-rows': (o, v) => (o.tablestoreRows = Number(v)),
  '--tidb-transactions': (o, v) => (o.tidbTransactions = Number(v)),
  '--out': (o, v) => (o.out = path.resolve(v)),
  '--app': (o, v) => (o.app = path.resolve(v)),
  '--built-from': (o, v) => (o.builtFrom = v),
  '--ref-app': (o, v) => (o.refApp = path.resolve(v)),
  '--ref-built-from': (o, v) => (o.refBuiltFrom = v),
  '--node-options': (o, v) => (o.nodeOptions = v.split(/\s+/).filter(Boolean)),
};
const SWITCHES = {
  '--profile': (o) => (o.profile = true),
  '--tidb-only': (o) => (o.tidb = 'only'),
  '--no-tidb': (o) => (o.tidb = 'no'),
};

export function parseArgs(argv) {
  const opts = {
    rows: DEFAULTS.rows,
    runs: DEFAULTS.runs,
    formats: [...FORMATS],
    // The throttle case checks limits rather than measuring speed, and verify copies --rows rows twice
    // before it measures anything: they run when named.
    cases: CASES.filter((c) => c !== 'throttle' && c !== 'verify'),
    latencySeconds: DEFAULTS.latencySeconds,
    latencyRate: DEFAULTS.latencyRate,
    tablestoreRows: DEFAULTS.tablestoreRows,
    tidbTransactions: DEFAULTS.tidbTransactions,
    tidb: undefined,
    out: undefined,
    profile: false,
    app: ROOT,
    builtFrom: undefined,
    refApp: undefined,
    refBuiltFrom: undefined,
    nodeOptions: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (FLAGS[flag]) {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(2);
      FLAGS[flag](opts, v);
    } else if (SWITCHES[flag]) SWITCHES[flag](opts);
    else if (flag === '-h' || flag === '--help') usage(0);
    else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      usage(2);
    }
  }
  if (opts.tidb === 'only') opts.cases = ['tidb'];
  if (opts.tidb === 'no') opts.cases = opts.cases.filter((c) => c !== 'tidb');
  if (opts.cases.length === 0) fail('no case left to run (--no-tidb with --cases tidb)');
  const positiveInt = (v, min, what) => {
    if (!Number.isInteger(v) || v < min) fail(`${what} must be an integer >= ${min}`);
  };
  positiveInt(opts.rows, 10_000, '--rows');
  positiveInt(opts.runs, 1, '--runs');
  positiveInt(opts.latencySeconds, 1, '--latency-seconds');
  positiveInt(opts.latencyRate, 10, '--latency-rate');
  positiveInt(opts.tablestoreRows, 1000, '--tablestore-rows');
  positiveInt(opts.tidbTransactions, 1, '--tidb-transactions');
  opts.out ??= path.join(ROOT, 'bench', 'results', opts.profile ? 'profile.json' : 'latest.json');
  return opts;
}
