// The metrics registry as Prometheus reads it: events in, exposition text out. Every number comes
// from the latest progress reading (one set of counters, the engine's), retries and failures from
// the runner's events; every migration series carries the spec's metadata.labels.
import { describe, expect, it } from 'vitest';
import { MigMetrics } from '../../../src/cli/metrics.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import type { MigrationProgress } from '../../../src/model/progress.js';
import { parseExposition, sample, samples } from '../../support/exposition.js';

function reading(over: Partial<MigrationProgress> = {}): MigrationProgress {
  return {
    migration: 'shop-to-kafka',
    labels: { env: 'prod', team: 'orders' },
    runner: 'loading',
    tables: [
      { table: 'shop.orders', target: 'shop', phase: 'full', rowsCopied: 40_000, estimatedRows: 100_000 },
      { table: 'shop.users', target: 'shop', phase: 'pending', rowsCopied: 0, estimatedRows: null },
    ],
    rows: { copied: 40_000, estimated: 100_000 },
    events: { read: 12, written: 9, filtered: 2, skipped: 1 },
    lag: { seconds: 3.5, basis: 'last-event' },
    at: '2026-12-05T08:00:00.000Z',
    ...over,
  };
}

const progress = (p: MigrationProgress, final = false): ApplyEvent => ({ type: 'progress', migration: p.migration, progress: p, final });

async function scrape(m: MigMetrics) {
  return parseExposition(await m.render());
}

