// Checks on the migrated objects themselves: they exist, rows can be told apart, no column is
// hidden from SELECT *, views are named as not migrated, and the table list stays within DTS's limit.
import type { TableSpec } from '../spec/schema.js';
import { sinkKindOf } from '../connectors/registry.js';
import type { Check, CheckContext, Outcome, TableFacts } from './types.js';
import { accountSql, hasPrivilegeOn, parseGrants, quoteIdent } from './grants.js';
import { fail, listSome, pass, plural, skip, withServer } from './outcome.js';

/** The base tables the migration covers, each with its spec entry when it is listed. */
export function coveredTables(ctx: CheckContext, tables: readonly TableFacts[]): { facts: TableFacts; spec?: TableSpec }[] {
  const out: { facts: TableFacts; spec?: TableSpec }[] = [];
  for (const obj of ctx.migration.spec.objects) {
    const inDb = tables.filter((t) => t.database === obj.database);
    if (!obj.tables) {
      out.push(...inDb.map((facts) => ({ facts })));
      continue;
    }
    for (const spec of obj.tables) {
      const facts = inDb.find((t) => t.table === spec.name);
      if (facts) out.push({ facts, spec });
    }
  }
  return out;
}

function withTables(ctx: CheckContext, f: (tables: { facts: TableFacts; spec?: TableSpec }[]) => Outcome): Outcome {
  return withServer(ctx, () => {
    const t = ctx.source.tables;
    return t.ok ? f(coveredTables(ctx, t.value)) : skip(`not checked: cannot list the tables: ${t.error}`);
  });
}

export const objectsExist: Check = {
  id: 'source.objects-exist',
  run: (ctx) =>
    withServer(ctx, (server) => {
      const { databases, tables, views } = ctx.source;
      if (!databases.ok || !tables.ok || !views.ok) return skip(`not checked: ${[databases, tables, views].find((k) => !k.ok)?.error ?? ''}`);
      const missing: string[] = [];
      for (const obj of ctx.migration.spec.objects) {
        if (!databases.value.includes(obj.database)) {
          missing.push(`database ${obj.database}`);
          continue;
        }
        for (const t of obj.tables ?? []) {
          const found = tables.value.some((x) => x.database === obj.database && x.table === t.name) || views.value.some((v) => v.database === obj.database && v.name === t.name);
          if (!found) missing.push(`table ${obj.database}.${t.name}`);
        }
      }
      const expected = 'every database and table of spec.objects';
      const listed = ctx.migration.spec.objects.reduce((n, o) => n + (o.tables?.length ?? 0), 0);
      if (missing.length === 0) return pass(`found ${plural(ctx.migration.spec.objects.length, 'database')}${listed > 0 ? ` and ${plural(listed, 'listed table')}` : ''}`, expected);
      // information_schema hides what the user has no privilege on, so "missing" may mean "not granted".
      const grants = ctx.source.grants.ok ? parseGrants(ctx.source.grants.value) : undefined;
      const hidden = grants && missing.some((x) => x.startsWith('database ') && !hasPrivilegeOn(grants, 'SELECT', x.slice(9)));
      const why = hidden ? ` (or ${server.account} has no privilege on them, which hides them)` : '';
      return fail(`missing: ${listSome(missing)}`, expected, `these do not exist on the source${why}`, 'create them on the source, correct the names in spec.objects (names are case-sensitive), or remove them');
    }),
};

export const primaryKey: Check = {
  id: 'source.primary-key',
  run: (ctx) =>
    withTables(ctx, (tables) => {
      const keyless = tables.filter((t) => !t.facts.hasKey).map((t) => t.facts);
      const expected = 'a primary key or a unique key over NOT NULL columns on every table';
      if (keyless.length === 0) return pass(`${plural(tables.length, 'table')}, each with a key`, expected);
      const names = keyless.map((t) => `${t.database}.${t.table}`);
      return fail(
        `${plural(keyless.length, 'table')} without a primary or unique key: ${listSome(names)}`,
        expected,
        `without a key, rows cannot be told apart: a resumed full load copies such a table again from the start, ${keylessConsequence(ctx)}. Accept this with spec.precheck.ignore: [source.primary-key]`,
        keyless.slice(0, 3).map((t) => `ALTER TABLE ${quoteIdent(t.database)}.${quoteIdent(t.table)} ADD PRIMARY KEY (<columns>)`).join('; ') + (keyless.length > 3 ? '; …' : ''),
      );
    }),
};

/** What a keyless table costs at the destination at hand. */
function keylessConsequence(ctx: CheckContext): string {
  return sinkKindOf(ctx.migration.spec.destination).keylessConsequence.precheck;
}

function carried(spec: TableSpec | undefined, column: string): boolean {
  const c = spec?.columns;
  if (!c) return true;
  return 'include' in c ? c.include.includes(column) : !c.exclude.includes(column);
}

/**
 * DTS reads rows with SELECT *, which leaves invisible columns out, so it calls them lost. mig
 * names every column it reads, so their values are carried; what remains is a surprise for
 * consumers, who get columns the source's SELECT * does not show.
 */
