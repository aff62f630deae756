import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alertBody, webhookOrigin } from '../../../src/engine/alert-body.js';
import type { AlertNotice } from '../../../src/engine/alert-episodes.js';
import { postWebhook } from '../../../src/engine/alert-webhook.js';
import { alertingHook } from '../../../src/engine/alerts.js';
import type { ApplyEvent } from '../../../src/model/events.js';
import type { MigrationProgress } from '../../../src/model/progress.js';
import { MigrationDoc, type Migration } from '../../../src/spec/schema.js';

const SECRET_PATH = '/services/T000/B000/s3cr3tT0k3n';
const HOOK = `https://hooks.example.com${SECRET_PATH}?token=abc`;

function spec(alerts: unknown[]): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1', kind: 'Migration',
    metadata: { name: 'shop', labels: { env: 'prod', team: 'data' } },
    spec: {
      source: { type: 'mysql', host: '127.0.0.1', user: 'root' },
      destination: { type: 'kafka', brokers: ['127.0.0.1:9092'], topic: 'shop' },
      objects: [{ database: 'shop' }],
      alerts,
    },
  });
}

function progress(lag: number): ApplyEvent {
  const p: MigrationProgress = {
    migration: 'shop', labels: { env: 'prod', team: 'data' }, runner: 'streaming', tables: [], rows: { copied: 0, estimated: 0 },
    events: { read: 0, written: 0, filtered: 0, skipped: 0 }, lag: { seconds: lag, basis: 'last-event' }, at: new Date(0).toISOString(),
  };
  return { type: 'progress', migration: 'shop', progress: p, final: false };
}

const failed: ApplyEvent = { type: 'run-failed', migration: 'shop', code: 'kafka-unreachable', message: 'the brokers 127.0.0.1:9092 did not answer\n  for 5 s', fix: 'start Kafka', windowExhausted: true, willRetry: false };

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

