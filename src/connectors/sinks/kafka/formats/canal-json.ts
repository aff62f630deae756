// Canal JSON as DTS writes it: one row per message, values as strings, SQL NULL as null, `old` holding
// only the changed columns. Keys are alphabetical, as DTS (and canal's serializer) emit them.
import type { ChangeEvent, Row, SqlValue } from '../../../../model/source-data.js';
import type { EncodeContext, MessageFormat, TableCodec } from './format.js';
import { valueText } from '../codec.js';

export type { TableCodec } from './format.js';

export interface CanalJson {
  data: Record<string, string | null>[] | null;
  database: string;
  es: number;
  id: number;
  isDdl: boolean;
  mysqlType: Record<string, string> | null;
  old: Record<string, string | null>[] | null;
  pkNames: string[] | null;
  sql: string;
  sqlType: Record<string, number> | null;
  table: string;
  ts: number;
  type: string;
}

function sameValue(a: SqlValue | undefined, b: SqlValue | undefined): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

const DDL_TYPES: [RegExp, string][] = [
  [/^CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX/i, 'CINDEX'],
  [/^DROP\s+INDEX/i, 'DINDEX'],
  [/^CREATE\s+(OR\s+REPLACE\s+)?(TEMPORARY\s+)?TABLE/i, 'CREATE'],
  [/^ALTER\s+(ONLINE\s+)?(IGNORE\s+)?TABLE/i, 'ALTER'],
  [/^DROP\s+(TEMPORARY\s+)?TABLE/i, 'ERASE'],
  [/^TRUNCATE/i, 'TRUNCATE'],
  [/^RENAME\s+TABLE/i, 'RENAME'],
];

export function ddlType(sql: string): string {
  const s = sql.replace(/^\s*(\/\*.*?\*\/\s*)*/s, '');
  for (const [re, t] of DDL_TYPES) if (re.test(s)) return t;
  return 'QUERY';
}

/**
 * The parts of a row message that never change for a table shape (column name prefixes, mysqlType,
 * pkNames, sqlType), serialised once; per row only values, names and times are written. The output
 * is byte-for-byte what JSON.stringify of a CanalJson object gives (a unit test holds it to that).
 */
interface Template {
  /** `"col":` per column, JSON-escaped. */
  names: string[];
  /** `,"isDdl":false,"mysqlType":{…}` */
  mysqlType: string;
  /** `"pkNames":…,"sql":"","sqlType":{…},` */
  pkToSqlType: string;
  /** The last database and table names seen and their JSON (one route per codec: they rarely change). */
  database?: string;
  databaseJson?: string;
  table?: string;
  tableJson?: string;
}

const templates = new WeakMap<TableCodec, Template>();

function template(c: TableCodec): Template {
  let t = templates.get(c);
  if (!t) {
    t = {
      names: c.cols.map((col) => `${JSON.stringify(col.name)}:`),
      mysqlType: `,"isDdl":false,"mysqlType":${JSON.stringify(c.mysqlType)}`,
      pkToSqlType: `"pkNames":${JSON.stringify(c.pkNames)},"sql":"","sqlType":${JSON.stringify(c.sqlType)},`,
    };
    templates.set(c, t);
  }
  return t;
}

// JSON.stringify escapes only these (and lone surrogates; any surrogate takes the slow path here):
// other strings are quoted as they are, byte for byte what JSON.stringify gives.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function rowJson(c: TableCodec, t: Template, r: Row): string {
  let out = '{';
  for (let i = 0; i < c.cols.length; i++) {
    const col = c.cols[i]!;
    const v = valueText(col, r[col.name] ?? null);
    out += (i === 0 ? '' : ',') + t.names[i] + (v === null ? 'null' : jsonString(v));
  }
  return out + '}';
}

function changedJson(c: TableCodec, t: Template, before: Row, after: Row): string {
  let out = '{';
  let first = true;
  for (let i = 0; i < c.cols.length; i++) {
    const col = c.cols[i]!;
    if (sameValue(before[col.name], after[col.name])) continue;
    const v = valueText(col, before[col.name] ?? null);
    out += (first ? '' : ',') + t.names[i] + (v === null ? 'null' : jsonString(v));
    first = false;
  }
  return out + '}';
}

const TYPES = { insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' } as const;

export function encodeCanalJson(ev: ChangeEvent, codec: TableCodec | undefined, now: number): Buffer {
  if (ev.kind === 'ddl') {
    const msg: CanalJson = {
      data: null, database: ev.database, es: ev.timestamp, id: ev.id, isDdl: true, mysqlType: null, old: null,
      pkNames: null, sql: ev.sql, sqlType: null, table: ev.table ?? '', ts: now, type: ddlType(ev.sql),
    };
    return Buffer.from(JSON.stringify(msg));
  }
  const c = codec!;
  const t = template(c);
  const image = ev.op === 'delete' ? ev.before! : ev.after!;
  const old = ev.op === 'update' && ev.before && ev.after ? `[${changedJson(c, t, ev.before, ev.after)}]` : 'null';
  if (t.database !== ev.database) {
    t.database = ev.database;
    t.databaseJson = JSON.stringify(ev.database);
  }
  if (t.table !== ev.table) {
    t.table = ev.table;
    t.tableJson = JSON.stringify(ev.table);
  }
  const json =
    `{"data":[${rowJson(c, t, image)}],"database":${t.databaseJson},"es":${ev.timestamp},"id":${ev.id}` +
    `${t.mysqlType},"old":${old},${t.pkToSqlType}"table":${t.tableJson},"ts":${now},"type":"${TYPES[ev.op]}"}`;
  return Buffer.from(json);
}

export const canalJson: MessageFormat = {
  name: 'canal-json',
  encode: (ev: ChangeEvent, codec: TableCodec | undefined, ctx: EncodeContext) => encodeCanalJson(ev, codec, ctx.now),
};
