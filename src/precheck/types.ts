// The shapes a precheck run produces and the checks consume: findings, reports, and the facts
// gathered once per migration so that every check itself is a pure function.
import type { Destination, Migration, Source } from '../spec/schema.js';
import type { MigrationState } from '../state/model.js';
import type { DestinationFacts, SourceFacts } from '../model/precheck-facts.js';
import type { CheckId } from '../model/precheck-catalog.js';
import type { BackfillCandidate } from './backfill-tables.js';
import type { Known } from '../model/precheck-facts.js';

export type { Finding, FindingStatus, MigrationPrecheck, PrecheckReport } from '../model/precheck-report.js';
import type { Finding } from '../model/precheck-report.js';
export type { DestinationFacts, FeedFacts, InvisibleColumn, Known, ReplicaFacts, ServerFacts, SourceFacts, TableFacts, TablestoreFacts } from '../model/precheck-facts.js';

/** What a check decides; severity and ignorability come from the catalog. */
export type Outcome = Pick<Finding, 'observed' | 'expected' | 'message' | 'fix'> & { status: 'pass' | 'fail' | 'skipped' };

export interface CheckContext {
  migration: Migration;
  file: string;
  /** Every loaded migration, for cross-migration rules (server ids). */
  all: readonly Migration[];
  /** This migration's recorded state, when it was applied before. */
  state: MigrationState | undefined;
  /** Topics other migrations recorded in the same state, with the migration that did. */
  otherTopics: ReadonlyMap<string, string>;
  source: SourceFacts;
  destination: DestinationFacts;
  /**
   * The spec's tables resolved against the live source; read only for a migration that would
   * backfill (backfill-tables.ts), absent otherwise.
   */
  desiredTables?: Known<readonly BackfillCandidate[]>;
  /** apply --replace: MIGRATION (a new snapshot) or MIGRATION/DB.TABLE (that table copied again). */
  replace?: readonly string[];
}

/**
 * Where a check means something: the destination and source kinds it is for (absent: every kind).
 * Elsewhere it is skipped, without running, with the message `skip` gives.
 */
export interface Applicability {
  destinations?: readonly Destination['type'][];
  sources?: readonly Source['type'][];
  skip: (m: Migration) => string;
}

export interface Check {
  id: CheckId;
  appliesTo?: Applicability;
  run(ctx: CheckContext): Outcome;
}
