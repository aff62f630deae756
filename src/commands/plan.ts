import { Flags } from '@oclif/core';
import { MigCommand, dirFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { openStateStore } from '../config/index.js';
import { inspectAll, planFrom } from '../plan/make.js';
import { hasErrors, planExitCode, type Plan } from '../plan/change.js';
import { runPrechecks } from '../precheck/index.js';
import { writePlanFile } from '../plan/planfile.js';
import { changesSince, baseSummary } from '../plan/git-base.js';
import { PLAN_FORMATS, renderPlan } from '../cli/views/plan-format.js';
import { withBase } from '../cli/views/plan-view.js';
import { fullDiffFlag } from '../cli/views/plan-human.js';
import { logFlags, useColor } from '../cli/log.js';
import { targetFlag } from '../cli/target-flag.js';

export default class PlanCommand extends MigCommand {
  static override summary = 'Show what apply would change, and why.';
  static override description = 'Compares the specs with the recorded state and the live source and destination, and prints each change: + create, ~ update, -/+ replace, - delete, with its reason, then a diff of each spec against the applied one.';
  static override examples = [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --out plan.json',
    '<%= config.bin %> plan --detailed-exitcode   # 0 no changes, 2 changes, 1 error',
    '<%= config.bin %> plan --json | jq .migrations',
    '<%= config.bin %> plan --base origin/main --format markdown > comment.md   # the pull-request comment',
    '<%= config.bin %> plan --target shop-to-kafka/shop.orders   # only that table\'s changes',
  ];
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    json: Flags.boolean({ description: 'print machine-readable JSON (the same as --format json)', exclusive: ['format'] }),
    format: Flags.option({ options: PLAN_FORMATS, description: 'human (default), markdown (a pull-request comment) or json' })(),
    base: Flags.string({ description: 'git ref the change is compared with (e.g. origin/main): marks the migrations changed since; refuses uncommitted changes' }),
    'allow-dirty': Flags.boolean({ description: 'with --base: plan the work tree even when it has uncommitted changes', dependsOn: ['base'] }),
    out: Flags.string({ description: 'save the plan to FILE for mig apply FILE' }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 0 when there are no changes, 2 when there are, 1 on error' }),
    replace: Flags.string({ description: 'plan a new snapshot of this migration, or MIGRATION/DB.TABLE to copy one table again (as apply --replace)', multiple: true }),
    offline: Flags.boolean({ description: 'do not connect to the source or the destination; plan from specs and state alone' }),
    'full-diff': fullDiffFlag,
    color: logFlags.color,
    target: targetFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanCommand);
    const format = flags.json ? 'json' : (flags.format ?? 'human');
    // Before the store is opened or anything is inspected: a dirty work tree or an unknown ref fails at once.
    const base = flags.base ? baseSummary(await changesSince(flags.base, flags.dir, { allowDirty: flags['allow-dirty'] })) : undefined;
    const store = await openStateStore(flags);
    let plan: Plan;
    try {
      // The precheck reads the live systems; offline there is nothing for it to read.
      const inspected = await inspectAll(flags.dir, store, { offline: flags.offline, targets: flags.target });
      const precheck = flags.offline ? undefined : await runPrechecks(inspected.loaded, inspected.state, { specDir: flags.dir, live: inspected.live, replace: flags.replace });
      plan = planFrom(inspected, { replace: flags.replace });
      if (precheck) plan.precheck = precheck;
    } finally {
      await store.close?.();
    }
    const shown = withBase(plan, base);
    if (flags.out) await writePlanFile(flags.out, shown);
    this.out(renderPlan(shown, format, { offline: flags.offline, fullDiff: flags['full-diff'], color: useColor(process.stdout, process.env, flags.color) }));
    if (flags.out && format === 'human') {
      this.out(hasErrors(plan) ? `\nSaved the plan to ${flags.out}, but mig apply refuses it: fix the errors above and plan again.` : `\nSaved the plan to ${flags.out}. Apply exactly it with: mig apply ${flags.out}`);
    }
    // A failed precheck is an error too: a gate on plan must not pass what apply refuses.
    const code = planExitCode(plan, flags['detailed-exitcode']);
    if (code !== 0) process.exitCode = code;
  }
}
