// Runs the precheck: gathers the facts of each migration's source and destination (I/O, in
// parallel), then evaluates every registered check on them (pure) into one report.
import type { LoadedMigration } from '../spec/load.js';
import type { Migration } from '../spec/schema.js';
import type { MigrationState, State } from '../state/model.js';
import type { LiveSource } from '../model/targets.js';
import { endpointFor } from '../plan/make.js';
import { desiredFor } from '../plan/desired.js';
import { inspectSource } from '../plan/live.js';
import type { LiveView } from '../plan/build.js';
import type { PrecheckFactsContext } from '../connectors/contract.js';
import { sinkKindOf, sourceKindOf } from '../connectors/registry.js';
import type { SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import type { MigError } from '../util/errors.js';
import { REGISTRY } from './registry.js';
import { summarize, toFinding } from './report.js';
import { skip } from './outcome.js';
import { gatherSourceFacts, unreachableSource } from './source-facts.js';
import { topicsWritten } from './topic-names.js';
import { mayBackfill, type BackfillCandidate } from './backfill-tables.js';
import type { Check, CheckContext, DestinationFacts, Known, MigrationPrecheck, Outcome, PrecheckReport, SourceFacts } from './types.js';

export interface PrecheckInput {
  migration: Migration;
  file: string;
  state: MigrationState | undefined;
  /** Topics other migrations recorded (topic → migration); empty when unknown. */
  otherTopics?: ReadonlyMap<string, string>;
  source: SourceFacts;
  destination: DestinationFacts;
  /** The spec's tables resolved against the source, when the migration would backfill. */
  desiredTables?: Known<readonly BackfillCandidate[]>;
  /** apply --replace, as given. */
  replace?: readonly string[];
}

/** A check's outcome: skipped where it does not apply, else what it decides. */
function outcomeOf(c: Check, ctx: CheckContext): Outcome {
  const a = c.appliesTo;
  const { source, destination } = ctx.migration.spec;
  if (a && ((a.destinations && !a.destinations.includes(destination.type)) || (a.sources && !a.sources.includes(source.type)))) return skip(a.skip(ctx.migration));
  return c.run(ctx);
}

/** Pure: the checks over gathered facts. `all` is every loaded migration, for cross-migration rules. */
export function evaluatePrechecks(inputs: readonly PrecheckInput[], all: readonly Migration[] = inputs.map((i) => i.migration), checks: readonly Check[] = REGISTRY): PrecheckReport {
  const migrations: MigrationPrecheck[] = inputs.map((input) => {
    const ignore = new Set<string>(input.migration.spec.precheck?.ignore ?? []);
    const ctx = { otherTopics: new Map<string, string>(), ...input, all };
    return { migration: input.migration.metadata.name, file: input.file, findings: checks.map((c) => toFinding(c.id, outcomeOf(c, ctx), ignore)) };
  });
  return summarize(migrations);
}

export interface PrecheckOptions {
  /** The spec directory: secrets and relative paths resolve against its project. */
  specDir: string;
  /** What the caller already read, by migration name: its source view is used instead of reading the source again. */
  live?: ReadonlyMap<string, LiveView>;
  /** apply --replace and plan --replace: a migration replaced whole backfills nothing. */
  replace?: readonly string[];
  /** Replace the fact gatherers (tests). */
  gatherSource?: (m: Migration, endpoint: SourceEndpoint) => Promise<SourceFacts>;
  gatherDestination?: (m: Migration, ctx: PrecheckFactsContext) => Promise<DestinationFacts>;
}

/** The destination's facts as its sink kind reads them, with the feed's when the source reads one. */
export async function gatherDestinationFacts(m: Migration, ctx: PrecheckFactsContext): Promise<DestinationFacts> {
  const { source: s, destination: d } = m.spec;
  const [facts, feed] = await Promise.all([sinkKindOf(d).precheckFacts(m, d, ctx), sourceKindOf(s).feedFacts?.(m, s, ctx.specDir)]);
  return feed ? { ...facts, feed } : facts;
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

/** What a kind may ask while gathering: the source is read on first ask, unless the caller's view has it. */
export function factsContext(m: Migration, specDir: string, state: MigrationState | undefined, view: LiveView | undefined): PrecheckFactsContext {
  const source = once(async (): Promise<LiveSource> => {
    if (view) return view.source;
    const endpoint = await endpointFor(m, specDir).catch(() => undefined);
    return endpoint ? inspectSource(m, endpoint) : { ok: false, error: 'secret unresolved' };
  });
  const desired = once(async () => desiredFor(m, await source()));
  return { specDir, state, topics: topicsWritten(m), source, desired };
}

/** The desired tables, known only when the source could be read: a partial list would hide new tables. */
async function resolvedTables(facts: PrecheckFactsContext): Promise<Known<readonly BackfillCandidate[]>> {
  try {
    const live = await facts.source();
    if (!live.ok) return { ok: false, error: live.error };
    return { ok: true, value: (await facts.desired()).tables };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export async function runPrechecks(loaded: readonly LoadedMigration[], state: State, opts: PrecheckOptions): Promise<PrecheckReport> {
  const gatherSource = opts.gatherSource ?? gatherSourceFacts;
  const gatherDestination = opts.gatherDestination ?? gatherDestinationFacts;
  const inputs = await Promise.all(
    loaded.map(async (l): Promise<PrecheckInput> => {
      const m = l.migration;
      const mstate = state.migrations[m.metadata.name];
      const facts = factsContext(m, opts.specDir, mstate, opts.live?.get(m.metadata.name));
      // An unresolvable secret is a finding about the connection it is for, not a crash of the run.
      const [source, destination, desiredTables] = await Promise.all([
        endpointFor(m, opts.specDir).then(
          (ep) => gatherSource(m, ep),
          (e: MigError) => unreachableSource(e.message, e.code ?? 'secret-unresolved', e.hint ?? 'set the environment variable or file spec.source.password refers to'),
        ),
        gatherDestination(m, facts),
        // Only a migration that may backfill needs its tables, and reading them may cost a source inspection.
        mayBackfill(m, mstate, opts.replace) ? resolvedTables(facts) : undefined,
      ]);
      const otherTopics = new Map<string, string>();
      for (const [name, ms] of Object.entries(state.migrations)) {
        if (name !== m.metadata.name) for (const t of Object.keys(ms.topics)) otherTopics.set(t, name);
      }
      return { migration: m, file: l.file, state: mstate, otherTopics, source, destination, desiredTables, replace: opts.replace };
    }),
  );
  return evaluatePrechecks(inputs, loaded.map((l) => l.migration));
}
