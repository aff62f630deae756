// Checks on the source server as a whole: can mig log in, is the version one mig supports, and
// does mig's replication server id stay clear of the source's and other migrations'.
import type { Migration } from '../spec/schema.js';
import { defaultServerId } from '../connectors/sources/mysql/endpoint.js';
import { SOURCES, sourceKindOf } from '../connectors/registry.js';
import type { Check } from './types.js';
import { atLeast, fail, pass, skip, versionNumbers, withServer } from './outcome.js';

export const sourceConnection: Check = {
  id: 'source.connection',
  run(ctx) {
    const s = ctx.migration.spec.source;
    const where = `${s.host}:${s.port}`;
    const c = ctx.source.connection;
    if (c.ok) return pass(`connected to ${where} as ${c.server.account}`, `a connection as ${s.user}`);
    return fail(c.error, `a connection to ${where} as ${s.user}`, `mig cannot read the source: ${c.code}`, c.hint ?? 'check spec.source and that the server is running');
  },
};

/**
 * MySQL 5.6 is the first with binlog_row_image, which a FULL row image needs. MariaDB 10.2 is the
 * oldest line whose information_schema gives what mig reads (quoted COLUMN_DEFAULT, generated
 * columns); anything older is out of its vendor's support. PolarDB-X reports the MySQL version it
 * is compatible with, which varies by release, so it is not held to the MySQL floor.
 */
export function versionSupport(type: Migration['spec']['source']['type'], flavor: 'mariadb' | 'mysql', version: string): { ok: boolean; expected: string } {
  if (flavor === 'mariadb') return { ok: atLeast(version, 10, 2), expected: 'MariaDB 10.2 or later' };
  const kind = SOURCES[type];
  if (!kind.mysqlVersionFloor) return { ok: true, expected: `any ${kind.label} version (it speaks the MySQL 5.7/8.0 protocol)` };
  return { ok: atLeast(version, 5, 6), expected: 'MySQL 5.6, 5.7, 8.x or later' };
}

export const sourceVersion: Check = {
  id: 'source.version',
  run: (ctx) =>
    withServer(ctx, (server) => {
      const type = ctx.migration.spec.source.type;
      const { ok, expected } = versionSupport(type, server.flavor, server.version);
      const mismatch = flavorMismatch(type, server.flavor);
      if (ok) return pass(server.version, expected, mismatch.trim().replace(/^\(|\)$/g, ''));
      const [major, minor] = versionNumbers(server.version);
      return fail(server.version, expected, `mig does not support ${server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${major}.${minor}${mismatch}`, `upgrade the source to ${expected}`);
    }),
};

/** The flavour a MySQL or MariaDB source must report, when the server reports the other one. */
function flavorMismatch(type: Migration['spec']['source']['type'], flavor: 'mariadb' | 'mysql'): string {
  const want = SOURCES[type].flavor;
  if (want === undefined || want === flavor || SOURCES[type].changes !== 'binlog') return '';
  return want === 'mariadb' ? ' (spec.source.type is mariadb, but the server is MySQL)' : ' (spec.source.type is mysql, but the server is MariaDB: set type: mariadb)';
}

/** The id mig registers with when it reads the binary log (the same rule apply uses). */
export function effectiveServerId(m: Migration): number {
  const s = m.spec.source;
  return sourceKindOf(s).serverId(s) ?? defaultServerId(m.metadata.name);
}

function sameSource(a: Migration, b: Migration): boolean {
  return a.spec.source.host.toLowerCase() === b.spec.source.host.toLowerCase() && a.spec.source.port === b.spec.source.port;
}

/** An id used by nothing else in view: the default plus the smallest offset that is free. */
function freeServerId(m: Migration, taken: Set<number>): number {
  let id = defaultServerId(m.metadata.name);
  while (taken.has(id)) id++;
  return id;
}

/**
 * The source keeps one binlog connection per server id: when a second registers with the same id
 * it drops the first, so two migrations sharing one would knock each other off. The source's own
 * id is accepted by MariaDB and MySQL, but ids must be unique across a replication topology (DTS
 * refuses it too) and replica bookkeeping (SHOW SLAVE HOSTS) could no longer tell the two apart.
 * Migrations on other sources may share an id without harm.
 */
export const sourceServerId: Check = {
  id: 'source.server-id',
  run(ctx) {
    const m = ctx.migration;
    if (!m.spec.types.includes('incremental')) return skip('not needed: incremental is not in spec.types, so mig does not register as a replica');
    if (sourceKindOf(m.spec.source).changes !== 'binlog') return skip('not applicable: mig reads TiDB\'s changes from Kafka and does not register as a replica');
    const mine = effectiveServerId(m);
    const how = sourceKindOf(m.spec.source).serverId(m.spec.source) === undefined ? ' (derived from the migration name)' : '';
    const others = ctx.all.filter((o) => o.metadata.name !== m.metadata.name && sameSource(o, m) && effectiveServerId(o) === mine);
    const c = ctx.source.connection;
    const sourceId = c.ok ? c.server.serverId : undefined;
    const clashes = [
      ...(sourceId === mine ? [`the source's own @@server_id`] : []),
      ...others.map((o) => `migration ${o.metadata.name} on the same source`),
    ];
    const taken = new Set<number>([...(sourceId !== undefined ? [sourceId] : []), ...ctx.all.map(effectiveServerId)]);
    if (clashes.length > 0) {
      const why = others.length > 0
        ? 'the source keeps one binlog connection per server id: streaming at the same time, the migrations would drop each other\'s connection'
        : 'server ids must be unique across a replication topology; with the source\'s own, its replica bookkeeping (SHOW SLAVE HOSTS) cannot tell mig from the server itself';
      return fail(`server id ${mine}${how}, also used by ${clashes.join(' and ')}`, 'a server id no other server or migration uses', why, `set spec.source.serverId: ${freeServerId(m, taken)}`);
    }
    const note = c.ok ? `source @@server_id is ${c.server.serverId}` : 'the source could not be reached; only other migrations were compared';
    return pass(`server id ${mine}${how}`, 'a server id no other server or migration uses', note);
  },
};