describe('MigMetrics', () => {
  it('shows exactly the numbers of the latest progress reading, labelled by migration, table and the spec labels', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading()));
    const s = await scrape(m);
    const base = { migration: 'shop-to-kafka', env: 'prod', team: 'orders' };
    expect(sample(s, 'mig_rows_copied_total', { ...base, table: 'shop.orders' })).toBe(40_000);
    expect(sample(s, 'mig_rows_copied_total', { ...base, table: 'shop.users' })).toBe(0);
    expect(sample(s, 'mig_rows_estimated', { ...base, table: 'shop.orders' })).toBe(100_000);
    // No estimate before a copy starts: no series rather than a made-up 0.
    expect(samples(s, 'mig_rows_estimated').filter((x) => x.labels.table === 'shop.users')).toEqual([]);
    for (const [kind, v] of Object.entries({ read: 12, written: 9, filtered: 2, skipped: 1 })) {
      expect(sample(s, 'mig_change_events_total', { ...base, kind }), kind).toBe(v);
    }
    expect(sample(s, 'mig_lag_seconds', { ...base, basis: 'last-event' })).toBe(3.5);
    expect(sample(s, 'mig_progress_timestamp_seconds', base)).toBe(Date.parse('2026-12-05T08:00:00.000Z') / 1000);
    // Every series, not only these, names its migration and carries the spec's labels exactly.
    for (const x of s.samples) expect(x.labels, x.name).toMatchObject(base);
  });

  it('declares counters as counters and the rest as gauges', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading()));
    const s = await scrape(m);
    expect(s.types.get('mig_rows_copied_total')).toBe('counter');
    expect(s.types.get('mig_change_events_total')).toBe('counter');
    expect(s.types.get('mig_retries_total')).toBe('counter');
    expect(s.types.get('mig_run_failures_total')).toBe('counter');
    expect(s.types.get('mig_lag_seconds')).toBe('gauge');
    expect(s.types.get('mig_runner_status')).toBe('gauge');
  });

  it('a later reading replaces the earlier one: counters follow the engine, phases and status are one-hot', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading()));
    m.onEvent(progress(reading({
      runner: 'streaming',
      tables: [
        { table: 'shop.orders', target: 'shop', phase: 'incremental', rowsCopied: 100_012, estimatedRows: 100_000 },
        { table: 'shop.users', target: 'shop', phase: 'backfill', rowsCopied: 7, estimatedRows: 10 },
      ],
      events: { read: 50, written: 47, filtered: 2, skipped: 1 },
    }), true));
    const s = await scrape(m);
    expect(sample(s, 'mig_rows_copied_total', { table: 'shop.orders' })).toBe(100_012);
    expect(sample(s, 'mig_change_events_total', { kind: 'written' })).toBe(47);
    const status = samples(s, 'mig_runner_status');
    expect(status.filter((x) => x.value === 1).map((x) => x.labels.status)).toEqual(['streaming']);
    expect(status.map((x) => x.labels.status).sort()).toEqual(['failed', 'loading', 'not-running', 'reconciling', 'retrying', 'starting', 'stopped', 'streaming']);
    const phases = (table: string) => samples(s, 'mig_table_phase').filter((x) => x.labels.table === table);
    expect(phases('shop.orders').filter((x) => x.value === 1).map((x) => x.labels.phase)).toEqual(['incremental']);
    expect(phases('shop.users').filter((x) => x.value === 1).map((x) => x.labels.phase)).toEqual(['backfill']);
    expect(phases('shop.users')).toHaveLength(5);
  });

  it('no lag series before the destination holds a change', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading({ lag: { seconds: null, basis: 'heartbeat' } })));
    expect(samples(await scrape(m), 'mig_lag_seconds')).toEqual([]);
  });

  it('counts retries by window and failures; retrying follows the outage', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading()));
    const retry = (window: 'connection' | 'other', attempt: number): ApplyEvent => ({
      type: 'runner-retry', migration: 'shop-to-kafka', code: 'kafka-unreachable', message: 'cannot reach the Kafka brokers', window, attempt,
      since: '2026-12-05T08:00:01.000Z', until: '2026-12-05T20:00:01.000Z', retryInSeconds: 1,
    });
    m.onEvent(retry('connection', 1));
    m.onEvent(retry('connection', 2));
    m.onEvent(retry('other', 3));
    let s = await scrape(m);
    expect(sample(s, 'mig_retries_total', { window: 'connection' })).toBe(2);
    expect(sample(s, 'mig_retries_total', { window: 'other' })).toBe(1);
    expect(sample(s, 'mig_retrying', {})).toBe(1);
    // No reading comes while a run waits to retry: the status says so from the event.
    expect(sample(s, 'mig_runner_status', { status: 'retrying' })).toBe(1);
    expect(sample(s, 'mig_run_failures_total', {})).toBe(0);

    m.onEvent({ type: 'runner-recovered', migration: 'shop-to-kafka', attempts: 3, seconds: 12 });
    m.onEvent(progress(reading({ runner: 'streaming' })));
    s = await scrape(m);
    expect(sample(s, 'mig_retrying', {})).toBe(0);
    expect(sample(s, 'mig_retries_total', { window: 'connection' })).toBe(2);

    m.onEvent({ type: 'run-failed', migration: 'shop-to-kafka', code: 'binlog-purged', message: 'the binlog was purged', windowExhausted: false, willRetry: true });
    s = await scrape(m);
    expect(sample(s, 'mig_run_failures_total', {})).toBe(1);
    expect(sample(s, 'mig_runner_status', { status: 'failed' })).toBe(1);
    expect(sample(s, 'mig_runner_status', { status: 'streaming' })).toBe(0);
  });

  it('a reading with an outage in it is retrying', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading({
      runner: 'starting',
      retry: { since: '2026-12-05T08:00:01.000Z', attempts: 2, window: 'connection', until: '2026-12-05T20:00:01.000Z', lastError: { code: 'x', message: 'y' } },
    })));
    expect(sample(await scrape(m), 'mig_retrying', {})).toBe(1);
  });

  it('shows the throttles the run applies, megabytes as bytes, and none when the spec sets none', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading({ throttle: { full: { sourceQps: 50, mbPerSecond: 2 }, incremental: { rowsPerSecond: 5000 } } })));
    let s = await scrape(m);
    expect(sample(s, 'mig_throttle_full_source_queries_per_second', {})).toBe(50);
    expect(sample(s, 'mig_throttle_full_bytes_per_second', {})).toBe(2_000_000);
    expect(sample(s, 'mig_throttle_incremental_rows_per_second', {})).toBe(5000);
    expect(samples(s, 'mig_throttle_full_rows_per_second')).toEqual([]);
    m.onEvent(progress(reading()));
    s = await scrape(m);
    expect(s.samples.filter((x) => x.name.startsWith('mig_throttle_'))).toEqual([]);
  });

  it('migrations with different labels: each series carries its own, none borrows another', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading()));
    m.onEvent(progress(reading({ migration: 'billing', labels: { env: 'staging', cost_center: 'c42' }, tables: [] })));
    const s = await scrape(m);
    const status = (migration: string) => samples(s, 'mig_runner_status').find((x) => x.labels.migration === migration && x.labels.status === 'loading')!.labels;
    expect(status('shop-to-kafka')).toEqual({ migration: 'shop-to-kafka', status: 'loading', env: 'prod', team: 'orders' });
    expect(status('billing')).toEqual({ migration: 'billing', status: 'loading', env: 'staging', cost_center: 'c42' });
  });

  it('drops a spec label that would overwrite one mig sets (a state from before validation refused it)', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading({ labels: { table: 'x', migration: 'evil', __name__: 'y', 'bad-name': 'z', env: 'prod' } })));
    const s = await scrape(m);
    expect(sample(s, 'mig_rows_copied_total', { migration: 'shop-to-kafka', table: 'shop.orders', env: 'prod' })).toBe(40_000);
    for (const x of s.samples) expect(Object.keys(x.labels)).not.toContain('bad-name');
  });

  it('escapes label values as the text format requires', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading({ labels: { note: 'a "quoted"\\ value\nwith a newline' } })));
    const s = await scrape(m);
    expect(sample(s, 'mig_retrying', { note: 'a "quoted"\\ value\nwith a newline' })).toBe(0);
  });

  it('forgets a migration removed from the state', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    m.onEvent(progress(reading()));
    m.onEvent({ type: 'generation', migration: 'shop-to-kafka', generation: 3, event: 'removed' });
    expect((await scrape(m)).samples.filter((x) => x.name.startsWith('mig_'))).toEqual([]);
  });

  it('wrap passes every event on, and a bad event never stops the run', async () => {
    const m = new MigMetrics({ defaultMetrics: false });
    const seen: string[] = [];
    const hook = m.wrap((e) => seen.push(e.type));
    hook(progress(reading()));
    hook({ type: 'migration-done', migration: 'shop-to-kafka' });
    // A malformed reading (no tables) throws inside the metrics; the hook still passes it on.
    hook({ type: 'progress', migration: 'x', progress: undefined as unknown as MigrationProgress, final: false });
    expect(seen).toEqual(['progress', 'migration-done', 'progress']);
  });

  it("adds prom-client's process metrics: memory, CPU, event loop", async () => {
    const m = new MigMetrics();
    const s = await scrape(m);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(s.types.has(name), name).toBe(true);
    }
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
