// The /metrics endpoint as Prometheus sees it, over real HTTP on 127.0.0.1: where it listens
// (flags win over mig.config.yaml), what a scrape returns, and a port already taken reported as
// something a user can fix.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMetrics, type MetricsEndpoint } from '../../../src/cli/metrics-server.js';
import type { MigrationProgress } from '../../../src/model/progress.js';
import { MigError } from '../../../src/util/errors.js';
import { parseExposition, sample } from '../../support/exposition.js';

const open: MetricsEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** An empty project directory, or one with this mig.config.yaml. */
function project(config?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-metrics-'));
  if (config !== undefined) writeFileSync(path.join(dir, 'mig.config.yaml'), config);
  return dir;
}

async function start(flags: Parameters<typeof startMetrics>[0], cwd = project()): Promise<{ m: MetricsEndpoint; said: string[] }> {
  const said: string[] = [];
  const m = await startMetrics(flags, (l) => said.push(l), { cwd });
  open.push(m);
  return { m, said };
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string }

function call(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function failure(p: Promise<unknown>): Promise<MigError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(MigError);
  return e as MigError;
}

const reading: MigrationProgress = {
  migration: 'shop-to-kafka', labels: { env: 'prod' }, runner: 'loading',
  tables: [{ table: 'shop.orders', target: 'shop', phase: 'full', rowsCopied: 2000, estimatedRows: 5000 }],
  rows: { copied: 2000, estimated: 5000 }, events: { read: 0, written: 0, filtered: 0, skipped: 0 },
  lag: { seconds: null, basis: 'last-event' }, at: '2026-12-05T08:00:00.000Z',
};

describe('startMetrics', () => {
  it('is off when neither a flag nor mig.config.yaml asks for it: the hook is passed through untouched', async () => {
    const { m, said } = await start({});
    expect(m.url).toBeUndefined();
    const hook = () => undefined;
    expect(m.wrap(hook)).toBe(hook);
    expect(said).toEqual([]);
  });

  it('port 0 picks a free port and prints the URL; a scrape shows what the events said, in text format 0.0.4', async () => {
    const { m, said } = await start({ 'metrics-port': 0 });
    expect(m.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(said).toEqual([`metrics at ${m.url}`]);
    const passed: string[] = [];
    m.wrap((e) => passed.push(e.type))({ type: 'progress', migration: 'shop-to-kafka', progress: reading, final: false });
    expect(passed).toEqual(['progress']);
    const r = await call(m.url!);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = parseExposition(r.text);
    expect(sample(s, 'mig_rows_copied_total', { migration: 'shop-to-kafka', table: 'shop.orders', env: 'prod' })).toBe(2000);
    expect(s.types.has('process_resident_memory_bytes') || s.types.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('HEAD answers without a body; other paths are 404, other methods 405', async () => {
    const { m } = await start({ 'metrics-port': 0 });
    const head = await call(m.url!, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect((await call(m.url!.replace('/metrics', '/'))).status).toBe(404);
    const post = await call(m.url!, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('reads metrics.port and metrics.host from mig.config.yaml; the flags win', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const free = (busy.address() as AddressInfo).port;
    await new Promise<void>((r) => busy.close(() => r()));
    const dir = project(`metrics:\n  port: ${free}\n  host: 127.0.0.1\n`);
    const fromFile = await start({}, dir);
    expect(fromFile.m.url).toBe(`http://127.0.0.1:${free}/metrics`);
    await fromFile.m.close();
    const fromFlag = await start({ 'metrics-port': 0 }, dir);
    expect(fromFlag.m.url).not.toBe(`http://127.0.0.1:${free}/metrics`);
  });

  it('a port in use is an error naming where the port came from', async () => {
    const { m } = await start({ 'metrics-port': 0 });
    const port = Number(new URL(m.url!).port);
    const e = await failure(start({ 'metrics-port': port }));
    expect(e.code).toBe('metrics-port-in-use');
    expect(e.message).toBe(`the metrics server cannot listen on 127.0.0.1:${port}: the port is in use`);
    expect(e.hint).toContain('--metrics-port');
    const fromFile = await failure(start({}, project(`metrics: { port: ${port} }\n`)));
    expect(fromFile.hint).toContain('metrics.port in mig.config.yaml');
  });

  it('a host that is not this machine is an error with the fix', async () => {
    const e = await failure(start({ 'metrics-port': 0, 'metrics-host': '192.0.2.1' }));
    expect(e.code).toBe('metrics-host-unknown');
    expect(e.hint).toContain('--metrics-host');
  });

  it('--metrics-host without a port is refused rather than ignored', async () => {
    const e = await failure(start({ 'metrics-host': '0.0.0.0' }));
    expect(e.code).toBe('metrics-host-without-port');
  });
});
