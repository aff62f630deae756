// Prometheus metrics for mig apply and mig run, fed only from the engine's events. The numbers are
// the progress event's (model/progress.ts), kept as the latest reading per migration and written
// into the registry at each scrape, so /metrics, the apply output, mig status --json and alerts
// never disagree: there is one set of counters, the engine's. Only retries and failures are
// counted here, from the runner's events, because a reading holds the current outage, not a tally.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ApplyEvent, ApplyHook } from '../model/events.js';
import type { EventCounters, MigrationProgress, TableProgress } from '../model/progress.js';
import { RESERVED_LABELS } from '../spec/schema-observe.js';

// Every value each one-hot label can take, listed once so a series exists (at 0) for each: a
// query for status="failed" then finds 0 rather than nothing. The Records make the compiler
// report a status or phase added to the model and not here.
const RUNNER_STATUSES = Object.keys({
  starting: 1, loading: 1, streaming: 1, reconciling: 1, retrying: 1, stopped: 1, failed: 1, 'not-running': 1,
} satisfies Record<MigrationProgress['runner'], 1>);
const PHASES = Object.keys({ pending: 1, schema: 1, full: 1, backfill: 1, incremental: 1 } satisfies Record<TableProgress['phase'], 1>);
const KINDS = Object.keys({ read: 1, written: 1, filtered: 1, skipped: 1 } satisfies Record<keyof EventCounters, 1>) as (keyof EventCounters)[];
const WINDOWS = ['connection', 'other'] as const;
type RetryWindow = (typeof WINDOWS)[number];

/** What the metrics know of one migration. */
interface Seen {
  /** The latest progress reading; undefined until the first one. */
  progress?: MigrationProgress;
  /** Runner status: the reading's, or what a retry or failure since said (no reading is sent while a run waits to retry). */
  status: MigrationProgress['runner'];
  retrying: boolean;
  retries: Record<RetryWindow, number>;
  failures: number;
}

