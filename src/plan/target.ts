// --target MIGRATION[/DB.TABLE] (Terraform's -target): plan and apply only part of the specs. A
// migration target leaves the other migrations out of the inspection, the plan and the apply; a
// table target plans the migration as if its applied spec had changed for that table alone, so
// only that table's changes are planned, and apply records that spec (the rest waits for a full plan).
import type { LoadedMigration } from '../spec/index.js';
import type { Migration, ObjectSpec } from '../spec/schema.js';
import { closest } from '../spec/suggest.js';
import type { State } from '../state/model.js';
import { MigError } from '../util/errors.js';
import type { LiveView } from './build.js';
import type { Plan } from './change.js';
import { desiredFor } from './desired.js';

/** The targets by migration: the tables named (`database.table`), or `all` for the whole migration. */
export type Targets = Map<string, 'all' | Set<string>>;

/** Reads the flags' values, refusing a migration no spec and no recorded state knows (with a did-you-mean). */
export function parseTargets(texts: readonly string[], loaded: readonly LoadedMigration[], state: State): Targets {
  const known = [...new Set([...loaded.map((l) => l.migration.metadata.name), ...Object.keys(state.migrations)])];
  const out: Targets = new Map();
  for (const text of texts) {
    const slash = text.indexOf('/');
    const name = slash < 0 ? text : text.slice(0, slash);
    const table = slash < 0 ? undefined : text.slice(slash + 1);
    if (!known.includes(name)) {
      const near = closest(name, known);
      throw new MigError('target-unknown', `--target ${text}: no migration is named ${name}${near ? `; did you mean ${near}?` : ''}`, `name a migration of the specs or of mig status${known.length > 0 ? ` (${known.join(', ')})` : ''}, optionally as MIGRATION/DATABASE.TABLE`);
    }
    if (table !== undefined && !loaded.some((l) => l.migration.metadata.name === name)) {
      throw new MigError('target-invalid', `--target ${text}: migration ${name} is no longer in the specs, so only the whole of it can be planned (its removal)`, `write --target ${name}`);
    }
    if (table !== undefined && !/^[^.\s]+\.[^.\s]+$/.test(table)) {
      throw new MigError('target-invalid', `--target ${text}: ${table || '(nothing)'} is not a table as DATABASE.TABLE`, `write the table as ${name}/DATABASE.TABLE, as mig status lists it`);
    }
    const had = out.get(name);
    if (table === undefined || had === 'all') out.set(name, 'all');
    else out.set(name, new Set([...(had ?? []), table]));
  }
  return out;
}

/**
 * The migrations a targeted plan and apply work on: the targeted ones, each table-targeted one as
 * its applied spec changed only for those tables.
 */
export function targetedMigrations(loaded: readonly LoadedMigration[], state: State, targets: Targets): LoadedMigration[] {
  const out: LoadedMigration[] = [];
  for (const l of loaded) {
    const t = targets.get(l.migration.metadata.name);
    if (t === undefined) continue;
    if (t === 'all') out.push(l);
    else out.push({ ...l, migration: withTablesOnly(state.migrations[l.migration.metadata.name]?.spec, l.migration, t) });
  }
  return out;
}

/**
 * The applied spec `was` with the entries of `tables` taken from `now` (added, changed or removed);
 * a migration never applied gets `now` limited to those tables. Everything else (source,
 * destination, other tables) stays as applied.
 */
export function withTablesOnly(was: Migration | undefined, now: Migration, tables: ReadonlySet<string>): Migration {
  const out = structuredClone(was ?? { ...now, spec: { ...now.spec, objects: [] } });
  let objects: ObjectSpec[] = out.spec.objects;
  for (const id of tables) {
    const [database, name] = id.split('.') as [string, string];
    const wanted = entryOf(now.spec.objects, database, name);
    const obj = objects.find((o) => o.database === database);
    // A database taken whole (in the applied spec) already takes the table: its changes come from the source.
    if (obj && !obj.tables) continue;
    if (obj) {
      const rest = obj.tables!.filter((t) => t.name !== name);
      obj.tables = wanted ? [...rest, wanted] : rest;
    } else if (wanted) {
      const from = now.spec.objects.find((o) => o.database === database)!;
      objects.push({ database, ...(from.target ? { target: from.target } : {}), tables: [wanted] });
    }
  }
  objects = objects.filter((o) => !o.tables || o.tables.length > 0);
  // A spec needs one object at least: a migration never applied targeted at tables it does not have.
  out.spec.objects = objects.length > 0 ? objects : now.spec.objects;
  return out;
}

