// A MariaDB of one test file's own (scripts/services.sh with a temporary state directory and a free
// port), for tests that do to a server what others must not see: PURGE BINARY LOGS on the shared
// MariaDB would pull the binary log from under every test file streaming it at the same time.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql, { type Connection } from 'mysql2/promise';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/services.sh');

export interface PrivateMariadb {
  readonly port: number;
  /** A root connection (multiple statements, text dates). */
  connection(): Promise<Connection>;
  /** Stops the server and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** A port nothing listens on now (the kernel's pick, given back at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function services(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { env, timeout: 180_000 }, (e, stdout, stderr) => (e ? reject(new Error(`services.sh ${args.join(' ')} failed: ${e.message}\n${stdout}${stderr}`)) : resolve()));
  });
}

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const port = await freePort();
  // A short path: the server's unix socket lives under it (107 bytes at most). mariadbd runs as
  // user mysql when the tests run as root, so the directory must be traversable.
  const dir = mkdtempSync(path.join(tmpdir(), 'mig-pm-'));
  chmodSync(dir, 0o755);
  // Only MariaDB starts; the Kafka ports are checked for range only and stay the defaults.
  const env: NodeJS.ProcessEnv = { ...process.env, MIG_SERVICES_DIR: dir, MIG_TEST_MYSQL_PORT: String(port) };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await services(['down', '--purge', 'mariadb'], env).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await services(['up', 'mariadb'], env);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    connection: () => mysql.createConnection({ host: '127.0.0.1', port, user: 'root', multipleStatements: true, dateStrings: true, timezone: 'Z' }),
    stop,
  };
}
