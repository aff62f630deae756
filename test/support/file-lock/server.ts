// The lock that lets integration and end-to-end test files share two workers safely (vitest.config.ts):
// a file listed as parallel-safe holds it shared, any other file holds it exclusive, so such a file
// never runs beside another it or e2e file. Requests are served in arrival order, so a waiting
// exclusive file is not overtaken by shared ones. A file holds the lock while its connection is open:
// one that crashes releases it with its process.
//
// Used as the it and e2e projects' globalSetup. Both projects share one server in vitest's main
// process: the second setup finds the first one's server on globalThis.
import net from 'node:net';
import type { TestProject } from 'vitest/node';

export type LockMode = 'shared' | 'exclusive';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the file lock listens (127.0.0.1). */
    fileLockPort: number;
    /** Files (relative to the project root) that may run beside other parallel-safe files. */
    parallelSafeFiles: string[];
  }
}

interface Waiter {
  readonly socket: net.Socket;
  readonly mode: LockMode;
}

interface Shared {
  server: net.Server;
  port: number;
  users: number;
}

const KEY = Symbol.for('mig.test.file-lock');
const registry = globalThis as unknown as Record<symbol, Promise<Shared> | undefined>;

function startServer(): Promise<Shared> {
  const holders = new Map<net.Socket, LockMode>();
  const queue: Waiter[] = [];

  const grant = () => {
    while (queue.length > 0) {
      const next = queue[0]!;
      const exclusiveHeld = [...holders.values()].includes('exclusive');
      if (exclusiveHeld || (next.mode === 'exclusive' && holders.size > 0)) return;
      queue.shift();
      holders.set(next.socket, next.mode);
      next.socket.write('granted\n');
    }
  };
  const drop = (socket: net.Socket) => {
    holders.delete(socket);
    const i = queue.findIndex((w) => w.socket === socket);
    if (i >= 0) queue.splice(i, 1);
    grant();
  };

  const server = net.createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n')[0]!;
      if (!buffered.includes('\n') || holders.has(socket) || queue.some((w) => w.socket === socket)) return;
      queue.push({ socket, mode: line.trim() === 'shared' ? 'shared' : 'exclusive' });
      grant();
    });
    socket.on('close', () => drop(socket));
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port, users: 0 }));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  registry[KEY] ??= startServer();
  const shared = await registry[KEY]!;
  shared.users++;
  project.provide('fileLockPort', shared.port);
  return async () => {
    if (--shared.users > 0) return;
    registry[KEY] = undefined;
    await new Promise<void>((resolve) => shared.server.close(() => resolve()));
  };
}
