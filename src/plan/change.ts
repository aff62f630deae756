// A plan is a list of typed changes per migration, each with the reason a reviewer needs.
// Symbols follow Terraform: + create, ~ update, -/+ replace, - delete.
import type { PrecheckReport } from '../model/precheck-report.js';

export type Action = 'create' | 'update' | 'replace' | 'delete';

export const ACTION_SYMBOL: Record<Action, string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
};

/** Risk labels a reviewer should see next to an action. */
export type Risk = 're-snapshot' | 'destructive' | 'breaks-key-order' | 'long-running' | 'backfill';

/** How a risk reads in the plan; `backfill` is the copy made while the stream keeps running. */
export const RISK_TEXT: Record<Risk, string> = {
  're-snapshot': 're-snapshot',
  destructive: 'destructive',
  'breaks-key-order': 'breaks-key-order',
  'long-running': 'long-running',
  backfill: 'backfill, stream keeps running',
};

/** Kinds of destination object a table's rows go to, as plans name them. */
export type TargetKind = 'topic' | 'tablestore-table' | 'mysql-table';

export const TARGET_LABEL: Record<TargetKind, string> = {
  topic: 'topic',
  'tablestore-table': 'Tablestore table',
  'mysql-table': 'MySQL table',
};

/**
 * The rows a table's copy reads (the source's estimate, less rows a resume skips) and, when earlier
 * full loads recorded in the state show a rate, the time it takes at that rate.
 */
export interface CopyEstimate {
  rows: number;
  seconds?: number;
  rowsPerSecond?: number;
}

export type Change =
  | { kind: 'migration'; action: Action; migration: string; reason: string; risks: Risk[] }
  | {
      kind: 'table';
      action: Action;
      migration: string;
      /** `database.table` */
      table: string;
      /** Where its rows go: a topic, or a destination table (see `into`). */
      topic: string;
      /** What `topic` names; absent means a Kafka topic. */
      into?: TargetKind;
      reason: string;
      risks: Risk[];
      /** Rows copied so far, for a full load that resumes. */
      resumeFrom?: number;
      /** For a table copied: its size as the source estimates it (absent when it could not be read). */
      estimate?: CopyEstimate;
    }
  | {
      kind: 'topic';
      action: Action;
      migration: string;
      topic: string;
      partitions: number;
      fromPartitions?: number;
      reason: string;
      risks: Risk[];
    }
  | {
      kind: 'target';
      action: Action;
      migration: string;
      /** A destination table (Tablestore table name, or `database.table` at a MySQL destination). */
      target: string;
      into: TargetKind;
      reason: string;
      risks: Risk[];
    }
  | { kind: 'setting'; action: 'update'; migration: string; field: string; reason: string; risks: Risk[] };

export interface MigrationPlan {
  name: string;
  /** File the spec came from (absent for a migration removed from the specs). */
  file?: string;
  changes: Change[];
  /** Unified diff of the normalised spec against the applied one ('' when equal); shown with --full-diff. */
  specDiff: string;
  /**
   * The same diff without the fields at their defaults (plan/spec-text.ts): what the views show.
   * Absent in a plan saved by an earlier mig; the views then show specDiff.
   */
  writtenDiff?: string;
  /** Digest of the normalised spec this plan moves to. */
  digest?: string;
}

export interface PlanNote {
  severity: 'error' | 'warning' | 'info';
  migration?: string;
  message: string;
  hint?: string;
}

export interface Plan {
  formatVersion: 1;
  createdAt: string;
  /** Digest over all loaded specs: apply refuses the plan when the specs moved since. */
  specDigest: string;
  stateSerial: number;
  stateLineage: string;
  /**
   * Each migration's desired generation when planned: apply refuses the plan when another plan was
   * approved meanwhile. (The serial moves with every checkpoint a runner writes, so it cannot tell.)
   */
  generations?: Record<string, number>;
  migrations: MigrationPlan[];
  notes: PlanNote[];
  /** True when some facts could not be checked against the live systems. */
  partial: boolean;
  /** The precheck run before planning (absent offline). */
  precheck?: PrecheckReport;
  /** --target: the plan covers only these migrations (or MIGRATION/DB.TABLE); absent for a full plan. */
  targets?: string[];
}

export function hasChanges(p: Plan): boolean {
  return p.migrations.some((m) => m.changes.length > 0);
}

/**
 * A plan is in error when the planner found an error, or when the precheck it carries failed (an
 * error-severity check that spec.precheck.ignore does not accept): apply would refuse to run it, so
 * plan exits 1 and a pull-request gate on it fails. Warnings and ignored checks do not count.
 */
export function hasErrors(p: Plan): boolean {
  return p.notes.some((n) => n.severity === 'error') || precheckFailed(p);
}

/** The plan carries a precheck that failed. */
export function precheckFailed(p: Plan): boolean {
  return p.precheck?.ok === false;
}

/**
 * mig plan's exit code: 1 when the plan is in error (hasErrors, a failed precheck included) whatever
 * the flags, else with --detailed-exitcode 2 when there are changes; 0 otherwise.
 */
export function planExitCode(p: Plan, detailed: boolean): 0 | 1 | 2 {
  if (hasErrors(p)) return 1;
  return detailed && hasChanges(p) ? 2 : 0;
}
