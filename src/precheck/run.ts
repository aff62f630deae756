// Runs the precheck: gathers the facts of each migration's source and destination (I/O, in
// parallel), then evaluates every registered check on them (pure) into one report.
import type { LoadedMigration } from '../spec/load.js';
import type { KafkaDestination, Migration } from '../spec/schema.js';
import type { MigrationState, State } from '../state/model.js';
import { endpointFor } from '../plan/make.js';
import { resolveKafkaSecrets } from '../connectors/kafka/secrets.js';
import type { SourceEndpoint } from '../connectors/sources/mysql/connect.js';
import type { KafkaSecrets } from '../connectors/kafka/secrets.js';
import type { MigError } from '../util/errors.js';
import { REGISTRY } from './registry.js';
import { summarize, toFinding } from './report.js';
import { gatherSourceFacts, unreachableSource } from './source-facts.js';
import { gatherDestinationFacts, unreachableDestination } from './destination-facts.js';
import { gatherTableFacts } from './table-destination-facts.js';
import type { Check, DestinationFacts, MigrationPrecheck, PrecheckReport, SourceFacts } from './types.js';

export interface PrecheckInput {
  migration: Migration;
  file: string;
  state: MigrationState | undefined;
  /** Topics other migrations recorded (topic → migration); empty when unknown. */
  otherTopics?: ReadonlyMap<string, string>;
  source: SourceFacts;
  destination: DestinationFacts;
}

/** Pure: the checks over gathered facts. `all` is every loaded migration, for cross-migration rules. */
export function evaluatePrechecks(inputs: readonly PrecheckInput[], all: readonly Migration[] = inputs.map((i) => i.migration), checks: readonly Check[] = REGISTRY): PrecheckReport {
  const migrations: MigrationPrecheck[] = inputs.map((input) => {
    const ignore = new Set<string>(input.migration.spec.precheck?.ignore ?? []);
    const ctx = { otherTopics: new Map<string, string>(), ...input, all };
    return { migration: input.migration.metadata.name, file: input.file, findings: checks.map((c) => toFinding(c.id, c.run(ctx), ignore)) };
  });
  return summarize(migrations);
}

export interface PrecheckOptions {
  /** The spec directory: secrets and relative paths resolve against its project. */
  specDir: string;
  /** Replace the fact gatherers (tests). */
  gatherSource?: (m: Migration, endpoint: SourceEndpoint) => Promise<SourceFacts>;
  gatherDestination?: (m: Migration, dest: KafkaDestination, secrets: KafkaSecrets, state: MigrationState | undefined) => Promise<DestinationFacts>;
}

function destinationFacts(m: Migration, specDir: string, mstate: MigrationState | undefined, gatherKafka: NonNullable<PrecheckOptions['gatherDestination']>): Promise<DestinationFacts> {
  const d = m.spec.destination;
  if (d.type !== 'kafka') return gatherTableFacts(m, d, specDir, mstate);
  return resolveKafkaSecrets(d, specDir).then(
    (s) => gatherKafka(m, d, s, mstate),
    (e: MigError) => unreachableDestination(e.message, e.hint ?? 'set the environment variable or file spec.destination.sasl.password refers to'),
  );
}

export async function runPrechecks(loaded: readonly LoadedMigration[], state: State, opts: PrecheckOptions): Promise<PrecheckReport> {
  const gatherSource = opts.gatherSource ?? gatherSourceFacts;
  const gatherDestination = opts.gatherDestination ?? gatherDestinationFacts;
  const inputs = await Promise.all(
    loaded.map(async (l): Promise<PrecheckInput> => {
      const m = l.migration;
      const mstate = state.migrations[m.metadata.name];
      // An unresolvable secret is a finding about the connection it is for, not a crash of the run.
      const [source, destination] = await Promise.all([
        endpointFor(m, opts.specDir).then(
          (ep) => gatherSource(m, ep),
          (e: MigError) => unreachableSource(e.message, e.code ?? 'secret-unresolved', e.hint ?? 'set the environment variable or file spec.source.password refers to'),
        ),
        destinationFacts(m, opts.specDir, mstate, gatherDestination),
      ]);
      const otherTopics = new Map<string, string>();
      for (const [name, ms] of Object.entries(state.migrations)) {
        if (name !== m.metadata.name) for (const t of Object.keys(ms.topics)) otherTopics.set(t, name);
      }
      return { migration: m, file: l.file, state: mstate, otherTopics, source, destination };
    }),
  );
  return evaluatePrechecks(inputs, loaded.map((l) => l.migration));
}
