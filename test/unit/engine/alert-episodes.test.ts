import { describe, expect, it } from 'vitest';
import { AlertEpisodes, type AlertNotice } from '../../../src/engine/alert-episodes.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import type { MigrationProgress } from '../../../src/model/progress.js';
import type { Alert } from '../../../src/spec/schema-observe.js';

const M = 'shop';
const LABELS = { env: 'prod' };

function progress(lag: number | null): ApplyEvent {
  const p: MigrationProgress = {
    migration: M, labels: LABELS, runner: 'streaming', tables: [], rows: { copied: 0, estimated: 0 },
    events: { read: 0, written: 0, filtered: 0, skipped: 0 }, lag: { seconds: lag, basis: 'last-event' }, at: new Date(0).toISOString(),
  };
  return { type: 'progress', migration: M, progress: p, final: false };
}

const failed: ApplyEvent = { type: 'run-failed', migration: M, code: 'kafka-unreachable', message: 'Kafka at 127.0.0.1:9092 did not answer', fix: 'start the broker', windowExhausted: true, willRetry: true };
const streaming: ApplyEvent = { type: 'stream-start', migration: M, from: { file: 'b.000001', pos: 4 } };

/** Feeds lag readings one second apart from `t0` (s), returning every notice with its time. */
function feed(ep: AlertEpisodes, lags: (number | null)[], t0 = 0): { t: number; n: AlertNotice }[] {
  return lags.flatMap((lag, i) => ep.observe(progress(lag), (t0 + i) * 1000).map((n) => ({ t: t0 + i, n })));
}

function episodes(alerts: Alert[]): AlertEpisodes {
  const ep = new AlertEpisodes();
  expect(ep.configure(alerts, LABELS, 0)).toEqual([]);
  return ep;
}

const lagAlert: Alert = { on: 'lag', thresholdSeconds: 5, forSeconds: 3, webhook: '${env:HOOK}' };
const failureAlert: Alert = { on: 'failure', webhook: '${env:HOOK}', name: 'pager' };

describe('lag alerts', () => {
  it('fire once lag has stayed over the threshold for forSeconds, once per episode, and resolve when back under', () => {
    const ep = episodes([lagAlert]);
    // Over from t=2; 3 s later (t=5) it fires, with startsAt at t=2; it stays firing silently until t=9.
    const got = feed(ep, [1, 4, 6, 7, 8, 9, 12, 20, 30, 2, 1]);
    expect(got.map(({ t, n }) => [t, n.status, n.startsAt / 1000, n.value])).toEqual([
      [5, 'firing', 2, { lagSeconds: 9 }],
      [9, 'resolved', 2, { lagSeconds: 2 }],
    ]);
    expect(got[0]!.n.labels).toEqual(LABELS);
    expect(ep.firing()).toEqual([]);
  });

  it('does not fire when lag dips under the threshold before forSeconds (flapping), and starts counting again', () => {
    const ep = episodes([lagAlert]);
    // Over for 2 readings, under, over for 3, under: never 3 s over in a row.
    expect(feed(ep, [6, 7, 8, 1, 6, 7, 8, 2, 9, 9])).toEqual([]);
    // Then over long enough: fires 3 s after the stretch began (t=8 → t=11).
    const got = feed(ep, [9, 9, 9], 10);
    expect(got.map(({ t, n }) => [t, n.status, n.startsAt / 1000])).toEqual([[11, 'firing', 8]]);
  });

  it('treats lag equal to the threshold as under, and no reading as neither', () => {
    const ep = episodes([{ ...lagAlert, forSeconds: 0 }]);
    expect(feed(ep, [5, 5, null])).toEqual([]);
    const got = feed(ep, [5.1, null, null, 5], 3);
    expect(got.map(({ t, n }) => [t, n.status])).toEqual([[3, 'firing'], [6, 'resolved']]);
  });

  it('waits the default 60 s when forSeconds is not set', () => {
    const ep = episodes([{ on: 'lag', thresholdSeconds: 1, webhook: '${env:HOOK}' }]);
    expect(feed(ep, Array(60).fill(10))).toEqual([]);
    expect(feed(ep, [10], 60).map(({ n }) => n.status)).toEqual(['firing']);
  });

  it('fires again for a second episode after one was resolved', () => {
    const ep = episodes([{ ...lagAlert, forSeconds: 1 }]);
    const got = feed(ep, [9, 9, 9, 1, 9, 9, 9, 0]);
    expect(got.map(({ t, n }) => [t, n.status])).toEqual([[1, 'firing'], [3, 'resolved'], [5, 'firing'], [7, 'resolved']]);
  });
});

