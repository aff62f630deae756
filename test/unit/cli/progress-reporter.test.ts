import { describe, expect, it } from 'vitest';
import { RunOutput, durationMs, eventJson, outputMode } from '../../../src/cli/views/progress-reporter.js';
import { resultOf } from '../../../src/cli/views/progress-result.js';
import { ProgressTracker } from '../../../src/cli/views/progress-tracker.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import type { MigrationProgress } from '../../../src/model/progress.js';
import type { State } from '../../../src/state/model.js';

function fakeStream(isTTY = false) {
  const chunks: string[] = [];
  const stream = { isTTY, columns: 120, rows: 40, write: (s: string) => { chunks.push(s); return true; } };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

const T0 = Date.parse('2026-12-05T08:40:00.000Z');

function reading(at: number, rowsCopied: number, extra: Partial<MigrationProgress> = {}): MigrationProgress {
  return {
    migration: 'shop', labels: {}, runner: 'loading',
    tables: [{ table: 'inventory.stock_movements', target: 'shop', phase: 'full', rowsCopied, estimatedRows: 497_586 }],
    rows: { copied: rowsCopied, estimated: 497_586 }, events: { read: 0, written: 0, filtered: 0, skipped: 0 },
    lag: { seconds: null, basis: 'last-event' }, at: new Date(at).toISOString(), ...extra,
  };
}

const start: ApplyEvent = { type: 'table-start', migration: 'shop', table: 'inventory.stock_movements', resumeFrom: 0, estimatedRows: 497_586 };

describe('outputMode', () => {
  it('live only for text on a terminal', () => {
    expect(outputMode({ json: false, format: 'text', isTTY: true })).toBe('live');
    expect(outputMode({ json: false, format: 'text', isTTY: false })).toBe('lines');
    expect(outputMode({ json: false, format: 'json', isTTY: true })).toBe('lines');
    expect(outputMode({ json: true, format: 'text', isTTY: true })).toBe('json');
  });
});

describe('without a terminal', () => {
  it('prints timestamped event lines and a progress line per table every interval, no escape codes', () => {
    let now = T0;
    const out = fakeStream(false);
    const o = new RunOutput({ json: false, level: 'info', format: 'text', color: true, progressIntervalMs: 5000, stdout: out.stream, stderr: fakeStream().stream, env: {}, now: () => now });
    o.hook(start);
    for (let s = 1; s <= 11; s++) {
      now = T0 + s * 1000;
      o.hook({ type: 'progress', migration: 'shop', progress: reading(now, s * 18_900), final: false });
    }
    now = T0 + 12_000;
    o.hook({ type: 'table-done', migration: 'shop', table: 'inventory.stock_movements', rows: 497_586, seconds: 12 });
    o.hook({ type: 'progress', migration: 'shop', progress: reading(now, 497_586), final: true });
    o.close();
    const lines = out.text().trimEnd().split('\n');
    expect(out.text()).not.toContain('\u001b[');
    expect(lines).toEqual([
      '2026-12-05T08:40:00.000Z info shop: inventory.stock_movements: full load (~497,586 rows)',
      '2026-12-05T08:40:06.000Z info shop: inventory.stock_movements 113,400/497,586 rows (23%) 18,900 rows/s ETA 21 s',
      '2026-12-05T08:40:11.000Z info shop: inventory.stock_movements 207,900/497,586 rows (42%) 18,900 rows/s ETA 16 s',
      '2026-12-05T08:40:12.000Z info shop: inventory.stock_movements: 497,586 rows in 12.0 s (41,466 rows/s)',
      '2026-12-05T08:40:12.000Z info shop: 497,586 row(s) copied',
    ]);
  });

  it('--progress-interval 0 prints no progress lines; --log-level warn hides info', () => {
    let now = T0;
    const out = fakeStream(false);
    const o = new RunOutput({ json: false, level: 'warn', format: 'text', color: false, progressIntervalMs: 5000, stdout: out.stream, env: {}, now: () => now });
    o.hook(start);
    o.hook({ type: 'table-warning', migration: 'shop', table: 't', message: 'no key' });
    now += 10_000;
    o.hook({ type: 'progress', migration: 'shop', progress: reading(now, 5), final: false });
    expect(out.text().trimEnd().split('\n')).toEqual(['2026-12-05T08:40:00.000Z warn shop: t: warning: no key']);
    const quiet = fakeStream(false);
    const q = new RunOutput({ json: false, level: 'info', format: 'text', color: false, progressIntervalMs: 0, stdout: quiet.stream, env: {}, now: () => now });
    for (let s = 0; s < 20; s++) q.hook({ type: 'progress', migration: 'shop', progress: reading((now += 1000), s * 10), final: false });
    expect(quiet.text()).toBe('');
  });

  it('--log-format json: every line an object with the event and its fields', () => {
    let now = T0;
    const out = fakeStream(true);
    const o = new RunOutput({ json: false, level: 'info', format: 'json', color: true, progressIntervalMs: 2000, stdout: out.stream, env: {}, now: () => now });
    o.hook(start);
    for (let s = 1; s <= 3; s++) o.hook({ type: 'progress', migration: 'shop', progress: reading((now = T0 + s * 1000), s * 1000), final: false });
    const objs = out.text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs[0]).toEqual({ time: '2026-12-05T08:40:00.000Z', level: 'info', migration: 'shop', event: 'table-start', msg: 'shop: inventory.stock_movements: full load (~497,586 rows)', table: 'inventory.stock_movements', resumeFrom: 0, estimatedRows: 497_586 });
    expect(objs[1]).toMatchObject({ level: 'info', migration: 'shop', event: 'progress', table: 'inventory.stock_movements', rows: 3000, estimatedRows: 497_586, percent: 1, rowsPerSecond: 1000 });
    expect(out.text()).not.toContain('\u001b[');
  });
});

