import { Flags } from '@oclif/core';
import { MigCommand, dirFlag, jsonFlag, stateFlag, stateUrlFlag } from '../cli/base.js';
import { openStateStore } from '../config/index.js';
import { loadValid, makePlan } from '../plan/make.js';
import { hasChanges, hasErrors, type Plan } from '../plan/change.js';
import { runPrechecks } from '../precheck/index.js';
import { renderPrecheckFailures } from '../cli/views/precheck-human.js';
import { writePlanFile } from '../plan/planfile.js';
import { renderPlanHuman } from '../cli/views/plan-human.js';

export default class PlanCommand extends MigCommand {
  static override summary = 'Show what apply would change, and why.';
  static override description = 'Compares the specs with the recorded state and the live source and Kafka, and prints each change: + create, ~ update, -/+ replace, - delete, with its reason, then a diff of each spec against the applied one.';
  static override examples = [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --out plan.json',
    '<%= config.bin %> plan --detailed-exitcode   # 0 no changes, 2 changes, 1 error',
    '<%= config.bin %> plan --json | jq .migrations',
  ];
  static override flags = {
    dir: dirFlag,
    state: stateFlag,
    'state-url': stateUrlFlag,
    json: jsonFlag,
    out: Flags.string({ description: 'save the plan to FILE for mig apply FILE' }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 0 when there are no changes, 2 when there are, 1 on error' }),
    replace: Flags.string({ description: 'plan a new snapshot of this migration (as apply --replace)', multiple: true }),
    offline: Flags.boolean({ description: 'do not connect to the source or Kafka; plan from specs and state alone' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PlanCommand);
    const store = await openStateStore(flags);
    let plan: Plan;
    try {
      // The precheck reads the live systems; offline there is nothing for it to read.
      const precheck = flags.offline ? undefined : await runPrechecks(await loadValid(flags.dir), await store.read(), { specDir: flags.dir });
      ({ plan } = await makePlan(flags.dir, store, { offline: flags.offline, replace: flags.replace }));
      if (precheck) plan.precheck = precheck;
    } finally {
      await store.close?.();
    }
    if (plan.precheck && !flags.json) this.out(renderPrecheckFailures(plan.precheck) + '\n');
    if (flags.out) await writePlanFile(flags.out, plan);
    this.out(flags.json ? JSON.stringify(plan, null, 2) : renderPlanHuman(plan));
    if (flags.out && !flags.json) this.out(`\nSaved the plan to ${flags.out}. Apply exactly it with: mig apply ${flags.out}`);
    if (hasErrors(plan)) process.exitCode = 1;
    else if (flags['detailed-exitcode'] && hasChanges(plan)) process.exitCode = 2;
  }
}
