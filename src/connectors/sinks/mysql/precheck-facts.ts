// Reads what the precheck's MySQL destination checks look at: whether the server answers, and
// which of the tables the migration writes exist there already.
import type { Migration, MysqlDestination } from '../../../spec/schema.js';
import { tableDestinationFacts, type DestinationFacts } from '../../../model/precheck-facts.js';
import type { PrecheckFactsContext } from '../../contract.js';
import { connectDestination } from './connect.js';
import { mysqlEndpoint } from './destination.js';
import { existingTables } from './schema.js';

export function mysqlPrecheckFacts(m: Migration, d: MysqlDestination, ctx: PrecheckFactsContext): Promise<DestinationFacts> {
  return tableDestinationFacts(async () => {
    const conn = await connectDestination(await mysqlEndpoint(m, d, ctx.specDir));
    try {
      const refs = (await ctx.desired()).tables.map((t) => {
        const dot = t.target.indexOf('.');
        return { database: t.target.slice(0, dot), table: t.target.slice(dot + 1) };
      });
      const found = await existingTables(conn, refs);
      return { tables: { ok: true, value: found.map((r) => `${r.database}.${r.table}`) } };
    } finally {
      await conn.end().catch(() => undefined);
    }
  });
}
