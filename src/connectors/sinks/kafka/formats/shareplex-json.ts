// Shareplex JSON as DTS writes it: {"meta": {...}, "data": {...}, "key": {...}}, one change per
// message, values as strings (the same text as Canal JSON), SQL NULL as null.
import type { ColumnInfo, Row, SqlValue } from '../../../../model/source-data.js';
import type { EncodeContext, MessageFormat, PlacedEvent, TableCodec } from './format.js';
import { sourcePosition } from './dts-avro.js';
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
 * meta, field by field (DTS documents trans, seq, size and idx; the rest has no MySQL equivalent):
 * - trans: the transaction's id, the binlog place of its first change as DTS Avro's sourcePosition
 *   writes it (`<offset>@<file index>`): the same for every change of a source transaction and on
 *   redelivery, different between transactions.
 * - seq: the change's position in its transaction from 1; size: the changes in the transaction;
 *   idx: "seq/size". Both count the transaction's changes to the migration's tables as the binlog
 *   reader hands them on, before this destination's operation and filter selection, so a filtered
 *   destination sees gaps in seq but the source transaction's size.
 * - Large transactions: the reader hands a transaction over 5000 changes on in parts, and mig writes
 *   each part without holding the whole transaction, so messages of the parts before the last carry
 *   size 0 (unknown when written; idx "seq/0"); the last part's messages carry the real size.
 * - Full-load rows belong to no source transaction: trans "", seq 1, size 1, idx "1/1", each row its
 *   own unit. DDL likewise (its own implicit transaction in MySQL): trans "", 1 of 1.
 * - userid stays 0 and rowid "": the binlog records no committing user (MySQL has no user id in row
 *   events) and MySQL rows have no physical row address like Oracle's ROWID; the fields are kept
 *   because DTS's layout has them.
 * - scn: the change id (binlog file index and offset), MySQL's nearest thing to a change number.
 * DDL uses op `ddl`: DTS lists no generic DDL operation, and the statement goes in data.ddl.
 */
function meta(ev: PlacedEvent, op: ShareplexMeta['op'], now: number): ShareplexMeta {
  const tx = ev.kind === 'row' ? ev.tx : undefined;
  const seq = tx?.seq ?? 1;
  const size = tx ? (tx.size ?? 0) : 1;
  return {
    time: shareplexTime(ev.timestamp), userid: 0, op, scn: String(ev.id), rowid: '', trans: tx ? sourcePosition(tx.first) : '', seq, size,
    table: ev.table === undefined ? ev.database : `${ev.database}.${ev.table}`, idx: `${seq}/${size}`, posttime: shareplexTime(now),
  };
}

export function encodeShareplexJson(ev: PlacedEvent, codec: TableCodec | undefined, ctx: EncodeContext): Buffer {
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
    // data: the changed columns' new values. key: the before image, every column's old value (the
    // changed ones and the others), as DTS's documented example carries more than the primary key.
    data = {};
    for (const col of c.cols) {
      if (!sameValue(ev.before![col.name], ev.after![col.name])) data[col.name] = valueText(col, ev.after![col.name] ?? null);
    }
    key = columnsText(c.cols, ev.before!);
  }
  const msg: ShareplexJson = { meta: meta(ev, OPS[ev.op], ctx.now), data, key };
  return Buffer.from(JSON.stringify(msg));
}

export const shareplexJson: MessageFormat = { name: 'shareplex-json', encode: encodeShareplexJson };