describe('--json', () => {
  it('writes every event as a JSON line with its time on stdout; the log goes to stderr', () => {
    let now = T0;
    const out = fakeStream(true);
    const err = fakeStream(false);
    const o = new RunOutput({ json: true, level: 'info', format: 'text', color: true, progressIntervalMs: 1000, stdout: out.stream, stderr: err.stream, env: {}, now: () => now });
    o.hook(start);
    now += 1000;
    o.hook({ type: 'progress', migration: 'shop', progress: reading(now, 100), final: false });
    o.hook({ type: 'topic-known', migration: 'shop', topic: 'shop', partitions: 1 });
    o.emit({ type: 'result', ok: true });
    const objs = out.text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.map((x) => x.type)).toEqual(['table-start', 'progress', 'topic-known', 'result']);
    expect(objs[0]).toEqual({ time: '2026-12-05T08:40:00.000Z', ...start });
    expect((objs[1]!.progress as MigrationProgress).tables[0]!.rowsCopied).toBe(100);
    expect(objs[3]).toEqual({ time: '2026-12-05T08:40:01.000Z', type: 'result', ok: true });
    expect(err.text()).toContain('info shop: inventory.stock_movements: full load');
    expect(out.text()).not.toContain('\u001b[');
  });

  it('bigints in an event become strings', () => {
    const e = { type: 'change-applied', migration: 'm', summary: 's', ts: 1n } as unknown as ApplyEvent;
    expect(eventJson(e, new Date(T0))).toBe('{"time":"2026-12-05T08:40:00.000Z","type":"change-applied","migration":"m","summary":"s","ts":"1"}');
  });

  it('the result: serial, recorded generations and each migration\'s last reading', () => {
    const latest = new Map([['shop', reading(T0, 497_586)]]);
    const state = { serial: 7, migrations: { shop: {}, other: {} } } as unknown as State;
    const r = resultOf(state, latest, { ok: true, recorded: [{ migration: 'shop', generation: 2 }], only: new Set(['shop']) });
    expect(r).toEqual({ type: 'result', ok: true, serial: 7, interrupted: false, recorded: [{ migration: 'shop', generation: 2 }], migrations: { shop: { progress: latest.get('shop') } } });
  });
});

