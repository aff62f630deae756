// The runner's health endpoints, for systemd watchdogs, load balancers and Kubernetes probes. It is
// node:http alone: a probe target must not add a dependency, and it must keep answering while the
// runner stands by, so it reads the runner's state through report() on every request instead of
// being told about changes (nothing to fall out of date).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MigError } from '../util/errors.js';

export interface HealthReport {
  /** This runner holds its leases and its streams run without error. */
  healthy: boolean;
  /** This runner holds at least one lease (false while it stands by). */
  active: boolean;
  body: Record<string, unknown>;
}

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port; the returned url names it. */
  port: number;
  report: () => HealthReport;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

type Probe = 'health' | 'live';

// /readyz answers as /healthz: only the runner doing the work should count as ready, so a standby
// replica stays out of a Service and a rollout sees which pod is active. /livez is 200 whenever the
// event loop can answer, standby included: restarting a standby would not make it take over sooner.
const ROUTES: Record<string, Probe> = { '/healthz': 'health', '/readyz': 'health', '/livez': 'live' };

/** The body's status: a degraded runner holds its lease but a stream failed, so it is not a standby. */
export function healthStatus(r: Pick<HealthReport, 'healthy' | 'active'>): 'ok' | 'degraded' | 'standby' {
  return r.healthy ? 'ok' : r.active ? 'degraded' : 'standby';
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new MigError('health-port-invalid', `the health port ${String(opts.port)} is not a TCP port`, 'give --health-port a number from 1 to 65535 (0 picks a free one)');
  }
  const server = createServer((req, res) => respond(req, res, opts.report));
  // A probe is one short request; a client that trickles its headers must not hold a socket open.
  server.headersTimeout = 5_000;
  server.requestTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await listen(server, opts.host, opts.port);
  // A failed accept (out of file descriptors) must not take the runner down with an unhandled
  // 'error': the probe goes unanswered, which is what it should report.
  server.on('error', () => {});
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    close() {
      // Idle keep-alive sockets would otherwise hold the runner's exit for keepAliveTimeout.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(e, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): MigError {
  const where = `${host}:${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new MigError('health-port-in-use', `the health server cannot listen on ${where}: the port is in use`, `stop what listens there (another mig run?), or choose another port with --health-port (0 picks a free one)`);
    case 'EACCES':
      return new MigError('health-port-denied', `the health server may not listen on ${where}: permission denied`, 'choose a port above 1023 with --health-port, or give the process the right to bind low ports');
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new MigError('health-host-unknown', `the health server cannot listen on ${where}: ${host} is not an address of this machine`, 'give --health-host an address of this machine: 127.0.0.1 (the default) for local probes, 0.0.0.0 for probes from outside (a Kubernetes kubelet)');
    default:
      return new MigError('health-listen-failed', `the health server cannot listen on ${where}: ${e.message}`, 'check --health-host and --health-port');
  }
}

function respond(req: IncomingMessage, res: ServerResponse, report: () => HealthReport): void {
  const probe = ROUTES[pathOf(req.url)];
  if (probe === undefined) return send(req, res, 404, { status: 'not-found', paths: Object.keys(ROUTES) });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(req, res, 405, { status: 'method-not-allowed' });
  }
  let r: HealthReport;
  try {
    r = report();
  } catch (e) {
    // A report that throws is a bug in the runner; a 500 on every path lets a liveness probe restart it.
    return send(req, res, 500, { status: 'error', error: e instanceof Error ? e.message : String(e) });
  }
  const status = healthStatus(r);
  const code = probe === 'live' || r.healthy ? 200 : 503;
  send(req, res, code, { ...r.body, status });
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://probe').pathname;
  } catch {
    return '';
  }
}

function send(req: IncomingMessage, res: ServerResponse, code: number, body: Record<string, unknown>): void {
  let text: string;
  try {
    // Positions and counters may be bigints; a body JSON cannot hold must not crash the runner.
    text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n';
  } catch (e) {
    code = 500;
    text = JSON.stringify({ status: 'error', error: `the health report is not JSON: ${e instanceof Error ? e.message : String(e)}` }) + '\n';
  }
  res.writeHead(code, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    // A cached answer would report a runner that has since lost its lease as healthy.
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
