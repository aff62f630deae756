// What a precheck run reports, per migration and check: the shape plans embed and views render,
// kept in the model so the planner can carry a report without depending on the precheck itself.
import type { CheckId, PrecheckSeverity } from './precheck-catalog.js';

/** `ignored`: failed, but the spec accepts it in spec.precheck.ignore. */
export type FindingStatus = 'pass' | 'fail' | 'skipped' | 'ignored';

export interface Finding {
  id: CheckId;
  severity: PrecheckSeverity;
  ignorable: boolean;
  status: FindingStatus;
  observed: string;
  expected: string;
  message: string;
  /** What to run or change, exact where mig can know it ('' when nothing is to be done). */
  fix: string;
}

/** Every check's finding for one migration, in registry order. */
export interface MigrationPrecheck {
  migration: string;
  file: string;
  findings: Finding[];
}

export interface PrecheckReport {
  /** False when an error-severity check failed and is not ignored: apply refuses to run. */
  ok: boolean;
  /** In spec order. */
  migrations: MigrationPrecheck[];
  summary: { passed: number; failed: number; warnings: number; ignored: number; skipped: number };
}
