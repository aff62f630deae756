// Status: per migration and table, the phase, rows copied, the checkpoint and the lag.
import type { BackfillProgress, CutoverRecord, MigrationState, RunnerStatus, State } from '../../state/model.js';
import type { RunnerLease } from '../../state/store.js';
import { formatPosition } from '../../model/position-text.js';
import { progressOf, type EventCounters, type LagReading } from '../../model/progress.js';
import { formatCount } from './progress-format.js';

export interface StatusRow {
  migration: string;
  table: string;
  phase: string;
  topic: string;
  rowsCopied: number;
  /** The source's estimate when the copy started; null before. */
  estimatedRows: number | null;
  rowsReread: number;
  backfill?: BackfillProgress;
}

export interface MigrationStatus {
  name: string;
  appliedAt: string;
  snapshot?: string;
  checkpoint?: string;
  /** Source time now − commit time of the newest change the destination holds (model/progress.ts). */
  lag: LagReading;
  /** Whether the checkpoint is at the source's end of log (asked of the source); null when not asked or unknown. */
  caughtUp: boolean | null;
  /** Change events read, written, filtered out and skipped since streaming started. */
  events: EventCounters;
  labels: Record<string, string>;
  /** Heading of the column naming where each table's rows go. */
  /** Heading for where the rows go: TOPIC, TABLE AT DESTINATION. */
  destination: string;
  tables: StatusRow[];
  /** Changes set aside under onError skip or dead-letter: refused by the destination or over its size limit. */
  skippedRows: { table: string; key: string | null; bytes: number; at: string; phase: string; error?: string; outcome?: string; op?: string; deadLetter?: string; redrivenAt?: string }[];
  /** The plan generation `mig apply` approved last, and the one the runner runs. */
  generation: { desired: number; observed: number };
  /** What the runner last reported. */
  runner?: RunnerStatus;
  /** The runner holding the migration's lease now, if any. */
  lease?: RunnerLease;
  /** Recorded by mig cutover once every table verified equal. */
  cutover?: CutoverRecord;
}

/** `column` names where a migration's rows go (its destination kind's heading). */
export function statusOf(state: State, lags: Map<string, number | null>, column: (m: MigrationState['spec']) => string, leases: Record<string, RunnerLease> = {}, now = Date.now()): MigrationStatus[] {
  return Object.values(state.migrations).map((m) => statusOne(m, progressOf(m, now), lags, column, leases));
}

function statusOne(m: MigrationState, p: ReturnType<typeof progressOf>, lags: Map<string, number | null>, column: (m: MigrationState['spec']) => string, leases: Record<string, RunnerLease>): MigrationStatus {
  const behind = lags.get(m.name);
  return ({
    name: m.name,
    generation: { desired: m.desired?.generation ?? m.generation ?? 0, observed: m.observedGeneration ?? 0 },
    runner: m.runner,
    lease: leases[m.name],
    ...(m.cutover ? { cutover: m.cutover } : {}),
    appliedAt: m.appliedAt,
    snapshot: m.snapshot ? formatPosition(m.snapshot.position) : m.feed ? `commit ts ${m.feed.startTs} (TiDB)` : undefined,
    checkpoint: m.checkpoint ? formatPosition(m.checkpoint) : m.feed ? feedPosition(m.feed.positions) : undefined,
    lag: p.lag,
    caughtUp: behind === undefined || behind === null ? null : behind === 0,
    events: p.events,
    labels: p.labels,
    destination: column(m.spec),
    skippedRows: m.skippedRows ?? [],
    tables: Object.values(m.tables).map((t) => ({
      migration: m.name,
      table: t.id,
      phase: t.fullDoneAt && t.phase === 'full' ? 'full (done)' : t.phase,
      topic: t.target,
      rowsCopied: t.rowsCopied,
      estimatedRows: t.estimatedRows ?? null,
      rowsReread: t.rowsReread ?? 0,
      ...(t.backfill ? { backfill: t.backfill } : {}),
    })),
  });
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
    const labels = Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    out.push(`migration ${m.name} (applied ${m.appliedAt})${labels ? `  [${labels}]` : ''}`);
    out.push(...runnerLines(m));
    out.push(`  snapshot:   ${m.snapshot ?? '-'}`);
    out.push(`  checkpoint: ${m.checkpoint ?? '-'}`);
    out.push(`  lag:        ${lagText(m)}`);
    if (m.cutover) out.push(`  cutover:    ${m.cutover.at}${m.cutover.position ? ` at ${m.cutover.position}` : ''}, ${m.cutover.tables} tables verified equal${m.cutover.sourceReadOnly ? ', source read-only' : ''}`);
    const e = m.events;
    out.push(`  changes:    ${n(e.read)} read, ${n(e.written)} written, ${n(e.filtered)} filtered out, ${n(e.skipped)} skipped`);
    const w = Math.max(5, ...m.tables.map((t) => t.table.length));
    out.push(`  ${'TABLE'.padEnd(w)}  ${'PHASE'.padEnd(12)}  ${'ROWS COPIED'.padStart(11)}  ${'OF ~'.padStart(11)}  ${m.destination}`);
    for (const t of m.tables) {
      const phase = t.backfill && !t.backfill.doneAt ? 'backfill' : t.phase;
      const of = t.estimatedRows === null ? '-' : n(t.estimatedRows);
      out.push(`  ${t.table.padEnd(w)}  ${phase.padEnd(12)}  ${n(t.rowsCopied).padStart(11)}  ${of.padStart(11)}  ${t.topic}`);
    }
    if (m.skippedRows.length > 0) out.push(...setAsideLines(m.skippedRows));
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

const n = formatCount;

/** Lag with how it is measured, and whether the source has anything newer. */
function lagText(m: MigrationStatus): string {
  const l = m.lag;
  const basis = l.basis === 'heartbeat' ? 'from the heartbeat' : 'from the last change (no heartbeat: grows while the source is quiet)';
  const value = l.seconds === null ? 'unknown (nothing streamed yet)' : `${l.seconds} s ${basis}`;
  const caught = m.caughtUp === null ? '' : m.caughtUp ? '; caught up: the checkpoint is at the source\'s end of log' : '; the source has changes not yet written';
  return value + caught;
}

/** Changes the poison-event policy set aside: how many were skipped, dead-lettered and re-driven, then the latest. */
function setAsideLines(rows: MigrationStatus['skippedRows']): string[] {
  const dead = rows.filter((r) => r.outcome === 'dead-letter');
  const waiting = rows.filter((r) => !r.redrivenAt);
  const where = [...new Set(dead.map((r) => r.deadLetter).filter(Boolean))].join(', ');
  const out = [`  set aside: ${n(rows.length)} change(s), ${n(rows.length - dead.length)} skipped, ${n(dead.length)} dead-lettered${where ? ` to ${where}` : ''}; ${n(rows.length - waiting.length)} re-driven, ${n(waiting.length)} waiting (mig redrive)`];
  for (const r of rows.slice(-20)) {
    const what = r.error ?? `${n(r.bytes)} bytes, over destination.maxMessageBytes`;
    const state = r.redrivenAt ? `re-driven ${r.redrivenAt}` : r.outcome === 'dead-letter' ? 'dead-lettered' : 'skipped';
    out.push(`    ${r.table} ${r.op ?? 'row'} key ${r.key ?? '(none)'}: ${what}; ${state}, ${r.phase}, ${r.at}`);
  }
  if (rows.length > 20) out.push(`    … ${n(rows.length - 20)} more in mig status --json`);
  return out;
}
