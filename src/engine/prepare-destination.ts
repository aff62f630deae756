// The short steps of an approved plan that need no stream: the destination's new topics or tables.
// mig apply runs them itself when a runner streams the migration, so a destination that refuses
// them fails the apply (in CI, where the reviewer looks) instead of the runner later; what they
// created is recorded in the generation, so the runner does not create it again.
import type { Migration } from '../spec/schema.js';
import type { MigrationState, TableState } from '../state/model.js';
import type { ApplyHook } from '../model/events.js';
import type { LiveView } from '../plan/build.js';
import { desiredFor } from '../plan/desired.js';
import { sinkKindOf, sourceByChanges } from '../connectors/registry.js';
import { connectSource } from '../connectors/sources/mysql/connect.js';
import { endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { serverInfo } from '../connectors/sources/mysql/inspect.js';
import { takeUpGeneration } from '../state/generation.js';

/**
 * What the schema steps left at the destination: each table they handled, and the topics they
 * created (with their partitions), which the generation carries so the state knows them as mig's.
 */
export interface Prepared {
  tables: Map<string, Pick<TableState, 'phase' | 'targetOrigin'>>;
  createdTopics: Record<string, number>;
}

/**
 * Runs the schema steps of the generation recorded in `draft` (a copy of the migration's state with
 * the new generation waiting): the sink is opened, which creates what is missing, and closed.
 */
export async function prepareDestination(m: Migration, draft: MigrationState, live: LiveView | undefined, specDir: string, hook: ApplyHook): Promise<Prepared> {
  const scratch = structuredClone(draft);
  takeUpGeneration(scratch);
  const prepared: Prepared = { tables: new Map(), createdTopics: {} };
  if (!live?.source.ok || !m.spec.types.includes('schema')) return prepared;
  const desired = desiredFor(m, live.source);
  const endpoint = await endpointFor(m, specDir);
  let flavor: 'mariadb' | 'mysql' = 'mysql';
  let version = '';
  if (sourceByChanges(m.spec.source).changes === 'binlog') {
    const probe = await connectSource(endpoint);
    try {
      ({ flavor, version } = await serverInfo(probe));
    } finally {
      await probe.end().catch(() => undefined);
    }
  }
  const fresh = desired.tables.filter((t) => (scratch.tables[t.id]?.phase ?? 'pending') === 'pending');
  const dest = m.spec.destination;
  const sink = await sinkKindOf(dest).open(dest, {
    migration: m, mstate: scratch, tables: desired.tables, topics: desired.topics, shapes: live.source.tables,
    flavor, createMissing: true, sourceVersion: version, specDir,
    openSourceSession: () => connectSource(endpoint),
    hook: (e) => {
      if (e.type === 'target-origin') prepared.tables.set(e.table, { phase: 'schema', targetOrigin: e.origin });
      if (e.type === 'topic-created') prepared.createdTopics[e.topic] = e.partitions;
      hook(e);
    },
  });
  await sink.close();
  for (const t of fresh) if (!prepared.tables.has(t.id)) prepared.tables.set(t.id, { phase: 'schema' });
  return prepared;
}
