import { Args, Flags } from '@oclif/core';
import { MigCommand, dirFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { openStateStore } from '../config/index.js';
import { applyLine } from '../cli/views/apply-human.js';
import { logFlags } from '../cli/log.js';
import { RunOutput, progressIntervalFlag, progressIntervalMs } from '../cli/views/progress-reporter.js';
import { resultOf } from '../cli/views/progress-result.js';
import { startHealthServer, type HealthServer } from '../cli/health-server.js';
import { metricsFlags, startMetrics } from '../cli/metrics-server.js';
import { RunnerHealth } from '../cli/runner-health.js';
import { runAll, runMigrations, type RunOutcome } from '../engine/runner.js';
import { MigError } from '../util/errors.js';
import { interruptOnSignals } from '../cli/interrupt.js';

export default class RunCommand extends MigCommand {
  static override summary = 'Run migrations as a service: hold each one\'s lease, stream, and reconcile every plan mig apply approves, without stopping.';
  static override description = [
    'The data plane. For each migration recorded in the state (or each one named) the runner takes a lease in the state backend, runs what is left (schema, full load) and streams. It checks the state every second for a generation mig apply recorded and reconciles it while streaming: new tables and tables whose filter or columns changed are backfilled with watermarks, removed tables stop, other settings take effect at the next checkpoint; tables already streaming are never copied again.',
    'A second runner on the same state stands by and takes the lease over once the holder stops renewing it (kill -9, a lost machine), resuming from the last checkpoint. Use the MySQL state backend (--state-url) for runners on several machines; the file backend serves one machine.',
    'mig apply --follow is the one-process shortcut: it records the plan and then runs as this command does.',
  ].join('\n\n');
  static override examples = [
    '<%= config.bin %> run',
    "<%= config.bin %> run --state-url '${env:MIG_STATE_URL}' --health-port 9464   # the URL (and its password) stays out of the process list",
    '<%= config.bin %> run shop-to-kafka --until-caught-up',
  ];
  static override strict = false;
  static override args = { migration: Args.string({ description: 'migrations to run (default: every migration in the state, and ones recorded later)', ignoreStdin: true }) };
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    'lease-seconds': Flags.integer({ description: 'how long a lease lasts without renewal: a standby takes over this long after the holder stops', default: 30, min: 2 }),
    'health-port': Flags.integer({ description: 'serve /healthz, /readyz and /livez on this port', min: 0, max: 65535 }),
    'health-host': Flags.string({ description: 'address the health endpoints listen on', default: '127.0.0.1' }),
    'until-caught-up': Flags.boolean({ description: 'exit 0 once every run has caught up with the source (backfills included) instead of streaming on' }),
    json: Flags.boolean({ description: 'print every event as a JSON line on stdout, then a {type: "result"} line when the runner stops (the log goes to stderr)' }),
    'progress-interval': progressIntervalFlag,
    ...logFlags,
    ...metricsFlags,
  };

  /** Where lines go: the live view on a terminal, else timestamped lines; stderr under --json. */
  private output?: RunOutput;

  protected override out(text: string): void {
    if (this.output) this.output.log.info(text);
    else super.out(text);
  }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(RunCommand);
    const output = new RunOutput({ json: flags.json, level: flags['log-level'], format: flags['log-format'], color: flags.color, progressIntervalMs: progressIntervalMs(flags['progress-interval']) });
    this.output = output;
    const names = argv.map(String);
    // Before anything is opened: a port in use fails the runner before it takes a lease.
    const metrics = await startMetrics(flags, (line) => this.out(line));
    const store = await openStateStore(flags);
    const interrupt = interruptOnSignals();
    const abort = interrupt.abort;
    const health = new RunnerHealth();
    let server: HealthServer | undefined;
    try {
      if (flags['health-port'] !== undefined) {
        server = await startHealthServer({ host: flags['health-host'], port: flags['health-port'], report: () => health.report() });
        this.out(`health endpoints at ${server.url}/healthz and ${server.url}/livez`);
      }
      const state = await store.read();
      const missing = names.filter((n) => !state.migrations[n]);
      if (missing.length > 0) throw new MigError('runner-unknown-migration', `not in the state: ${missing.join(', ')}`, 'run mig apply first (it records the migration), or name one that mig status lists');
      if (names.length === 0 && Object.keys(state.migrations).length === 0 && flags['until-caught-up']) {
        throw new MigError('runner-nothing', `the state ${store.location} records no migration`, 'run mig apply first: it records the approved plan the runner executes');
      }
      const opts = {
        specDir: flags.dir,
        leaseMs: flags['lease-seconds'] * 1000,
        mode: flags['until-caught-up'] ? ('until-caught-up' as const) : ('follow' as const),
        standby: true,
        awaitFix: true,
        signal: abort.signal,
        hook: metrics.wrap((e: Parameters<typeof applyLine>[0]) => {
          health.onEvent(e);
          output.hook(e);
        }),
      };
      const report = (o: RunOutcome) => {
        const line = outcomeLine(o);
        if (line) this.out(line);
      };
      if (names.length > 0) (await runMigrations(store, names, opts)).forEach(report);
      else await runAll(store, opts, report);
      this.out(abort.signal.aborted ? 'Runner stopped: checkpoints saved, leases released.' : 'Runner done.');
      output.emit(resultOf(await store.read(), output.latest(), { ok: true, interrupted: abort.signal.aborted, recorded: [], only: names.length > 0 ? new Set(names) : undefined }));
    } finally {
      output.close();
      interrupt.release();
      await server?.close();
      await metrics.close();
      await store.close?.();
    }
  }
}

function outcomeLine(o: RunOutcome): string | undefined {
  if (o.result === 'absent') return `${o.migration}: not in the state any more`;
  if (o.result === 'held-elsewhere') return `${o.migration}: held by pid ${o.holder.pid} on ${o.holder.host}`;
  return undefined;
}
