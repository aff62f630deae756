// Shareplex JSON as DTS writes it: {"meta": {...}, "data": {...}, "key": {...}}, one change per
// message, values as strings (the same text as Canal JSON), SQL NULL as null.
import type { ChangeEvent, ColumnInfo, Row, SqlValue } from '../../../../model/source-data.js';
import type { EncodeContext, MessageFormat, TableCodec } from './format.js';
import { valueText } from '../codec.js';

export interface ShareplexMeta {
  time: string;
  userid: number;
  op: 'ins' | 'upd' | 'del' | 'ddl';
  scn: string;
  rowid: string;
  trans: string;
  seq: number;
  size: number;
  table: string;
  idx: string;
  posttime: string;
}

export interface ShareplexJson {
  meta: ShareplexMeta;
  data: Record<string, string | null>;
  key: Record<string, string | null>;
}

/** `yyyy-MM-ddTHH:mm:ss` in UTC, the form of DTS's examples (no zone suffix, no fraction). */
export function shareplexTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function columnsText(cols: ColumnInfo[], r: Row): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of cols) out[c.name] = valueText(c, r[c.name] ?? null);
  return out;
}

function sameValue(a: SqlValue | undefined, b: SqlValue | undefined): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

const OPS = { insert: 'ins', update: 'upd', delete: 'del' } as const;

/**
 * meta: mig has no user ids, row addresses or Oracle-style transaction ids, so userid is 0 and rowid
 * and trans are empty (the change id's high bits name a binlog file, shared by many transactions,
 * and would mislead a consumer grouping by trans). Each message is its own unit: seq 1 of size 1.
 * DDL uses op `ddl`: DTS lists no generic DDL operation, and the statement goes in data.ddl.
 */
function meta(ev: ChangeEvent, op: ShareplexMeta['op'], now: number): ShareplexMeta {
  return {
    time: shareplexTime(ev.timestamp), userid: 0, op, scn: String(ev.id), rowid: '', trans: '', seq: 1, size: 1,
    table: ev.table === undefined ? ev.database : `${ev.database}.${ev.table}`, idx: '1/1', posttime: shareplexTime(now),
  };
}

export function encodeShareplexJson(ev: ChangeEvent, codec: TableCodec | undefined, ctx: EncodeContext): Buffer {
  if (ev.kind === 'ddl') {
    const msg: ShareplexJson = { meta: meta(ev, 'ddl', ctx.now), data: { ddl: ev.sql }, key: {} };
    return Buffer.from(JSON.stringify(msg));
  }
  const c = codec!;
  let data: Record<string, string | null>;
  let key: Record<string, string | null> = {};
  if (ev.op === 'insert') data = columnsText(c.cols, ev.after!);
  else if (ev.op === 'delete') data = columnsText(c.cols, ev.before!);
  else {
    // Changed columns' new values; the key columns' old values find the row (the whole old row without a key).
    data = {};
    for (const col of c.cols) {
      if (!sameValue(ev.before![col.name], ev.after![col.name])) data[col.name] = valueText(col, ev.after![col.name] ?? null);
    }
    key = columnsText(c.keyCols.length > 0 ? c.keyCols : c.cols, ev.before!);
  }
  const msg: ShareplexJson = { meta: meta(ev, OPS[ev.op], ctx.now), data, key };
  return Buffer.from(JSON.stringify(msg));
}

export const shareplexJson: MessageFormat = { name: 'shareplex-json', encode: encodeShareplexJson };
