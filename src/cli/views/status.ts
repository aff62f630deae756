// Status: per migration and table, the phase, rows copied, the checkpoint and the lag.
import type { BackfillProgress, MigrationState, RunnerStatus, State } from '../../state/model.js';
import type { RunnerLease } from '../../state/store.js';
import { formatPosition } from '../../model/position-text.js';

export interface StatusRow {
  migration: string;
  table: string;
  phase: string;
  topic: string;
  rowsCopied: number;
  rowsReread: number;
  backfill?: BackfillProgress;
}

export interface MigrationStatus {
  name: string;
  appliedAt: string;
  snapshot?: string;
  checkpoint?: string;
  /** Seconds the checkpoint is behind the source's end of log; 0 when caught up, null when unknown. */
  lagSeconds: number | null;
  eventsStreamed: number;
  /** Heading of the column naming where each table's rows go. */
  /** Heading for where the rows go: TOPIC, TABLE AT DESTINATION. */
  destination: string;
  tables: StatusRow[];
  /** Rows left out: over maxMessageBytes (oversizedRow: skip), or refused by Tablestore (dirtyData: skip). */
  skippedRows: { table: string; key: string | null; bytes: number; at: string; phase: string; error?: string }[];
  /** The plan generation `mig apply` approved last, and the one the runner runs. */
  generation: { desired: number; observed: number };
  /** What the runner last reported. */
  runner?: RunnerStatus;
  /** The runner holding the migration's lease now, if any. */
  lease?: RunnerLease;
}

/** `column` names where a migration's rows go (its destination kind's heading). */
export function statusOf(state: State, lags: Map<string, number | null>, column: (m: MigrationState['spec']) => string, leases: Record<string, RunnerLease> = {}): MigrationStatus[] {
  return Object.values(state.migrations).map((m) => ({
    name: m.name,
    generation: { desired: m.desired?.generation ?? m.generation ?? 0, observed: m.observedGeneration ?? 0 },
    runner: m.runner,
    lease: leases[m.name],
    appliedAt: m.appliedAt,
    snapshot: m.snapshot ? formatPosition(m.snapshot.position) : m.feed ? `commit ts ${m.feed.startTs} (TiDB)` : undefined,
    checkpoint: m.checkpoint ? formatPosition(m.checkpoint) : m.feed ? feedPosition(m.feed.positions) : undefined,
    lagSeconds: lags.get(m.name) ?? null,
    eventsStreamed: m.eventsStreamed ?? 0,
    destination: column(m.spec),
    skippedRows: m.skippedRows ?? [],
    tables: Object.values(m.tables).map((t) => ({
      migration: m.name,
      table: t.id,
      phase: t.fullDoneAt && t.phase === 'full' ? 'full (done)' : t.phase,
      topic: t.target,
      rowsCopied: t.rowsCopied,
      rowsReread: t.rowsReread ?? 0,
      ...(t.backfill ? { backfill: t.backfill } : {}),
    })),
  }));
}

/** A TiDB feed's position per topic:partition, as the last apply recorded it. */
function feedPosition(positions: Record<string, { offset: string; commitTs?: string }>): string | undefined {
  const parts = Object.entries(positions).map(([feed, p]) => `${feed} offset ${p.offset}${p.commitTs !== undefined ? ` (commit ts ${p.commitTs})` : ''}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function renderStatus(ms: MigrationStatus[]): string {
  if (ms.length === 0) return 'No migrations applied yet. Run mig plan, then mig apply.';
  const out: string[] = [];
  for (const m of ms) {
    out.push(`migration ${m.name} (applied ${m.appliedAt})`);
    out.push(...runnerLines(m));
    out.push(`  snapshot:   ${m.snapshot ?? '-'}`);
    out.push(`  checkpoint: ${m.checkpoint ?? '-'}   lag: ${m.lagSeconds === null ? 'unknown' : `${m.lagSeconds} s`}   changes streamed: ${m.eventsStreamed}`);
    const w = Math.max(5, ...m.tables.map((t) => t.table.length));
    out.push(`  ${'TABLE'.padEnd(w)}  ${'PHASE'.padEnd(12)}  ${'ROWS COPIED'.padStart(11)}  ${m.destination}`);
    for (const t of m.tables) {
      const phase = t.backfill && !t.backfill.doneAt ? 'backfill' : t.phase;
      out.push(`  ${t.table.padEnd(w)}  ${phase.padEnd(12)}  ${String(t.rowsCopied).padStart(11)}  ${t.topic}`);
    }
    if (m.skippedRows.length > 0) {
      out.push(`  skipped rows: ${m.skippedRows.length}`);
      for (const r of m.skippedRows.slice(-20)) out.push(`    ${r.table} key ${r.key ?? '(none)'}: ${r.error ?? `${r.bytes} bytes, over destination.maxMessageBytes`}, ${r.phase}, ${r.at}`);
      if (m.skippedRows.length > 20) out.push(`    … ${m.skippedRows.length - 20} more in mig status --json`);
    }
  }
  return out.join('\n');
}

/** Generations, the lease and what the runner does: "desired 3, observed 2, reconciling …". */
function runnerLines(m: MigrationStatus): string[] {
  const g = m.generation;
  const r = m.runner;
  const doing = r ? `${r.status}${r.reconciling?.length ? `: ${r.reconciling.join('; ')}` : ''}` : 'no runner has reported';
  const out = [`  generation: desired ${g.desired}, observed ${g.observed}${g.desired > g.observed ? ' (waiting for the runner)' : ''}; runner ${doing}`];
  out.push(m.lease ? `  lease:      held by pid ${m.lease.pid} on ${m.lease.host} since ${m.lease.since} (until ${m.lease.expiresAt})` : '  lease:      not held (no runner streams this migration now)');
  if (r?.retry) {
    const x = r.retry;
    out.push(`  retrying:   ${x.window === 'connection' ? 'a lost connection' : 'a retryable failure'} since ${x.since}, ${x.attempts} attempt(s), until ${x.until}: ${x.lastError.message}${x.lastError.fix ? `\n    fix: ${x.lastError.fix}` : ''}`);
  }
  if (r?.lastError && !r.retry) out.push(`  last error: ${r.lastError.message} (generation ${r.lastError.generation}, ${r.lastError.at})${r.lastError.fix ? `\n    fix: ${r.lastError.fix}` : ''}`);
  return out;
}
