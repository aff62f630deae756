import { Args, Flags } from '@oclif/core';
import { MigCommand, dirFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { logFlags } from '../cli/log.js';
import { lockTimeoutFlag, lockWaitOf } from '../cli/lock-timeout.js';
import { targetFlag } from '../cli/target-flag.js';
import { RunOutput, progressIntervalFlag, progressIntervalMs } from '../cli/views/progress-reporter.js';
import { resultOf } from '../cli/views/progress-result.js';
import { withLockReclaiming } from '../state/index.js';
import { openStateStore } from '../config/index.js';
import { inspectAll, planFrom } from '../plan/make.js';
import { precheckFailedError, runPrechecks } from '../precheck/index.js';
import { renderPrecheckFailures } from '../cli/views/precheck-human.js';
import { hasChanges, hasErrors } from '../plan/change.js';
import { checkFresh, readPlanFile } from '../plan/planfile.js';
import { NO_CHANGES, fullDiffFlag, renderPlanHuman } from '../cli/views/plan-human.js';
import { confirm } from '../cli/confirm.js';
import { metricsFlags, startMetrics } from '../cli/metrics-server.js';
import { runMigrations } from '../engine/runner.js';
import { recordGenerations, type RecordedGeneration } from '../engine/record-generation.js';
import { prepareDestination } from '../engine/prepare-destination.js';
import { parseDuration, waitForRunners } from '../engine/wait-runner.js';
import type { ApplyEvent } from '../model/events.js';
import type { StateStore } from '../state/store.js';
import type { Inspected } from '../plan/make.js';
import { MigError } from '../util/errors.js';
import { interruptOnSignals } from '../cli/interrupt.js';

export default class ApplyCommand extends MigCommand {
  static override summary = 'Make it so: schema, full load and incremental streaming, resumable at any point.';
  static override description = 'Plans afresh (or takes a saved PLANFILE, refused when stale), asks for approval, then creates the destination\'s topics or tables, runs the full load from a consistent snapshot and streams the changes (the binlog, or a TiDB source\'s feed in Kafka). Progress is checkpointed; after any crash, run apply again and it resumes. Kafka gets every change at least once, Tablestore converges on replay, a MySQL destination applies each source transaction exactly once.';
  static override examples = [
    '<%= config.bin %> apply',
    '<%= config.bin %> apply --auto-approve --until-caught-up',
    '<%= config.bin %> apply plan.json --auto-approve',
    '<%= config.bin %> apply --auto-approve --follow   # stream until SIGINT/SIGTERM',
    '<%= config.bin %> apply --replace shop-to-kafka   # new snapshot: copy everything again',
    '<%= config.bin %> apply --replace shop-to-kafka/shop.orders   # copy one table again while the rest streams',
    '<%= config.bin %> apply plan.json --auto-approve --detach --wait 15m   # CI: record, let the runner do it',
  ];
  static override args = { planfile: Args.string({ description: 'a plan saved by mig plan --out', ignoreStdin: true }) };
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    'auto-approve': Flags.boolean({ char: 'y', description: 'do not ask for approval' }),
    'until-caught-up': Flags.boolean({ description: "stream until the source's current position (binlog, or the feed's end) is checkpointed, then exit 0" }),
    replace: Flags.string({ description: 'MIGRATION: take a new snapshot of it, copy every table again and restart streaming from there (e.g. after its binlog was purged); MIGRATION/DB.TABLE: copy that table again alone (backfilled while the others stream on)', multiple: true }),
    follow: Flags.boolean({ description: 'record the plan, then run as `mig run` does in this process: stream and reconcile later plans until SIGINT/SIGTERM, then checkpoint and exit 0', exclusive: ['until-caught-up'] }),
    detach: Flags.boolean({ description: 'only record the approved plan: a runner (mig run) executes it', exclusive: ['follow', 'until-caught-up'] }),
    wait: Flags.string({ description: 'after recording, wait this long (e.g. 90s, 15m) until the runner reports each new generation observed; fail with its error if it cannot' }),
    'lock-timeout': lockTimeoutFlag,
    target: targetFlag,
    'full-diff': fullDiffFlag,
    'lease-seconds': Flags.integer({ description: 'the lease this apply holds on each migration it runs itself', default: 30, min: 2 }),
    json: Flags.boolean({ description: 'print every event as a JSON line on stdout, then a {type: "result"} line (the log goes to stderr); needs --auto-approve' }),
    'progress-interval': progressIntervalFlag,
    ...logFlags,
    ...metricsFlags,
  };

  /** Where lines go: the live view, timestamped lines, or stderr under --json. */
  private output?: RunOutput;

  protected override out(text: string): void {
    if (this.output) this.output.log.info(text);
    else super.out(text);
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ApplyCommand);
    this.errorOutput = flags.json ? 'json' : flags['log-format'] === 'json' ? 'log-json' : 'text';
    if (flags.json && !flags['auto-approve']) {
      throw new MigError('json-needs-auto-approve', 'mig apply --json cannot ask for approval: its stdout is the JSON event stream', 'review the plan first (mig plan, or mig plan --out plan.json), then run mig apply --json --auto-approve (or mig apply plan.json --json --auto-approve)');
    }
    const output = new RunOutput({ json: flags.json, level: flags['log-level'], format: flags['log-format'], color: flags.color, progressIntervalMs: progressIntervalMs(flags['progress-interval']) });
    this.output = output;
    // A lock in a shared (MySQL) store is a lease: a holder that crashed stops renewing it and is taken over.
    const tookOver = (l: { id: string; pid: number; host: string; time: string; operation: string }) =>
      this.out(`The previous ${l.operation} (pid ${l.pid} on ${l.host}, lock ${l.id}, since ${l.time}) stopped renewing its lease; took its lock over and resuming from its checkpoints.`);
    // Before anything is opened: a port in use fails the command before it has done anything.
    const metrics = await startMetrics(flags, (line) => this.out(line));
    const store = await openStateStore(flags, { mysql: { onTakeover: tookOver } });
    const interrupt = interruptOnSignals();
    const abort = interrupt.abort;
    try {
      const reclaimed = (l: { id: string; pid: number; time: string }) =>
        this.out(`The previous apply (pid ${l.pid}, lock ${l.id}, since ${l.time}) is no longer running; released its lock and resuming from its checkpoints.`);
      // The control plane: the state lock is held only while the approved plan is recorded.
      const approved = await withLockReclaiming(store, 'apply', reclaimed, () => this.approve(store, args.planfile, flags), lockWaitOf(flags['lock-timeout'], (line) => this.out(line)));
      if (!approved) {
        output.emit(resultOf(await store.read(), output.latest(), { ok: true, recorded: [] }));
        return;
      }
      const { inspected, recorded } = approved;
      const streaming = flags['until-caught-up'] || flags.follow;
      const names = new Set([...inspected.loaded.map((l) => l.migration.metadata.name), ...recorded.map((r) => r.migration)]);
      const leases = await store.leases();
      const elsewhere = [...names].filter((n) => leases[n] !== undefined);
      const here = flags.detach ? [] : [...names].filter((n) => leases[n] === undefined && (streaming || recorded.some((r) => r.migration === n)));
      for (const n of elsewhere) {
        const l = leases[n]!;
        const g = recorded.find((r) => r.migration === n);
        this.out(`${n}: ${g ? `generation ${g.generation} recorded; ` : ''}the runner holding its lease (pid ${l.pid} on ${l.host}, since ${l.since}) ${g ? 'reconciles it while it streams' : 'streams it'}.`);
      }
      if (flags.detach) for (const r of recorded) if (!elsewhere.includes(r.migration)) this.out(`${r.migration}: generation ${r.generation} recorded; a runner (mig run) takes it up.`);
      const hook = metrics.wrap((e: ApplyEvent) => {
        output.hook(e);
      });
      const outcomes = here.length === 0 ? [] : await runMigrations(store, here, {
        specDir: flags.dir, leaseMs: flags['lease-seconds'] * 1000, standby: false, awaitFix: false, signal: abort.signal, hook,
        mode: flags.follow ? 'follow' : flags['until-caught-up'] ? 'until-caught-up' : 'load',
        live: inspected.live,
      });
      for (const o of outcomes) if (o.result === 'held-elsewhere') this.out(`${o.migration}: a runner took its lease meanwhile (pid ${o.holder.pid} on ${o.holder.host}); it carries on from here.`);
      if (abort.signal.aborted && !flags.follow) {
        this.out('Interrupted. Progress up to the last acknowledged chunk or transaction is checkpointed; run mig apply again to resume.');
        process.exitCode = 130;
        output.emit(resultOf(await store.read(), output.latest(), { ok: false, interrupted: true, recorded, only: names }));
        return;
      }
      const waitFor = recorded.filter((r) => !here.includes(r.migration) || outcomes.some((o) => o.migration === r.migration && o.result === 'held-elsewhere'));
      if (flags.wait && waitFor.length > 0) {
        await waitForRunners(store, waitFor, parseDuration(flags.wait), abort.signal, (line) => this.out(line));
      }
      const final = await store.read();
      this.out(`Apply complete. State serial ${final.serial}.`);
      output.emit(resultOf(final, output.latest(), { ok: true, recorded, only: names }));
    } finally {
      output.close();
      interrupt.release();
      await metrics.close();
      await store.close?.();
    }
  }

  /** Validates, prechecks, plans, asks, and records the approved plan; undefined when nothing is to be done. */
  private async approve(store: StateStore, planfile: string | undefined, flags: { dir: string; replace?: string[]; target?: string[]; 'auto-approve': boolean; 'until-caught-up': boolean; follow: boolean; detach: boolean; 'full-diff': boolean }): Promise<{ inspected: Inspected; recorded: RecordedGeneration[] } | undefined> {
    // Specs, state and live systems are read once; precheck, plan and apply all work from that.
    const inspected = await inspectAll(flags.dir, store, { targets: flags.target });
    const { state, loaded } = inspected;
    const precheck = await runPrechecks(loaded, state, { specDir: flags.dir, live: inspected.live, replace: flags.replace });
    if (!precheck.ok) throw precheckFailedError(precheck);
    if (precheck.summary.warnings > 0) this.output?.log.warn(renderPrecheckFailures(precheck));
    const fresh = planFrom(inspected, { replace: flags.replace });
    let plan = fresh;
    if (planfile) {
      const saved = await readPlanFile(planfile);
      checkFresh(saved, fresh.specDigest, state, fresh.targets);
      plan = saved;
    }
    if (fresh.partial) {
      const why = fresh.notes.filter((n) => n.severity !== 'info').map((n) => `${n.migration ? n.migration + ': ' : ''}${n.message}`);
      throw new MigError('plan-partial', `apply needs the live source and Kafka, and could not check them:\n  ${why.join('\n  ')}`, 'fix the connection problems above (mig plan shows the same), then run apply again');
    }
    // A saved plan was reviewed, its diff with it, when it was made: apply shows its changes again, not the diff.
    const shown = { color: this.output?.color ?? false, diff: flags['full-diff'] ? 'full' : planfile ? 'none' : 'written' } as const;
    if (hasErrors(plan)) {
      this.err(renderPlanHuman(plan, { diff: shown.diff }));
      throw new MigError('plan-errors', 'the plan has errors; nothing was applied', 'fix the errors above and run mig plan again');
    }
    const streaming = flags['until-caught-up'] || flags.follow;
    if (!hasChanges(plan)) {
      this.out(streaming ? "No changes to the migrations. Streaming the source's new changes…" : NO_CHANGES);
      if (!streaming) {
        this.out('Nothing to do. To stream new binlog changes run: mig apply --until-caught-up (or --follow), or keep a runner going: mig run');
        return undefined;
      }
      return { inspected, recorded: [] };
    }
    this.out(renderPlanHuman(plan, shown));
    if (!flags['auto-approve'] && !(await confirm('\nApply these changes?'))) {
      this.out('Apply cancelled.');
      return undefined;
    }
    // A migration another process runs (or will run: --detach) gets its topics or tables here.
    const elsewhere = (name: string) => flags.detach || inspected.leases[name] !== undefined;
    const hook = (e: ApplyEvent) => {
      this.output?.hook(e);
    };
    const { recorded } = await recordGenerations(store, plan, loaded, inspected.live, {
      prepare: (m, draft) => (elsewhere(m.metadata.name) ? prepareDestination(m, draft, inspected.live.get(m.metadata.name), flags.dir, hook) : Promise.resolve(undefined)),
    });
    return { inspected, recorded };
  }
}
