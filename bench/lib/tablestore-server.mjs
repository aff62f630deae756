// mig's Tablestore test server (dist/test-support/main.js, built from test/support by bench.sh), run as
// a process of its own and fresh for every step, and the SDK reads that check what landed in it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './app.mjs';
import { children, killGroup } from './process.mjs';

const SERVER_MAIN = path.join(ROOT, 'dist', 'test-support', 'main.js');
const TableStore = createRequire(path.join(ROOT, 'package.json'))('tablestore');

/** Starts a test server process; resolves with its JSON line (endpoint, instance, keys) and the child. */
function startServer() {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build (it builds the test server)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_MAIN, '--port', '0'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ info: JSON.parse(out.slice(0, nl)), child });
    });
    child.on('exit', (code) => {
      children.delete(child);
      reject(new Error(`Tablestore test server exited (${code}) before listening: ${err}`));
    });
  });
}

function stopServer(server) {
  killGroup(server.child);
  children.delete(server.child);
}

/** Runs fn(info) against a fresh server, stopped afterwards whatever happens. */
export async function withServer(fn) {
  const server = await startServer();
  try {
    return await fn(server.info);
  } finally {
    stopServer(server);
  }
}

/** Rows in a table of the server, read back with GetRange through the SDK. */
export async function countRows(info, table) {
  const client = new TableStore.Client({ endpoint: info.endpoint, instancename: info.instance, accessKeyId: info.accessKeyId, secretAccessKey: info.accessKeySecret, maxRetries: 0 });
  let start = [{ id: TableStore.INF_MIN }];
  let n = 0;
  while (start) {
    const res = await client.getRange({ tableName: table, direction: TableStore.Direction.FORWARD, inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }], columnsToGet: ['a'] });
    n += res.rows.length;
    start = res.nextStartPrimaryKey ? res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : null;
  }
  return n;
}
