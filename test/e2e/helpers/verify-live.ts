// mig verify while a migration streams under write load: apply --follow runs the migration, a steady
// load of inserts, updates and deletes writes to its source table, and verify runs in the middle.
import type { MigResult } from './run-mig.js';
import { runMig, spawnMig } from './run-mig.js';
import { textConnection } from './tidb.js';
import { startWriteLoad, type LoadTable } from './write-load.js';

export interface LiveVerify {
  verify: MigResult;
  /** Statements the load committed while the migration streamed. */
  ops: number;
  /** What apply --follow printed. */
  applyOutput: string;
}

export async function verifyUnderLoad(cwd: string, table: LoadTable, verifyArgs: string[], env?: Record<string, string>): Promise<LiveVerify> {
  const child = spawnMig(['apply', '--auto-approve', '--follow'], { cwd, env });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const writer = await textConnection();
  try {
    const deadline = Date.now() + 60_000;
    while (!out.includes('streaming from')) {
      if (Date.now() > deadline) throw new Error(`never started streaming: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const load = startWriteLoad(writer, { tables: [table], perSecond: 150, insertShare: 0.3, deleteShare: 0.2 });
    // Verify starts with the load well under way and ends before it stops.
    await new Promise((r) => setTimeout(r, 2000));
    const verify = await runMig(['verify', '--json', ...verifyArgs], { cwd, env });
    await load.stop();
    return { verify, ops: load.ops.length, applyOutput: out };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await writer.end();
  }
}
