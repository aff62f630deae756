// GET /metrics for mig apply and mig run: where it listens (flags, else mig.config.yaml) and the
// node:http server. Apart from the health server on purpose: a probe target must keep answering
// with nothing but node:http, and Prometheus and probes are often reached on different addresses.
import { Flags } from '@oclif/core';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadProjectConfig, PROJECT_CONFIG_FILE } from '../config/index.js';
import type { ApplyHook } from '../model/events.js';
import { MigError } from '../util/errors.js';
import type { MigMetrics } from './metrics.js';

/** The flags of every command that can serve metrics (apply, run). No default host: mig.config.yaml's applies when the flag is absent. */
export const metricsFlags = {
  'metrics-port': Flags.integer({ description: 'serve Prometheus metrics at /metrics on this port while the command runs (0 picks a free one; the URL is printed); default: metrics.port in mig.config.yaml', min: 0, max: 65535 }),
  'metrics-host': Flags.string({ description: 'address the metrics endpoint listens on (default 127.0.0.1, or metrics.host in mig.config.yaml)' }),
};

export interface MetricsFlags {
  'metrics-port'?: number;
  'metrics-host'?: string;
}

export interface MetricsEndpoint {
  /** Where /metrics is served; undefined when metrics are off. */
  url?: string;
  /** The hook that feeds the metrics and then calls `next`; `next` itself when metrics are off. */
  wrap(next: ApplyHook): ApplyHook;
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';

/** Where the settings came from, for messages: a flag, or the project file. */
interface Listen {
  host: string;
  port: number;
  portFrom: string;
  hostFrom: string;
}

const OFF: MetricsEndpoint = { wrap: (next) => next, close: () => Promise.resolve() };

/**
 * Serves /metrics when --metrics-port or mig.config.yaml's metrics.port asks for it, and says where
 * (`say`: the URL, which names the port 0 picked). The server never keeps the process alive: the
 * command's work does, and the metrics live exactly as long.
 */
export async function startMetrics(flags: MetricsFlags, say: (line: string) => void, opts: { cwd?: string } = {}): Promise<MetricsEndpoint> {
  const listen = await whereToListen(flags, opts.cwd ?? '.');
  if (!listen) return OFF;
  // prom-client is loaded only when metrics are served (~17 MB of memory a run without them saves).
  const { MigMetrics } = await import('./metrics.js');
  const metrics = new MigMetrics();
  const server = createServer((req, res) => void respond(req, res, metrics));
  // A scrape is one short request; a client that trickles its headers must not hold a socket open.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await listenOn(server, listen);
  server.unref();
  // A failed accept (out of file descriptors) must not take the migration down: the scrape fails instead.
  server.on('error', () => {});
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/metrics`;
  say(`metrics at ${url}`);
  let closing: Promise<void> | undefined;
  return {
    url,
    wrap: (next) => metrics.wrap(next),
    close() {
      // Idle keep-alive sockets (Prometheus keeps its connection) would otherwise hold the close.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function whereToListen(flags: MetricsFlags, cwd: string): Promise<Listen | undefined> {
  let port = flags['metrics-port'];
  let host = flags['metrics-host'];
  let portFrom = '--metrics-port';
  let hostFrom = '--metrics-host';
  if (port === undefined || host === undefined) {
    const config = (await loadProjectConfig(cwd))?.config.metrics;
    if (port === undefined && config) {
      port = config.port;
      portFrom = `metrics.port in ${PROJECT_CONFIG_FILE}`;
    }
    if (host === undefined && config?.host !== undefined) {
      host = config.host;
      hostFrom = `metrics.host in ${PROJECT_CONFIG_FILE}`;
    }
  }
  if (port === undefined) {
    if (flags['metrics-host'] !== undefined) {
      throw new MigError('metrics-host-without-port', '--metrics-host was given without a port to serve metrics on', `add --metrics-port N (0 picks a free one), or set metrics.port in ${PROJECT_CONFIG_FILE}`);
    }
    return undefined;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MigError('metrics-port-invalid', `the metrics port ${String(port)} is not a TCP port`, `give ${portFrom} a number from 1 to 65535 (0 picks a free one)`);
  }
  return { port, host: host ?? DEFAULT_HOST, portFrom, hostFrom: host === undefined ? '--metrics-host' : hostFrom };
}

function listenOn(server: Server, l: Listen): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(e, l));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: l.host, port: l.port, exclusive: true });
  });
}

function listenError(e: NodeJS.ErrnoException, l: Listen): MigError {
  const where = `${l.host}:${l.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new MigError('metrics-port-in-use', `the metrics server cannot listen on ${where}: the port is in use`, `stop what listens there (another mig apply or mig run?), or choose another port with ${l.portFrom} (0 picks a free one)`);
    case 'EACCES':
      return new MigError('metrics-port-denied', `the metrics server may not listen on ${where}: permission denied`, `choose a port above 1023 with ${l.portFrom}, or give the process the right to bind low ports`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new MigError('metrics-host-unknown', `the metrics server cannot listen on ${where}: ${l.host} is not an address of this machine`, `give ${l.hostFrom} an address of this machine: 127.0.0.1 (the default) for a local Prometheus, 0.0.0.0 for one on another host`);
    default:
      return new MigError('metrics-listen-failed', `the metrics server cannot listen on ${where}: ${e.message}`, `check ${l.hostFrom} and ${l.portFrom}`);
  }
}

async function respond(req: IncomingMessage, res: ServerResponse, metrics: MigMetrics): Promise<void> {
  const send = (code: number, type: string, text: string) => {
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (pathOf(req.url) !== '/metrics') return send(404, 'text/plain; charset=utf-8', 'not found: metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  let text: string;
  try {
    text = await metrics.render();
  } catch (e) {
    // A failed render is a bug; a 500 makes Prometheus mark the target down rather than show stale numbers.
    return send(500, 'text/plain; charset=utf-8', `cannot render the metrics: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  send(200, metrics.contentType, text);
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://scrape').pathname;
  } catch {
    return '';
  }
}
