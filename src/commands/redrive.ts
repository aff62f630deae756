import { Args, Flags } from '@oclif/core';
import { MigCommand, dirFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { logFlags } from '../cli/log.js';
import { lockTimeoutFlag, lockWaitOf } from '../cli/lock-timeout.js';
import { RunOutput } from '../cli/views/progress-reporter.js';
import { openStateStore } from '../config/index.js';
import { withLockReclaiming } from '../state/index.js';
import { waitingRows } from '../state/redrive.js';
import { runMigrations } from '../engine/runner.js';
import { recordRedrive } from '../engine/record-redrive.js';
import { parseDuration, waitForRunners } from '../engine/wait-runner.js';
import type { ApplyEvent } from '../model/events.js';
import { interruptOnSignals } from '../cli/interrupt.js';

export default class RedriveCommand extends MigCommand {
  static override summary = 'Write set-aside changes again once their cause is fixed (onError: skip or dead-letter).';
  static override description = [
    "Changes a destination refused (or mig could not encode) under onError skip or dead-letter are listed by mig status. Once the cause is fixed (a column widened, maxMessageBytes raised, a constraint dropped), mig redrive reads each one's row again from the source by its key and writes the current row to the destination, in the watermark windows of a backfill while the stream runs: a key the stream changes meanwhile gets the newer change from the stream, so no key goes back in time.",
    'The request is recorded as the migration\'s next generation. A runner holding the migration (mig run, apply --follow) takes it up at its next checkpoint; otherwise this command runs the migration until it has caught up, as apply --until-caught-up does. A row refused again is set aside again and listed as waiting.',
  ].join('\n\n');
  static override examples = ['<%= config.bin %> redrive shop-to-kafka', '<%= config.bin %> redrive shop-to-mysql --table shop.orders', '<%= config.bin %> redrive shop-to-kafka --wait 5m   # a runner holds it: wait until it took the request up'];
  static override args = { migration: Args.string({ description: 'the migration whose set-aside changes to write again', required: true, ignoreStdin: true }) };
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    table: Flags.string({ description: 'only this table (DB.TABLE)' }),
    wait: Flags.string({ description: 'when a runner holds the migration: wait this long (e.g. 90s, 15m) until it reports the request taken up' }),
    'lock-timeout': lockTimeoutFlag,
    'lease-seconds': Flags.integer({ description: 'the lease this command holds while it runs the migration itself', default: 30, min: 2 }),
    json: Flags.boolean({ description: 'print every event as a JSON line on stdout, then a {type: "result"} line (the log goes to stderr)' }),
    ...logFlags,
  };

  private output?: RunOutput;

  protected override out(text: string): void {
    if (this.output) this.output.log.info(text);
    else super.out(text);
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RedriveCommand);
    const name = args.migration;
    this.errorOutput = flags.json ? 'json' : flags['log-format'] === 'json' ? 'log-json' : 'text';
    const output = new RunOutput({ json: flags.json, level: flags['log-level'], format: flags['log-format'], color: flags.color, progressIntervalMs: 1000 });
    this.output = output;
    const store = await openStateStore(flags);
    const interrupt = interruptOnSignals();
    const abort = interrupt.abort;
    try {
      const reclaimed = (l: { id: string; pid: number; time: string }) => this.out(`The previous command (pid ${l.pid}, lock ${l.id}, since ${l.time}) is no longer running; released its lock.`);
      const r = await withLockReclaiming(store, 'redrive', reclaimed, () => recordRedrive(store, name, flags.table), lockWaitOf(flags['lock-timeout'], (line) => this.out(line)));
      if (r.keyless > 0) this.out(`${name}: ${r.keyless} set-aside change(s) of tables without a key cannot be read again by key; copy those tables again (mig apply --replace ${name}/DB.TABLE).`);
      const result = (o: object) => output.emit({ type: 'result', ok: true, migration: name, generation: r.generation ?? null, requested: r.waiting - r.keyless, keyless: r.keyless, ...o });
      if (r.generation === undefined) {
        this.out(`${name}: nothing to re-drive${r.waiting > r.keyless ? '' : ' (mig status lists what was set aside)'}.`);
        result({ waiting: r.waiting });
        return;
      }
      this.out(`${name}: re-drive of ${r.waiting - r.keyless} set-aside change(s) recorded as generation ${r.generation}.`);
      const holder = (await store.leases())[name];
      if (holder) {
        this.out(`${name}: the runner holding its lease (pid ${holder.pid} on ${holder.host}) re-drives them at its next checkpoint; mig status shows them as re-driven.`);
        if (flags.wait) await waitForRunners(store, [{ migration: name, generation: r.generation, removed: false }], parseDuration(flags.wait), abort.signal, (line) => this.out(line));
        result({ runner: { pid: holder.pid, host: holder.host } });
        return;
      }
      const hook = (e: ApplyEvent) => output.hook(e);
      await runMigrations(store, [name], { specDir: flags.dir, leaseMs: flags['lease-seconds'] * 1000, standby: false, awaitFix: false, signal: abort.signal, hook, mode: 'until-caught-up' });
      const ms = (await store.read()).migrations[name];
      const left = ms ? waitingRows(ms, flags.table).length : 0;
      this.out(`${name}: re-drive done; ${left} set-aside change(s) still waiting${left > 0 ? ' (refused again, or of keyless tables: see mig status)' : ''}.`);
      if (abort.signal.aborted) process.exitCode = 130;
      result({ ok: !abort.signal.aborted, waiting: left });
    } finally {
      output.close();
      interrupt.release();
      await store.close?.();
    }
  }
}
