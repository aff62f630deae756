import { Args, Flags } from '@oclif/core';
import { MigCommand, dirFlag, jsonFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { lockTimeoutFlag, lockWaitOf } from '../cli/lock-timeout.js';
import { confirm } from '../cli/confirm.js';
import { renderDestroyPlan } from '../cli/destroy-view.js';
import { openStateStore } from '../config/index.js';
import { loadSpecs } from '../spec/index.js';
import { planDestroy } from '../plan/destroy.js';
import { destroyMigrations } from '../engine/destroy.js';
import { parseDuration } from '../engine/wait-runner.js';
import { MigError } from '../util/errors.js';
import { interruptOnSignals } from '../cli/interrupt.js';

export default class DestroyCommand extends MigCommand {
  static override summary = 'Stop and remove migrations: replication stops, the state forgets them (destination objects kept unless asked).';
  static override description = 'Shows what it will do and asks for approval, then records the removal of each named migration (every one in the state when none is named): the runner streaming it (mig run, apply --follow) stops at a checkpoint, forgets its state (checkpoints, table phases) and releases its lease, and destroy waits for that; a migration no runner holds is taken up by destroy itself. A MySQL destination\'s checkpoint rows for it are removed. Topics and tables stay unless --delete-destination, which deletes the ones mig created (never ones it found in place). The specs are not touched: mig plan then shows the migration as new.';
  static override examples = [
    '<%= config.bin %> destroy shop-to-kafka',
    '<%= config.bin %> destroy shop-to-kafka --delete-destination -y   # its topics go too',
    '<%= config.bin %> destroy --auto-approve --json   # every migration in the state',
  ];
  static override strict = false;
  static override args = { migration: Args.string({ description: 'migrations to destroy (default: every one in the state)' }) };
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    'auto-approve': Flags.boolean({ char: 'y', description: 'do not ask for approval' }),
    'delete-destination': Flags.boolean({ description: 'also delete the topics or tables mig created for these migrations, with their data' }),
    wait: Flags.string({ description: 'how long to wait for a runner streaming a migration to stop and forget it (e.g. 90s, 5m)', default: '2m' }),
    'lock-timeout': lockTimeoutFlag,
    'lease-seconds': Flags.integer({ description: 'the lease destroy holds on a migration no runner holds while it forgets it', default: 30, min: 2 }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(DestroyCommand);
    if (flags.json) this.errorOutput = 'json';
    if (flags.json && !flags['auto-approve']) {
      throw new MigError('json-needs-auto-approve', 'mig destroy --json cannot ask for approval: its stdout is the JSON result', 'review the plan first (mig destroy without --json shows it and asks), then run mig destroy --json --auto-approve');
    }
    const say = (line: string) => (flags.json ? this.err(line) : this.out(line));
    const waitMs = parseDuration(flags.wait);
    // The specs only name migrations for a did-you-mean: destroy works from the state, whatever the specs say.
    const specNames = await loadSpecs(flags.dir).then((r) => r.migrations.map((l) => l.migration.metadata.name), () => []);
    const store = await openStateStore(flags);
    const interrupt = interruptOnSignals();
    const abort = interrupt.abort;
    try {
      const plan = planDestroy(await store.read(), await store.leases(), { names: argv as string[], specNames, deleteDestination: flags['delete-destination'] });
      say(renderDestroyPlan(plan));
      if (plan.migrations.length === 0) {
        if (flags.json) this.out(JSON.stringify({ type: 'result', ok: true, destroyed: [], notApplied: plan.notApplied }));
        return;
      }
      if (!flags['auto-approve'] && !(await confirm('\nDestroy these migrations?', 'destroy'))) {
        say('Destroy cancelled.');
        return;
      }
      const destroyed = await destroyMigrations(store, plan, {
        specDir: flags.dir, waitMs, leaseMs: flags['lease-seconds'] * 1000, signal: abort.signal,
        lockWait: lockWaitOf(flags['lock-timeout'], say),
        onReclaim: (l) => say(`The previous ${l.operation} (pid ${l.pid}, lock ${l.id}, since ${l.time}) is no longer running; released its lock.`),
        out: say,
      });
      const final = await store.read();
      if (abort.signal.aborted) {
        say('Interrupted. What was recorded stays recorded: run mig destroy again to finish.');
        process.exitCode = 130;
      } else {
        say(`Destroy complete. State serial ${final.serial}.`);
      }
      // The plan as shown, without the applied specs it was made from.
      const steps = plan.migrations.map(({ name, runner, steps: s }) => ({ migration: name, ...(runner ? { runner } : {}), steps: s }));
      if (flags.json) this.out(JSON.stringify({ type: 'result', ok: !abort.signal.aborted, serial: final.serial, plan: steps, destroyed, notApplied: plan.notApplied }));
    } finally {
      interrupt.release();
      await store.close?.();
    }
  }
}