export const invisibleColumns: Check = {
  id: 'source.invisible-columns',
  run: (ctx) =>
    withServer(ctx, (server) =>
      withTables(ctx, (tables) => {
        const found = tables.flatMap((t) => t.facts.invisible.filter((c) => carried(t.spec, c.name)).map((c) => ({ t: t.facts, c })));
        const expected = 'no invisible columns in messages (or accepted)';
        if (found.length === 0) return pass('no invisible columns carried', expected);
        const at = (x: (typeof found)[number]) => `${quoteIdent(x.t.database)}.${quoteIdent(x.t.table)}`;
        const fix = found.slice(0, 3).map((x) =>
          server.flavor === 'mysql'
            ? `ALTER TABLE ${at(x)} ALTER COLUMN ${quoteIdent(x.c.name)} SET VISIBLE`
            : // MariaDB has no SET VISIBLE: restate the column without INVISIBLE (see SHOW CREATE TABLE for the rest).
              `ALTER TABLE ${at(x)} MODIFY COLUMN ${quoteIdent(x.c.name)} ${x.c.columnType}${x.c.nullable ? ' NULL' : ' NOT NULL'}${x.c.default !== null && x.c.default !== 'NULL' ? ` DEFAULT ${x.c.default}` : ''}`,
        );
        return fail(
          `invisible: ${listSome(found.map((x) => `${x.t.database}.${x.t.table}.${x.c.name}`))}`,
          expected,
          'mig reads columns by name, so these values are carried in messages (DTS, reading SELECT *, would lose them); consumers get columns SELECT * on the source does not show. To leave one out instead, add columns: { exclude: [name] } to its table' +
            (server.flavor === 'mariadb' ? '. MariaDB has no SET VISIBLE, so the fix restates the column: compare it with SHOW CREATE TABLE first (charset, comment, ON UPDATE)' : ''),
          fix.join('; ') + (found.length > 3 ? '; …' : ''),
        );
      }),
    ),
};

export const views: Check = {
  id: 'source.views',
  run: (ctx) =>
    withServer(ctx, (server) => {
      const v = ctx.source.views;
      if (!v.ok) return skip(`not checked: cannot list views: ${v.error}`);
      const dbs = ctx.migration.spec.objects.map((o) => o.database);
      const dest = sinkKindOf(ctx.migration.spec.destination);
      if (dest.copiesViews) return viewsToMysql(ctx, v.value, server.account);
      const expected = 'no views in the migrated databases (mig migrates base tables only)';
      if (v.value.length === 0) return pass(`no views in ${listSome(dbs)}`, expected, 'mig migrates base tables only, so SHOW VIEW is not needed');
      const listed = v.value.filter((x) => ctx.migration.spec.objects.some((o) => o.database === x.database && o.tables?.some((t) => t.name === x.name)));
      const grants = ctx.source.grants.ok ? parseGrants(ctx.source.grants.value) : undefined;
      const showView = grants && v.value.every((x) => hasPrivilegeOn(grants, 'SHOW VIEW', x.database));
      const listedNote = listed.length > 0 ? ` Listed as tables in spec.objects: ${listSome(listed.map((x) => `${x.database}.${x.name}`))}; a view has no binary log events of its own.` : '';
      return fail(
        `${plural(v.value.length, 'view')}: ${listSome(v.value.map((x) => `${x.database}.${x.name}`))}${grants ? `; SHOW VIEW ${showView ? 'granted' : 'not granted'}` : ''}`,
        expected,
        `mig migrates base tables only to ${dest.label}: these views are not copied, and their data arrives only through the base tables they read.${listedNote}`,
        'migrate the base tables the views read; accept with spec.precheck.ignore: [source.views]',
      );
    }),
};

/**
 * A MySQL destination gets the views of the databases a migration takes whole, created from SHOW
 * CREATE VIEW, which needs SHOW VIEW on them.
 */
function viewsToMysql(ctx: CheckContext, all: { database: string; name: string }[], account: string): Outcome {
  const whole = new Set(ctx.migration.spec.objects.filter((o) => !o.tables).map((o) => o.database));
  const copied = all.filter((x) => whole.has(x.database));
  const expected = 'SHOW VIEW on the databases whose views are created at the destination';
  if (copied.length === 0) return pass('no views in the databases taken whole', expected, 'views are created at a MySQL destination for databases taken whole (no tables list)');
  const grants = ctx.source.grants.ok ? parseGrants(ctx.source.grants.value) : undefined;
  const missing = [...new Set(copied.map((x) => x.database))].filter((db) => !grants || !hasPrivilegeOn(grants, 'SHOW VIEW', db));
  const names = listSome(copied.map((x) => `${x.database}.${x.name}`));
  if (missing.length === 0) return pass(`${plural(copied.length, 'view')} created at the destination: ${names}; SHOW VIEW granted`, expected);
  return fail(
    `${plural(copied.length, 'view')} to create (${names}); SHOW VIEW ${grants ? 'not granted' : 'unknown'} on ${listSome(missing)}`,
    expected,
    'views are created at the destination from SHOW CREATE VIEW, which the source refuses without SHOW VIEW',
    missing.map((db) => `GRANT SHOW VIEW ON ${quoteIdent(db)}.* TO ${accountSql(account)}`).join('; '),
  );
}

export const MAX_LISTED_TABLES = 1000;

/** DTS caps a task whose tables are edited one by one at 1,000; whole databases do not count. */
export const tableCount: Check = {
  id: 'migration.table-count',
  run(ctx) {
    const n = ctx.migration.spec.objects.reduce((sum, o) => sum + (o.tables?.length ?? 0), 0);
    const expected = `at most ${MAX_LISTED_TABLES} tables listed one by one`;
    if (n <= MAX_LISTED_TABLES) return pass(`${plural(n, 'table')} listed`, expected);
    return fail(`${n} tables listed`, expected, 'large per-table lists make the state, plan and review slow, and DTS refuses them', `split the tables across several migrations, or list whole databases (omit tables:) where every table goes to the default topic`);
  },
};