type Labels = Record<string, string | number>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MigMetrics {
  readonly registry = new Registry();
  private readonly seen = new Map<string, Seen>();
  private userLabels: string[] = [];
  private built: ReturnType<typeof buildMetrics> | undefined;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    // Memory, CPU, event loop lag, GC and handles: what tells a slow migration from a starved process.
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Calls `next` with every event, after taking what the metrics need from it. */
  wrap(next: ApplyHook): ApplyHook {
    return (e) => {
      try {
        this.onEvent(e);
      } catch {
        // A metrics bug must never stop a migration; the scrape shows the last good numbers.
      }
      next(e);
    };
  }

  onEvent(e: ApplyEvent): void {
    switch (e.type) {
      case 'progress': {
        const s = this.of(e.migration);
        s.progress = e.progress;
        s.status = e.progress.runner;
        s.retrying = e.progress.retry !== undefined;
        return;
      }
      case 'runner-retry': {
        const s = this.of(e.migration);
        s.retries[e.window] += 1;
        s.retrying = true;
        s.status = 'retrying';
        return;
      }
      case 'runner-recovered':
        this.of(e.migration).retrying = false;
        return;
      case 'run-failed': {
        const s = this.of(e.migration);
        s.failures += 1;
        s.retrying = false;
        s.status = 'failed';
        return;
      }
      case 'generation':
        // A migration removed from the state has no series left to report.
        if (e.event === 'removed') this.seen.delete(e.migration);
        return;
      default:
        return;
    }
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async render(): Promise<string> {
    const m = this.metricsFor(this.labelNames());
    for (const metric of Object.values(m)) metric.reset();
    for (const [name, s] of this.seen) fill(m, s, this.labelsOf(name, s));
    return this.registry.metrics();
  }

  private of(migration: string): Seen {
    let s = this.seen.get(migration);
    if (!s) {
      s = { status: 'not-running', retrying: false, retries: { connection: 0, other: 0 }, failures: 0 };
      this.seen.set(migration, s);
    }
    return s;
  }

  /** The spec labels every migration series carries: the union over the migrations, in a stable order. */
  private labelNames(): string[] {
    const names = new Set<string>();
    for (const s of this.seen.values()) for (const k of Object.keys(s.progress?.labels ?? {})) if (usable(k)) names.add(k);
    return [...names].sort();
  }

  private labelsOf(migration: string, s: Seen): Labels {
    const out: Labels = { migration };
    for (const [k, v] of Object.entries(s.progress?.labels ?? {})) if (usable(k)) out[k] = v;
    return out;
  }

  /** prom-client fixes a metric's label names when it is made: a new spec label means making them again. */
  private metricsFor(userLabels: string[]): ReturnType<typeof buildMetrics> {
    if (this.built && userLabels.join(',') === this.userLabels.join(',')) return this.built;
    for (const { name } of this.registry.getMetricsAsArray()) if (name.startsWith('mig_')) this.registry.removeSingleMetric(name);
    this.built = buildMetrics(this.registry, userLabels);
    this.userLabels = userLabels;
    return this.built;
  }
}

/**
 * Validation refuses reserved and malformed names, but a state written by an older mig may hold
 * one: it is dropped rather than allowed to overwrite a label mig sets or to break the scrape.
 */
function usable(label: string): boolean {
  return LABEL_NAME.test(label) && !label.startsWith('__') && !RESERVED_LABELS.has(label);
}

function buildMetrics(registry: Registry, user: string[]) {
  const gauge = (name: string, help: string, labels: string[]) => new Gauge({ name, help, labelNames: ['migration', ...labels, ...user], registers: [registry] });
  const counter = (name: string, help: string, labels: string[]) => new Counter({ name, help, labelNames: ['migration', ...labels, ...user], registers: [registry] });
  return {
    runnerStatus: gauge('mig_runner_status', 'What the runner does: 1 for the current status, 0 for the others.', ['status']),
    tablePhase: gauge('mig_table_phase', "A table's phase: 1 for the current one, 0 for the others (backfill: copied again while the stream runs).", ['table', 'phase']),
    rowsCopied: counter('mig_rows_copied_total', 'Rows copied by the full load or backfill and acknowledged by the destination (starts again at 0 when the table is copied again).', ['table']),
    rowsEstimated: gauge('mig_rows_estimated', "The source's row estimate for the table when its copy started (information_schema).", ['table']),
    changeEvents: counter('mig_change_events_total', 'Change events (rows and DDL of migrated tables): read from the source, written (durable at the destination), filtered, skipped.', ['kind']),
    lag: gauge('mig_lag_seconds', 'Source time now minus the commit time of the newest change the destination holds; basis: heartbeat rows or the last change.', ['basis']),
    readingTime: gauge('mig_progress_timestamp_seconds', 'When the reading these numbers come from was taken (Unix time); a stale one means the runner stopped reporting.', []),
    retrying: gauge('mig_retrying', '1 while the migration is in an outage being retried, else 0.', []),
    retries: counter('mig_retries_total', 'Attempts retried after a retryable failure, by retry window.', ['window']),
    failures: counter('mig_run_failures_total', 'Runs that failed for good: a failure no retry window covers, or a window that ran out.', []),
    fullSourceQps: gauge('mig_throttle_full_source_queries_per_second', 'spec.throttle.full.sourceQps: chunk reads per second allowed against the source.', []),
    fullRows: gauge('mig_throttle_full_rows_per_second', 'spec.throttle.full.rowsPerSecond: rows per second the full load may write.', []),
    fullBytes: gauge('mig_throttle_full_bytes_per_second', 'spec.throttle.full.mbPerSecond in bytes: row data per second the full load may write.', []),
    incrementalRows: gauge('mig_throttle_incremental_rows_per_second', 'spec.throttle.incremental.rowsPerSecond: row changes per second the stream may write.', []),
    incrementalBytes: gauge('mig_throttle_incremental_bytes_per_second', 'spec.throttle.incremental.mbPerSecond in bytes: change data per second the stream may write.', []),
  };
}

function fill(m: ReturnType<typeof buildMetrics>, s: Seen, base: Labels): void {
  for (const status of RUNNER_STATUSES) m.runnerStatus.set({ ...base, status }, status === s.status ? 1 : 0);
  m.retrying.set(base, s.retrying ? 1 : 0);
  for (const window of WINDOWS) m.retries.inc({ ...base, window }, s.retries[window]);
  m.failures.inc(base, s.failures);
  const p = s.progress;
  if (!p) return;
  for (const t of p.tables) {
    const at = { ...base, table: t.table };
    for (const phase of PHASES) m.tablePhase.set({ ...at, phase }, phase === t.phase ? 1 : 0);
    m.rowsCopied.inc(at, t.rowsCopied);
    if (t.estimatedRows !== null) m.rowsEstimated.set(at, t.estimatedRows);
  }
  for (const kind of KINDS) m.changeEvents.inc({ ...base, kind }, p.events[kind]);
  // No lag before the first durable change: an absent series, not a made-up 0.
  if (p.lag.seconds !== null) m.lag.set({ ...base, basis: p.lag.basis }, p.lag.seconds);
  m.readingTime.set(base, Date.parse(p.at) / 1000);
  const t = p.throttle;
  const mb = (v: number | undefined) => (v === undefined ? undefined : v * 1e6);
  const limits: [Gauge, number | undefined][] = [
    [m.fullSourceQps, t?.full?.sourceQps],
    [m.fullRows, t?.full?.rowsPerSecond],
    [m.fullBytes, mb(t?.full?.mbPerSecond)],
    [m.incrementalRows, t?.incremental?.rowsPerSecond],
    [m.incrementalBytes, mb(t?.incremental?.mbPerSecond)],
  ];
  for (const [g, v] of limits) if (v !== undefined) g.set(base, v);
}
