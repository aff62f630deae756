// The health server as a probe sees it, over real HTTP on 127.0.0.1: the status codes that decide
// whether Kubernetes restarts a pod (livez) or routes to it (healthz, readyz), what a standby answers,
// HEAD, unknown paths, and a port already taken reported as something a user can fix.
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { healthStatus, startHealthServer, type HealthReport, type HealthServer } from '../../../src/cli/health-server.js';
import { MigError } from '../../../src/util/errors.js';

const HOST = '127.0.0.1';
const open: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(report: () => HealthReport): Promise<HealthServer> {
  const s = await startHealthServer({ host: HOST, port: 0, report });
  open.push(s);
  return s;
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string }

function call(url: string, method = 'GET', agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const json = (r: Reply) => JSON.parse(r.text) as Record<string, unknown>;

const active: HealthReport = { healthy: true, active: true, body: { runner: 'r1', leases: ['shop-to-kafka'] } };
const standby: HealthReport = { healthy: false, active: false, body: { runner: 'r2', leases: [] } };
const failing: HealthReport = { healthy: false, active: true, body: { runner: 'r1', lastError: 'destination refused the connection' } };

describe('health server', () => {
  it('listens on port 0 and names the real port in its url', async () => {
    const s = await start(() => active);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(s.url).port)).toBeGreaterThan(0);
  });

  it('an active, healthy runner: 200 on every probe, its report plus status in JSON', async () => {
    const s = await start(() => active);
    for (const p of ['/healthz', '/readyz', '/livez']) {
      const r = await call(s.url + p);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(json(r)).toEqual({ runner: 'r1', leases: ['shop-to-kafka'], status: 'ok' });
    }
  });

  it('a standby: alive (200 on livez) but not ready (503 on healthz and readyz)', async () => {
    const s = await start(() => standby);
    expect((await call(s.url + '/livez')).status).toBe(200);
    for (const p of ['/healthz', '/readyz']) {
      const r = await call(s.url + p);
      expect(r.status, p).toBe(503);
      expect(json(r)).toEqual({ runner: 'r2', leases: [], status: 'standby' });
    }
  });

  it('a lease holder whose stream failed: 503 with its error, still alive', async () => {
    const s = await start(() => failing);
    const r = await call(s.url + '/healthz');
    expect(r.status).toBe(503);
    expect(json(r)).toMatchObject({ status: 'degraded', lastError: 'destination refused the connection' });
    expect((await call(s.url + '/livez')).status).toBe(200);
  });

  it('asks the runner on every request, so a lost lease shows at once', async () => {
    let now = active;
    const s = await start(() => now);
    expect((await call(s.url + '/healthz')).status).toBe(200);
    now = standby;
    expect((await call(s.url + '/healthz')).status).toBe(503);
  });

  it('status is the server\'s own, whatever the report\'s body says', async () => {
    const s = await start(() => ({ healthy: false, active: false, body: { status: 'fine' } }));
    expect(json(await call(s.url + '/healthz')).status).toBe('standby');
  });

  it('HEAD answers with the code and headers and no body', async () => {
    const s = await start(() => standby);
    const r = await call(s.url + '/healthz', 'HEAD');
    expect(r.status).toBe(503);
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
    expect(r.text).toBe('');
    expect((await call(s.url + '/livez', 'HEAD')).status).toBe(200);
  });

  it('a query string is ignored; other paths are 404, other methods 405', async () => {
    const s = await start(() => active);
    expect((await call(s.url + '/healthz?verbose=1')).status).toBe(200);
    for (const p of ['/', '/health', '/healthz/x', '/metrics']) expect((await call(s.url + p)).status, p).toBe(404);
    const post = await call(s.url + '/healthz', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('a report that throws is a 500 on every probe', async () => {
    const s = await start(() => {
      throw new Error('runner state unreadable');
    });
    for (const p of ['/healthz', '/livez']) {
      const r = await call(s.url + p);
      expect(r.status, p).toBe(500);
      expect(json(r)).toEqual({ status: 'error', error: 'runner state unreadable' });
    }
  });

  it('bigints in the report come out as strings; a body JSON cannot hold is a 500, not a crash', async () => {
    const s = await start(() => ({ healthy: true, active: true, body: { position: 2n ** 64n } }));
    expect(json(await call(s.url + '/healthz'))).toEqual({ position: '18446744073709551616', status: 'ok' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const t = await start(() => ({ healthy: true, active: true, body: cyclic }));
    const r = await call(t.url + '/healthz');
    expect(r.status).toBe(500);
    expect(json(r)).toMatchObject({ status: 'error', error: expect.stringContaining('not JSON') });
    expect((await call(t.url + '/livez', 'HEAD')).status).toBe(500);
  });

  it('a port in use is a MigError naming the address, with a fix', async () => {
    const first = await start(() => active);
    const port = Number(new URL(first.url).port);
    const e = await startHealthServer({ host: HOST, port, report: () => active }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MigError);
    expect((e as MigError).code).toBe('health-port-in-use');
    expect((e as MigError).message).toContain(`127.0.0.1:${port}`);
    expect((e as MigError).hint).toMatch(/--health-port/);
  });

  it('refuses a port that is not a TCP port before listening', async () => {
    for (const port of [-1, 65536, 1.5]) {
      await expect(startHealthServer({ host: HOST, port, report: () => active })).rejects.toMatchObject({ code: 'health-port-invalid' });
    }
  });

  it('close frees the port without waiting on an idle keep-alive socket, and may be called twice', async () => {
    const s = await startHealthServer({ host: HOST, port: 0, report: () => active });
    const port = Number(new URL(s.url).port);
    const agent = new Agent({ keepAlive: true });
    try {
      await call(s.url + '/livez', 'GET', agent);
      const t0 = Date.now();
      await Promise.all([s.close(), s.close()]);
      expect(Date.now() - t0).toBeLessThan(2_000);
    } finally {
      agent.destroy();
    }
    const same = await startHealthServer({ host: HOST, port, report: () => active });
    open.push(same);
    expect(same.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('the body status follows healthy, then active', () => {
    expect(healthStatus({ healthy: true, active: true })).toBe('ok');
    expect(healthStatus({ healthy: false, active: true })).toBe('degraded');
    expect(healthStatus({ healthy: false, active: false })).toBe('standby');
  });
});
