// Checks of table destinations (Tablestore, MySQL) and of a TiDB source's change feed: tables that
// would be written into without being ours (DTS's "Precheck and Report Errors"), Tablestore's
// limits, and whether the feed topic can be read.
import type { Check } from './types.js';
import { fail, listSome, pass, skip } from './outcome.js';

export const existingTables: Check = {
  id: 'destination.existing-tables',
  appliesTo: { destinations: ['tablestore', 'mysql'], skip: (m) => `not applicable: the destination is ${m.spec.destination.type} (see destination.existing-topics)` },
  run(ctx) {
    const expected = 'destination tables exist only if this migration created them';
    if ((ctx.migration.spec.conflictMode ?? 'error') === 'ignore') {
      return skip('conflictMode is ignore: existing tables are kept; the full load keeps their rows, incremental changes overwrite them', expected);
    }
    const t = ctx.destination.tables;
    if (!t || !t.ok) return skip(`not checked: the destination could not be read (${t?.error ?? 'no facts'})`, expected);
    // Every table in the state counts, pending ones too: a table enters the state only after this
    // check passed for it (apply refuses otherwise), and a re-snapshot resets an existing table of
    // ours to pending; if that apply then stops early, its table must not look foreign.
    const ours = new Set(Object.values(ctx.state?.tables ?? {}).map((x) => x.target));
    const foreign = t.value.filter((n) => !ours.has(n));
    if (foreign.length === 0) return pass(t.value.length > 0 ? `${t.value.length} existing table(s), all created by this migration` : 'none of the tables exists yet', expected);
    return fail(
      `already at the destination: ${listSome(foreign)}`,
      expected,
      'mig would write into tables it did not create and mix its rows with what is there',
      'drop or rename those tables, map the source tables to other names (target:), or set spec.conflictMode: ignore to keep them (full load keeps existing rows, incremental overwrites)',
    );
  },
};

export const tablestoreLimits: Check = {
  id: 'destination.tablestore-limits',
  appliesTo: { destinations: ['tablestore'], skip: (m) => `not applicable: the destination is ${m.spec.destination.type}` },
  run(ctx) {
    const expected = 'at most 64 tables per instance; names [A-Za-z_][A-Za-z0-9_]*; 1 to 4 key columns of STRING, INTEGER or BINARY; existing tables keyed as mig writes';
    const f = ctx.destination.tablestore;
    if (!f || !f.ok) {
      const c = ctx.destination.connection;
      return skip(`not checked: the instance could not be read (${f && !f.ok ? f.error : !c.ok ? c.error : 'no facts'})`, expected);
    }
    const { tableCount, newTables, mappingProblems } = f.value;
    const problems = [...mappingProblems];
    if (tableCount + newTables > 64) problems.push(`the instance has ${tableCount} table(s) and this migration adds ${newTables}: over the 64-table limit`);
    if (problems.length === 0) return pass(`${tableCount} table(s) in the instance, ${newTables} to create; every table maps`, expected);
    return fail(problems.join('; '), expected, 'Tablestore would refuse these tables or rows', 'set primaryKey/columnTypes/rename/target for the tables named, merge tables into one target, or use another instance');
  },
};

export const feedTopic: Check = {
  id: 'source.feed-topic',
  appliesTo: { sources: ['tidb'], skip: () => 'not applicable: the source is not TiDB' },
  run(ctx) {
    const s = ctx.migration.spec.source;
    const feed = 'binlogKafka' in s ? s.binlogKafka : undefined;
    if (!feed || !ctx.migration.spec.types.includes('incremental')) return skip('not needed: incremental is not in spec.types');
    const expected = `topic ${feed.topic} readable at ${feed.brokers.join(', ')}`;
    const f = ctx.destination.feed;
    if (!f) return skip('not checked', expected);
    if (!f.ok) return fail(f.error, expected, 'incremental migration reads the transactions TiDB-Binlog (Drainer) writes there', 'start Drainer with its Kafka sink (db-type = "kafka") and check spec.source.binlogKafka');
    return pass(`${f.value.partitions} partition(s) read, ${f.value.messages} message(s) held`, expected);
  },
};