describe('failure alerts', () => {
  it('fire on run-failed once per episode and resolve once the migration works again', () => {
    const ep = episodes([failureAlert]);
    const fired = ep.observe(failed, 1000);
    expect(fired.map((n) => [n.status, n.value])).toEqual([['firing', { code: 'kafka-unreachable', message: 'Kafka at 127.0.0.1:9092 did not answer', fix: 'start the broker' }]]);
    // A standing runner failing again before it ran: the same episode.
    expect(ep.observe({ ...failed, code: 'other' }, 2000)).toEqual([]);
    expect(ep.observe(progress(100), 3000)).toEqual([]);
    const resolved = ep.observe(streaming, 61_000);
    expect(resolved.map((n) => [n.status, n.startsAt, n.at])).toEqual([['resolved', 1000, 61_000]]);
    expect(ep.observe(streaming, 62_000)).toEqual([]);
    // A later failure is a new episode.
    expect(ep.observe(failed, 70_000).map((n) => n.status)).toEqual(['firing']);
    expect(ep.observe({ type: 'runner-recovered', migration: M, attempts: 2, seconds: 4 }, 71_000).map((n) => n.status)).toEqual(['resolved']);
  });

  it('ignore retries and events that do not show the migration working', () => {
    const ep = episodes([failureAlert]);
    expect(ep.observe({ type: 'runner-retry', migration: M, code: 'x', message: 'y', window: 'connection', attempt: 1, since: '', until: '', retryInSeconds: 1 }, 0)).toEqual([]);
    expect(ep.observe(streaming, 0)).toEqual([]);
    ep.observe(failed, 1);
    expect(ep.observe({ type: 'lease', migration: M, event: 'released' }, 2)).toEqual([]);
    expect(ep.firing()).toHaveLength(1);
  });
});

describe('a failure an earlier process left', () => {
  it('is taken up as firing without sending it again, and resolved once the migration works', () => {
    const ep = episodes([failureAlert, lagAlert]);
    ep.carryOver({ code: 'kafka-unreachable', message: 'gone' }, 500);
    expect(ep.observe(failed, 1000)).toEqual([]);
    const resolved = ep.observe(streaming, 9000);
    expect(resolved.map((n) => [n.status, n.alert.on, n.startsAt, n.value])).toEqual([['resolved', 'failure', 500, { code: 'kafka-unreachable', message: 'gone' }]]);
  });
});

describe('a spec that changes', () => {
  it('resolves an alert that is firing when the spec drops it, and watches new ones from then on', () => {
    const ep = episodes([failureAlert, lagAlert]);
    ep.observe(failed, 1000);
    const changed = ep.configure([lagAlert], LABELS, 5000);
    expect(changed.map((n) => [n.status, n.alert.on, n.removed])).toEqual([['resolved', 'failure', true]]);
    expect(ep.observe(failed, 6000)).toEqual([]);
    // An edited threshold is a new alert: it counts from its own start.
    expect(ep.configure([{ ...lagAlert, thresholdSeconds: 50 }], LABELS, 7000)).toEqual([]);
    expect(feed(ep, [40, 40, 40, 40, 40], 8)).toEqual([]);
  });
});
