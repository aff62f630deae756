// Small builders shared by the checks: outcomes, the usual reasons to skip, and how to change a
// server variable on each kind of source.
import type { KafkaDestination, MysqlSource } from '../spec/schema.js';
import type { CheckContext, Outcome, ServerFacts } from './types.js';
import { SOURCES, sourceByChanges, sourceKindOf } from '../connectors/registry.js';

export function pass(observed: string, expected: string, message = ''): Outcome {
  return { status: 'pass', observed, expected, message, fix: '' };
}

export function fail(observed: string, expected: string, message: string, fix: string): Outcome {
  return { status: 'fail', observed, expected, message, fix };
}

export function skip(message: string, expected = ''): Outcome {
  return { status: 'skipped', observed: '', expected, message, fix: '' };
}

/** Runs `f` with the server's facts, or skips when the source could not be reached. */
export function withServer(ctx: CheckContext, f: (server: ServerFacts) => Outcome): Outcome {
  const c = ctx.source.connection;
  return c.ok ? f(c.server) : skip(`not checked: the source could not be reached (${c.error})`);
}

/** Binlog checks only matter when the migration streams the binary log. */
export function incrementalOnly(ctx: CheckContext, f: () => Outcome): Outcome {
  if (sourceKindOf(ctx.migration.spec.source).changes !== 'binlog') return skip('not applicable: TiDB\'s changes come from TiDB-Binlog in Kafka, not from a MySQL binary log');
  return ctx.migration.spec.types.includes('incremental') ? f() : skip('not needed: incremental is not in spec.types, so the binary log is not read');
}

/** The source's flavour for messages and fixes; TiDB speaks the MySQL protocol. */
export function flavorOf(ctx: CheckContext): MysqlSource['type'] {
  const s = sourceByChanges(ctx.migration.spec.source);
  return s.changes === 'binlog' ? s.source.type : 'mysql';
}

/** Checks of Kafka topics only mean something when the destination has brokers and topics. */
export function kafkaOnly(ctx: CheckContext, f: (dest: KafkaDestination) => Outcome): Outcome {
  const d = ctx.migration.spec.destination;
  return 'brokers' in d ? f(d) : skip(`not applicable: the destination is ${d.type}`);
}

export function isOn(v: string | undefined): boolean {
  return v !== undefined && /^(ON|1|TRUE|YES)$/i.test(v.trim());
}

export function isManaged(type: MysqlSource['type']): boolean {
  return SOURCES[type].console !== undefined;
}

/** `major.minor.patch` of VERSION(), MariaDB's old replication prefix (5.5.5-) dropped. */
export function versionNumbers(version: string): [number, number, number] {
  const m = /^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

export function atLeast(version: string, major: number, minor: number, patch = 0): boolean {
  const [a, b, c] = versionNumbers(version);
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

/**
 * The statement that sets a dynamic global variable. MySQL 8's SET PERSIST also survives a restart;
 * elsewhere SET GLOBAL does not, so the message should say to put it in the configuration too.
 * Managed PolarDB instances take parameters in their console only.
 */
export function setVariable(type: MysqlSource['type'], server: ServerFacts, name: string, value: string | number): string {
  const console = SOURCES[type].console;
  if (console !== undefined) return `in the ${console} console, set the parameter ${name} to ${value}`;
  const v = typeof value === 'number' ? String(value) : `'${value}'`;
  const persist = server.flavor === 'mysql' && atLeast(server.version, 8, 0);
  return `SET ${persist ? 'PERSIST' : 'GLOBAL'} ${name} = ${v}`;
}

/** Whether the fix from setVariable is lost at the next restart. */
export function needsConfigToo(type: MysqlSource['type'], server: ServerFacts): boolean {
  return !isManaged(type) && !(server.flavor === 'mysql' && atLeast(server.version, 8, 0));
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** At most `max` items, then "and N more": findings stay one readable line. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
