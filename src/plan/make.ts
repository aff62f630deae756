// Planning with I/O around the pure planner: load specs, read state, inspect live systems, build.
import { hostname } from 'node:os';
import { loadSpecs, normalizedText, specDigest, specSetDigest, type LoadedMigration } from '../spec/index.js';
import { endpointFor } from '../connectors/sources/mysql/endpoint.js';
import { sinkKindOf } from '../connectors/registry.js';
export { endpointFor };
import type { LockInfo, State } from '../state/model.js';
import type { RunnerLease, StateStore } from '../state/store.js';
import { SpecError } from '../util/errors.js';
import { buildPlan, type LiveView } from './build.js';
import type { Plan } from './change.js';
import { inspectLive } from './live.js';
import { checkReplaceTargeted, checkTableTargets, limitPlan, parseTargets, targetedMigrations, type Targets } from './target.js';

/**
 * What precheck, plan and apply all read, read once: the specs, the recorded state, and per
 * migration the live source and destination.
 */
export interface Inspected {
  /** The migrations worked on: every spec, or under --target the targeted ones (see target.ts). */
  loaded: LoadedMigration[];
  /** Digest over every spec loaded (targeted or not): a saved plan is stale once any of them moves. */
  specDigest: string;
  /** --target as given and as read; absent for a full plan. */
  targets?: { texts: string[]; by: Targets };
  state: State;
  live: Map<string, LiveView>;
  /** Runners holding migrations' leases as the state backend reported them. */
  leases: Record<string, RunnerLease>;
  /** The state lock when some process holds it: a plan reads past it (it never takes the lock). */
  lock?: LockInfo;
}

export interface Planned extends Inspected {
  plan: Plan;
}

export async function loadValid(specDir: string): Promise<LoadedMigration[]> {
  const { migrations, diagnostics } = await loadSpecs(specDir);
  if (diagnostics.some((d) => d.severity === 'error')) throw new SpecError(diagnostics);
  return migrations;
}

/**
 * One spec load, one state read and one inspection of each migration's live systems (with
 * `targets`, of the targeted migrations only).
 */
export async function inspectAll(specDir: string, store: StateStore, opts: { offline?: boolean; targets?: string[] } = {}): Promise<Inspected> {
  const all = await loadValid(specDir);
  // Who holds the lock only words the plan: a store that cannot say leaves it out.
  const [state, leases, held] = await Promise.all([store.read(), store.leases(), store.currentLock().catch(() => undefined)]);
  const texts = opts.targets ?? [];
  const targets = texts.length > 0 ? { texts, by: parseTargets(texts, all, state) } : undefined;
  const loaded = targets ? targetedMigrations(all, state, targets.by) : all;
  // Apply inspects under its own lock: that one is not another process running the migrations.
  const lock = held && !(held.pid === process.pid && held.host === hostname().slice(0, 255)) ? held : undefined;
  const live = new Map<string, LiveView>();
  await Promise.all(
    loaded.map(async (l) => {
      const m = l.migration;
      const name = m.metadata.name;
      if (opts.offline) {
        live.set(name, { source: { ok: false, error: 'offline' }, ...sinkKindOf(m.spec.destination).offline() });
        return;
      }
      const known = Object.keys(state.migrations[name]?.topics ?? {});
      // Secrets are needed to read the source; an unresolvable one leaves the plan partial, not failed.
      const endpoint = await endpointFor(m, specDir).catch((e: Error) => e);
      const view = await inspectLive(m, endpoint instanceof Error ? undefined : endpoint, known, specDir, state.migrations[name]);
      if (endpoint instanceof Error) view.source = { ok: false, error: endpoint.message };
      live.set(name, view);
    }),
  );
  if (targets) checkTableTargets(targets.by, all, state, live);
  const specDigest = specSetDigest(all.map((l) => l.migration));
  return { loaded, specDigest, state, live, leases, ...(lock ? { lock } : {}), ...(targets ? { targets } : {}) };
}

/** The plan for what was inspected (pure). */
export function planFrom(i: Inspected, opts: { replace?: string[] } = {}): Plan {
  if (i.targets) checkReplaceTargeted(opts.replace ?? [], i.targets.by, i.targets.texts);
  const plan = buildPlan({
    migrations: i.loaded.map((l) => ({ file: l.file, migration: l.migration, digest: specDigest(l.migration) })),
    state: i.state,
    live: i.live,
    specDigest: i.specDigest,
    normalizedText,
    replace: new Set(opts.replace ?? []),
    leases: i.leases,
    lock: i.lock,
  });
  return i.targets ? limitPlan(plan, i.targets.by, i.targets.texts, i.live) : plan;
}

export async function makePlan(specDir: string, store: StateStore, opts: { offline?: boolean; replace?: string[]; targets?: string[] } = {}): Promise<Planned> {
  const inspected = await inspectAll(specDir, store, opts);
  return { ...inspected, plan: planFrom(inspected, opts) };
}
