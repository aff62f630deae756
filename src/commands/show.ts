import { Args, Flags } from '@oclif/core';
import { MigCommand } from '../cli/base.js';
import { readPlanFile } from '../plan/planfile.js';
import { PLAN_FORMATS, renderPlan } from '../cli/views/plan-format.js';
import type { PlanView } from '../cli/views/plan-view.js';
import { fullDiffFlag } from '../cli/views/plan-human.js';
import { logFlags, useColor } from '../cli/log.js';

export default class ShowCommand extends MigCommand {
  static override summary = 'Show a plan saved by mig plan --out, as mig plan showed it.';
  static override description = 'Renders the saved plan in the same views as mig plan (human, markdown for a pull-request comment, or json), without reading the specs, the state or the live systems: what it shows is what mig apply PLANFILE would apply, if the plan is still fresh.';
  static override examples = [
    '<%= config.bin %> show plan.json',
    '<%= config.bin %> show plan.json --format markdown > comment.md',
    '<%= config.bin %> show plan.json --json | jq .migrations',
  ];
  static override args = { planfile: Args.string({ description: 'a plan saved by mig plan --out', required: true }) };
  static override flags = {
    json: Flags.boolean({ description: 'print machine-readable JSON (the same as --format json)', exclusive: ['format'] }),
    format: Flags.option({ options: PLAN_FORMATS, description: 'human (default), markdown (a pull-request comment) or json' })(),
    'full-diff': fullDiffFlag,
    color: logFlags.color,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ShowCommand);
    const format = flags.json ? 'json' : (flags.format ?? 'human');
    if (format === 'json') this.errorOutput = 'json';
    // A plan saved with --base carries the migrations changed since that ref: the views show them.
    const plan: PlanView = await readPlanFile(args.planfile);
    this.out(renderPlan(plan, format, { fullDiff: flags['full-diff'], color: useColor(process.stdout, process.env, flags.color) }));
  }
}
