// Reads what the precheck's Tablestore checks look at: whether the instance answers, which of the
// tables the migration writes exist, and what keeps source tables from mapping (names, keys).
import type { Migration, TablestoreDestination } from '../../../spec/schema.js';
import { tableDestinationFacts, type DestinationFacts, type TablestoreFacts } from '../../../model/precheck-facts.js';
import type { PrecheckFactsContext } from '../../contract.js';
import { TablestoreClient } from './client.js';
import { mergedTargets, tableMapping, type TableMapping } from './mapping.js';
import { compareTable, describeTable, listTables } from './schema.js';
import { resolveTablestoreSecrets } from './secrets.js';

export function tablestorePrecheckFacts(_m: Migration, d: TablestoreDestination, ctx: PrecheckFactsContext): Promise<DestinationFacts> {
  return tableDestinationFacts(async () => {
    const client = new TablestoreClient(d, await resolveTablestoreSecrets(d, ctx.specDir));
    try {
      const onInstance = new Set(await listTables(client));
      const desired = await ctx.desired();
      const live = await ctx.source();
      const targets = [...new Set(desired.tables.map((t) => t.target))];
      const problems: string[] = [];
      if (live.ok) {
        const merged = mergedTargets(desired.tables.flatMap((t) => {
          const info = live.tables.get(t.id);
          return info ? [{ info, spec: t.settings }] : [];
        }));
        const byTarget = new Map<string, TableMapping>();
        for (const t of desired.tables) {
          const info = live.tables.get(t.id);
          if (!info) continue;
          try {
            const mapping = tableMapping({ info, spec: t.settings, destination: d, merged: merged.has(t.target) });
            if (!byTarget.has(t.target)) byTarget.set(t.target, mapping);
          } catch (e) {
            problems.push(`${t.id}: ${(e as Error).message}`);
          }
        }
        // Tablestore cannot change a table's key: an existing table keyed otherwise (a spec that
        // changed primaryKey, or someone else's table) would stop apply after it reset the tables.
        for (const [target, mapping] of byTarget) {
          if (!onInstance.has(target)) continue;
          const have = await describeTable(client, target);
          if (have) problems.push(...compareTable(have, mapping).map((diff) => `${diff}: Tablestore cannot change a table's key, drop table ${target} or set another target`));
        }
      } else {
        problems.push(`source not read (${live.error}): keys and types unverified`);
      }
      const tablestore: TablestoreFacts = { tableCount: onInstance.size, newTables: targets.filter((t) => !onInstance.has(t)).length, mappingProblems: problems };
      return { tables: { ok: true, value: targets.filter((t) => onInstance.has(t)) }, tablestore: { ok: true, value: tablestore } };
    } finally {
      client.close();
    }
  });
}
