// --target (Terraform's -target) for plan and apply; the core (plan/target.ts) reads it.
import { Flags } from '@oclif/core';

export const targetFlag = Flags.string({
  description: 'plan (and apply) only this migration, or one table of it as MIGRATION/DB.TABLE; repeatable. For exceptions: the plan is partial',
  multiple: true,
});
