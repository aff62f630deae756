// Canal JSON as DTS writes it: one row per message, values as strings, SQL NULL as null, `old` holding
// only the changed columns. Keys are alphabetical, as DTS (and canal's serializer) emit them.
import type { ChangeEvent, ColumnInfo, Row, SqlValue } from '../../../source/types.js';
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

function rowText(cols: ColumnInfo[], r: Row): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of cols) out[c.name] = valueText(c, r[c.name] ?? null);
  return out;
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

export function encodeCanalJson(ev: ChangeEvent, codec: TableCodec | undefined, now: number): Buffer {
  if (ev.kind === 'ddl') {
    const msg: CanalJson = {
      data: null, database: ev.database, es: ev.timestamp, id: ev.id, isDdl: true, mysqlType: null, old: null,
      pkNames: null, sql: ev.sql, sqlType: null, table: ev.table ?? '', ts: now, type: ddlType(ev.sql),
    };
    return Buffer.from(JSON.stringify(msg));
  }
  const c = codec!;
  const image = ev.op === 'delete' ? ev.before! : ev.after!;
  let old: Record<string, string | null>[] | null = null;
  if (ev.op === 'update' && ev.before && ev.after) {
    const changed: Record<string, string | null> = {};
    for (const col of c.cols) {
      if (!sameValue(ev.before[col.name], ev.after[col.name])) changed[col.name] = valueText(col, ev.before[col.name] ?? null);
    }
    old = [changed];
  }
  const msg: CanalJson = {
    data: [rowText(c.cols, image)], database: ev.database, es: ev.timestamp, id: ev.id, isDdl: false,
    mysqlType: c.mysqlType, old, pkNames: c.pkNames, sql: '', sqlType: c.sqlType, table: ev.table, ts: now,
    type: ev.op.toUpperCase(),
  };
  return Buffer.from(JSON.stringify(msg));
}

export const canalJson: MessageFormat = {
  name: 'canal-json',
  encode: (ev: ChangeEvent, codec: TableCodec | undefined, ctx: EncodeContext) => encodeCanalJson(ev, codec, ctx.now),
};