/** The table's entry in `objects`: its own, or a plain one when its database is taken whole. */
function entryOf(objects: readonly ObjectSpec[], database: string, name: string): NonNullable<ObjectSpec['tables']>[number] | undefined {
  const obj = objects.find((o) => o.database === database);
  if (!obj) return undefined;
  if (!obj.tables) return { name };
  return obj.tables.find((t) => t.name === name);
}

/**
 * Refuses a table target no version of its migration knows: not in the new spec, the applied one,
 * the state, nor (a database taken whole) on the source. Unchecked when the source could not be read.
 */
export function checkTableTargets(targets: Targets, loaded: readonly LoadedMigration[], state: State, live: ReadonlyMap<string, LiveView>): void {
  for (const [name, t] of targets) {
    if (t === 'all') continue;
    const view = live.get(name);
    const ms = state.migrations[name];
    const known = new Set(Object.keys(ms?.tables ?? {}));
    let unread = false;
    for (const m of [loaded.find((x) => x.migration.metadata.name === name)?.migration, ms?.spec]) {
      if (!m) continue;
      for (const o of m.spec.objects) for (const x of o.tables ?? []) known.add(`${o.database}.${x.name}`);
      if (view?.source.ok) for (const x of desiredFor(m, view.source).tables) known.add(x.id);
      else if (m.spec.objects.some((o) => !o.tables)) unread = true;
    }
    if (unread) continue;
    for (const id of t) {
      if (known.has(id)) continue;
      const near = closest(id, [...known]);
      throw new MigError('target-unknown', `--target ${name}/${id}: migration ${name} has no table ${id}${near ? `; did you mean ${near}?` : ''}`, `name one of its tables as DATABASE.TABLE${known.size > 0 ? ` (${[...known].sort().join(', ')})` : ''}`);
    }
  }
}

/** Refuses --replace of a migration the targets leave out: the targeted plan would silently drop it. */
export function checkReplaceTargeted(replace: readonly string[], targets: Targets, texts: readonly string[]): void {
  for (const r of replace) {
    const name = r.split('/')[0]!;
    if (targets.has(name)) continue;
    throw new MigError('replace-untargeted', `--replace ${r}: ${name} is not among the targets (--target ${texts.join(', --target ')})`, `add --target ${name}, or leave --replace ${r} out`);
  }
}

/**
 * The plan limited to the targets: other migrations (a removed one's delete included) and their
 * notes are left out, and a warning says the plan is partial, as Terraform's does.
 */
export function limitPlan(plan: Plan, targets: Targets, texts: readonly string[], live: ReadonlyMap<string, LiveView>): Plan {
  const inScope = (migration: string | undefined) => migration === undefined || targets.has(migration.split('/')[0]!);
  const migrations = plan.migrations.filter((m) => targets.has(m.name));
  // Only the targeted migrations were inspected: the others' live systems do not make this plan partial.
  const partial = [...targets.keys()].some((n) => {
    const v = live.get(n);
    return v !== undefined && (!v.source.ok || !v.topics.ok || (v.targets !== undefined && !v.targets.ok));
  });
  return {
    ...plan,
    migrations,
    partial,
    targets: [...texts],
    notes: [
      {
        severity: 'warning',
        message: `this plan is limited to --target ${texts.join(', ')}: changes to anything else are neither shown nor applied, and may still be pending`,
        hint: 'use --target for exceptions, such as one migration or table to fix now; run mig plan without --target to see every change',
      },
      ...plan.notes.filter((n) => inScope(n.migration)),
    ],
  };
}