describe('ProgressTracker', () => {
  it('tables are active from their start to their done; the stream from start to stop; a final reading ends the run', () => {
    const t = new ProgressTracker();
    t.observe(start);
    t.observe({ type: 'progress', migration: 'shop', progress: reading(T0, 0), final: false });
    t.observe({ type: 'progress', migration: 'shop', progress: reading(T0 + 2000, 20_000), final: false });
    expect(t.figures('shop')!.tables[0]).toMatchObject({ rows: 20_000, estimate: 497_586, percent: 4, rowsPerSecond: 10_000, etaSeconds: 48 });
    t.observe({ type: 'chunk', migration: 'shop', table: 'inventory.stock_movements', rows: 5000, total: 25_000 });
    expect(t.figures('shop')!.tables[0]!.rows).toBe(25_000);
    t.observe({ type: 'table-done', migration: 'shop', table: 'inventory.stock_movements', rows: 497_586, seconds: 20 });
    expect(t.figures('shop')!.tables).toEqual([]);
    expect(t.figures('shop')!.stream).toBeUndefined();
    t.observe({ type: 'stream-start', migration: 'shop', from: { file: 'b.1', pos: 4 } });
    const events = (written: number) => ({ read: written, written, filtered: 0, skipped: 0 });
    t.observe({ type: 'progress', migration: 'shop', progress: reading(T0 + 3000, 0, { runner: 'streaming', events: events(0), tables: [] }), final: false });
    t.observe({ type: 'progress', migration: 'shop', progress: reading(T0 + 5000, 0, { runner: 'streaming', events: events(2408), tables: [], checkpoint: 'b.1:99' }), final: false });
    expect(t.figures('shop')!.stream).toMatchObject({ written: 2408, writtenPerSecond: 1204, checkpoint: 'b.1:99' });
    t.observe({ type: 'progress', migration: 'shop', progress: reading(T0 + 6000, 0, { runner: 'stopped', events: events(2408), tables: [] }), final: true });
    expect(t.figures('shop')).toMatchObject({ ended: true, tables: [] });
    expect(t.figures('shop')!.stream).toBeUndefined();
    expect(t.latest().get('shop')!.runner).toBe('stopped');
  });

  it('a retrying runner shows its retry state even before the stream started', () => {
    const t = new ProgressTracker();
    const retry = { since: '2026-12-05T08:00:00.000Z', attempts: 2, window: 'connection' as const, until: '2026-12-05T20:00:00.000Z', lastError: { code: 'x', message: 'down' } };
    t.observe({ type: 'progress', migration: 'shop', progress: reading(T0, 0, { runner: 'retrying', retry, tables: [] }), final: false });
    expect(t.figures('shop')!.stream?.retry).toEqual(retry);
  });
});

describe('durationMs', () => {
  it('reads 5s, 500ms, 2m, 1h and bare seconds; refuses anything else naming the flag', () => {
    expect(durationMs('5s', 'x')).toBe(5000);
    expect(durationMs('500ms', 'x')).toBe(500);
    expect(durationMs('2m', 'x')).toBe(120_000);
    expect(durationMs('1h', 'x')).toBe(3_600_000);
    expect(durationMs('3', 'x')).toBe(3000);
    expect(() => durationMs('soon', 'progress-interval')).toThrow('--progress-interval soon: not a duration');
  });
});

describe('--log-level debug', () => {
  it('adds a line per chunk and per checkpoint, with thousands separators', () => {
    const out = fakeStream(false);
    const o = new RunOutput({ json: false, level: 'debug', format: 'text', color: false, progressIntervalMs: 0, stdout: out.stream, env: {}, now: () => T0 });
    o.hook({ type: 'chunk', migration: 'shop', table: 'inventory.stock_movements', rows: 5000, total: 215_000 });
    o.hook({ type: 'stream-progress', migration: 'shop', events: 50_111, checkpoint: { file: 'mysql-bin.000003', pos: 12345 } });
    expect(out.text().trimEnd().split('\n')).toEqual([
      '2026-12-05T08:40:00.000Z debug shop: inventory.stock_movements: chunk of 5,000 rows, 215,000 in all',
      '2026-12-05T08:40:00.000Z debug shop: checkpoint mysql-bin.000003:12345 after 50,111 change(s)',
    ]);
  });
});
