// What `mig destroy` asks of a MySQL destination: drop the tables the migration created, and remove
// its rows from the checkpoint table so a migration created again under its name starts afresh.
import type { Migration, MysqlDestination } from '../../../spec/schema.js';
import type { ResultSetHeader } from 'mysql2/promise';
import { connectDestination, destinationError } from './connect.js';
import { mysqlEndpoint } from './destination.js';
import { checkpointTable } from './checkpoint.js';
import { quoteIdent } from './names.js';

const NO_SUCH_TABLE = 1146;

export async function dropMysqlTables(m: Migration, d: MysqlDestination, specDir: string, targets: string[]): Promise<void> {
  const ep = await mysqlEndpoint(m, d, specDir);
  const conn = await connectDestination(ep);
  try {
    for (const t of targets) {
      const dot = t.indexOf('.');
      try {
        await conn.query(`DROP TABLE IF EXISTS ${quoteIdent(t.slice(0, dot))}.${quoteIdent(t.slice(dot + 1))}`);
      } catch (e) {
        throw destinationError(ep, e, `dropping table ${t}`);
      }
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}

export async function forgetMysqlCheckpoint(m: Migration, d: MysqlDestination, specDir: string): Promise<number> {
  const ep = await mysqlEndpoint(m, d, specDir);
  const conn = await connectDestination(ep);
  try {
    const [res] = await conn.query<ResultSetHeader>(`DELETE FROM ${checkpointTable(d.checkpointDatabase)} WHERE migration = ?`, [m.metadata.name]);
    return res.affectedRows;
  } catch (e) {
    if ((e as { errno?: number }).errno === NO_SUCH_TABLE) return 0;
    throw destinationError(ep, e, `removing ${m.metadata.name}'s rows from ${d.checkpointDatabase}.mig_checkpoint`);
  } finally {
    await conn.end().catch(() => undefined);
  }
}