describe('alert bodies', () => {
  const lag: AlertNotice = {
    status: 'firing', alert: { on: 'lag', thresholdSeconds: 30, forSeconds: 60, webhook: '${env:HOOK}', name: 'behind' }, key: 'k',
    startsAt: T0, at: T0 + 60_000, value: { lagSeconds: 95.4 }, labels: { env: 'prod' },
  };

  it('carry the status, alert, labels, value, threshold and times, and a one-line text for a channel', () => {
    const b = alertBody('shop', lag);
    expect(b).toEqual({
      status: 'firing',
      alert: { name: 'behind', on: 'lag' },
      migration: 'shop',
      labels: { env: 'prod' },
      what: 'shop is 95.4 s behind its source, over the 30 s threshold for 1 min',
      value: { lagSeconds: 95.4 },
      threshold: { seconds: 30, forSeconds: 60 },
      startsAt: '2026-01-02T03:04:05.000Z',
      at: '2026-01-02T03:05:05.000Z',
      text: '[FIRING] behind (env=prod): shop is 95.4 s behind its source, over the 30 s threshold for 1 min',
    });
    const r = alertBody('shop', { ...lag, status: 'resolved', at: T0 + 200_000, value: { lagSeconds: 0.4 } });
    expect(r.text).toBe('[RESOLVED] behind (env=prod): shop is back to 0.4 s behind its source, under the 30 s threshold, after 3 min 20 s over it');
  });

  it('say what failed with the code, message and fix, on one line, without the webhook', () => {
    const n: AlertNotice = { status: 'firing', alert: { on: 'failure', webhook: '${env:HOOK}' }, key: 'k', startsAt: T0, at: T0, value: { code: 'kafka-unreachable', message: failed.type === 'run-failed' ? failed.message : '', fix: 'start Kafka' }, labels: {} };
    const b = alertBody('shop', n);
    expect(b.threshold).toBeNull();
    // The engine's own "shop: " prefix is not repeated after "shop failed".
    expect(alertBody('shop', { ...n, value: { code: 'c', message: 'shop: gave up' } }).what).toBe('shop failed (c): gave up');
    expect(b.text).toBe('[FIRING] failure: shop failed (kafka-unreachable): the brokers 127.0.0.1:9092 did not answer for 5 s; fix: start Kafka');
    expect(b.value).toEqual({ code: 'kafka-unreachable', message: 'the brokers 127.0.0.1:9092 did not answer for 5 s', fix: 'start Kafka' });
    expect(alertBody('shop', { ...n, status: 'resolved', at: T0 + 125_000 }).what).toBe('shop is running again, 2 min 5 s after it failed (kafka-unreachable)');
    expect(JSON.stringify(b)).not.toContain('HOOK');
  });

  it('show a webhook as its scheme and host only', () => {
    expect(webhookOrigin(HOOK)).toBe('https://hooks.example.com');
    expect(webhookOrigin('http://user:pw@127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080');
    expect(webhookOrigin('not a url')).toBe('an invalid URL');
  });
});

/** A fetch that answers with the statuses given, in turn, recording each request. */
function fakeFetch(statuses: (number | 'refused')[]): { fetch: typeof fetch; calls: { url: string; body: Record<string, unknown> }[] } {
  const calls: { url: string; body: Record<string, unknown> }[] = [];
  let i = 0;
  const f = async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), body: JSON.parse(String(init?.body)) as Record<string, unknown> });
    const s = statuses[Math.min(i++, statuses.length - 1)]!;
    if (s === 'refused') throw new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNREFUSED ${String(input)}`), { code: 'ECONNREFUSED' }) });
    return new Response('', { status: s });
  };
  return { fetch: f as typeof fetch, calls };
}

describe('alertingHook', () => {
  it('passes every event on, posts firing then resolved in order, and reports what was sent', async () => {
    const events: ApplyEvent[] = [];
    const { fetch, calls } = fakeFetch([503, 200]);
    let now = T0;
    const m = spec([{ on: 'failure', webhook: '${env:HOOK}' }, { on: 'lag', thresholdSeconds: 5, forSeconds: 2, webhook: '${env:HOOK}', name: 'behind' }]);
    const hook = alertingHook(() => m, '/p/migrations.d', (e) => events.push(e), { fetch, env: { HOOK }, now: () => now, backoffMs: 1 });
    hook(failed);
    now += 3000;
    hook({ type: 'stream-start', migration: 'shop', from: { file: 'b.1', pos: 4 } });
    for (const lag of [9, 9, 9, 1]) {
      now += 1000;
      hook(progress(lag));
    }
    // Another migration's events are not this hook's.
    hook({ ...failed, migration: 'other' });
    await hook.flush(2000);
    // In order per alert (each has its own queue: a retried failure alert does not hold the lag alert).
    const of = (name: string) => calls.filter((c) => (c.body.alert as { name: string }).name === name).map((c) => c.body.status);
    expect(of('failure')).toEqual(['firing', 'firing', 'resolved']);
    expect(of('behind')).toEqual(['firing', 'resolved']);
    expect(calls.every((c) => c.url === HOOK)).toBe(true);
    const sent = events.filter((e) => e.type === 'alert-sent');
    expect(sent.map((e) => e.type === 'alert-sent' && [e.alert, e.status, e.to, e.attempts]).sort()).toEqual([
      ['behind', 'firing', 'https://hooks.example.com', 1], ['behind', 'resolved', 'https://hooks.example.com', 1],
      ['failure', 'firing', 'https://hooks.example.com', 2], ['failure', 'resolved', 'https://hooks.example.com', 1],
    ]);
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['run-failed', 'stream-start']);
  });

  it('reports a delivery that failed for good as alert-failed without the URL, and never throws', async () => {
    const events: ApplyEvent[] = [];
    const { fetch, calls } = fakeFetch(['refused']);
    const m = spec([{ on: 'failure', webhook: '${env:HOOK}' }]);
    const hook = alertingHook(() => m, '/p/migrations.d', (e) => {
      events.push(e);
      if (e.type === 'alert-failed') throw new Error('a view that throws');
    }, { fetch, env: { HOOK }, backoffMs: 1, retries: 2 });
    expect(() => hook(failed)).not.toThrow();
    await hook.flush(2000);
    expect(calls).toHaveLength(3);
    const f = events.find((e) => e.type === 'alert-failed');
    expect(f).toMatchObject({ type: 'alert-failed', migration: 'shop', alert: 'failure', status: 'firing', to: 'https://hooks.example.com' });
    expect(f?.type === 'alert-failed' && f.message).toBe('https://hooks.example.com did not take the alert after 3 attempts: connection refused');
    expect(JSON.stringify(events)).not.toContain(SECRET_PATH);
  });

  it('does not retry a refusal (4xx), and names an unset variable, not a value', async () => {
    const events: ApplyEvent[] = [];
    const { fetch, calls } = fakeFetch([404]);
    const m = spec([{ on: 'failure', webhook: '${env:HOOK}' }, { on: 'failure', webhook: '${env:MISSING_HOOK}', name: 'second' }]);
    const hook = alertingHook(() => m, '/p/migrations.d', (e) => events.push(e), { fetch, env: { HOOK }, backoffMs: 1 });
    hook(failed);
    await hook.flush(2000);
    expect(calls).toHaveLength(1);
    const msgs = events.filter((e) => e.type === 'alert-failed').map((e) => e.type === 'alert-failed' && e.message);
    expect(msgs).toHaveLength(2);
    expect(msgs).toContain('https://hooks.example.com refused the alert: HTTP 404');
    expect(msgs).toContain('${env:MISSING_HOOK} for spec.alerts[1].webhook is not set: there is no environment variable MISSING_HOOK');
  });

  it('resolves a failure the state records from an earlier process once the migration streams', async () => {
    const events: ApplyEvent[] = [];
    const { fetch, calls } = fakeFetch([200]);
    const m = spec([{ on: 'failure', webhook: '${env:HOOK}' }]);
    const hook = alertingHook(() => m, '/p/migrations.d', (e) => events.push(e), { fetch, env: { HOOK }, now: () => T0 });
    hook.failedBefore({ status: 'streaming', pid: 1, host: 'h', updatedAt: '' });
    hook({ type: 'stream-start', migration: 'shop', from: { file: 'b.1', pos: 4 } });
    await hook.flush(1000);
    expect(calls).toHaveLength(0);
    hook.failedBefore({ status: 'failed', pid: 1, host: 'h', updatedAt: '', lastError: { generation: 1, at: new Date(T0 - 60_000).toISOString(), code: 'shop-down', message: 'shop: the source is gone' } });
    hook({ type: 'table-start', migration: 'shop', table: 'shop.t', resumeFrom: 0, estimatedRows: 1 });
    await hook.flush(1000);
    expect(calls.map((c) => [c.body.status, c.body.what, c.body.startsAt])).toEqual([['resolved', 'shop is running again, 1 min after it failed (shop-down)', new Date(T0 - 60_000).toISOString()]]);
  });

  it('does nothing for a spec without alerts', async () => {
    const events: ApplyEvent[] = [];
    const { fetch, calls } = fakeFetch([200]);
    const hook = alertingHook(() => spec([]), '/p', (e) => events.push(e), { fetch });
    hook(failed);
    await hook.flush(100);
    expect(calls).toHaveLength(0);
    expect(events).toEqual([failed]);
  });
});

describe('postWebhook against a real receiver', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('times out a receiver that does not answer, and retries until it does', async () => {
    let n = 0;
    const bodies: string[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        // The first request hangs past the timeout; the second is taken.
        if (n++ === 0) setTimeout(() => res.end(), 1000);
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
    const r = await postWebhook(url, { text: 'hi' }, { timeoutMs: 200, backoffMs: 10 });
    expect(r).toEqual({ ok: true, to: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, attempts: 2 });
    expect(bodies).toEqual(['{"text":"hi"}', '{"text":"hi"}']);
  });

  it('says a closed port is refused, naming only scheme and host', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const r = await postWebhook(`http://127.0.0.1:${port}${SECRET_PATH}`, {}, { retries: 1, backoffMs: 1 });
    expect(r).toEqual({ ok: false, to: `http://127.0.0.1:${port}`, attempts: 2, message: `http://127.0.0.1:${port} did not take the alert after 2 attempts: connection refused` });
  });
});
