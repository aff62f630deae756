// Reading mig's messages back (mig verify): each format's value decoded to the change it carries,
// the row image under its message names with each value as text. Values are compared as these texts,
// so a message mig writes for a source row now and the one in the topic agree when they carry the
// same row, whatever else (times, positions) differs.
import type { FormatName } from './format.js';
import type { CanalJson } from './canal-json.js';
import type { ShareplexJson } from './shareplex-json.js';
import { recordType } from './dts-avro.js';
import { unframeConfluent } from '../schema-registry.js';

export type Image = Record<string, string | null>;

export type DecodedChange =
  | {
      kind: 'row'; op: 'insert' | 'update' | 'delete'; database: string; table: string; before?: Image; after?: Image;
      /** The change's id (its place in the source log; 0 for full-load rows). */
      id: number;
      /** DTS Avro: the old image's values as the message key writes them, where the type allows (see sourceText). */
      beforeText?: Image;
    }
  | { kind: 'ddl' };

function canal(value: Buffer): DecodedChange {
  const m = JSON.parse(value.toString('utf8')) as CanalJson;
  if (m.isDdl) return { kind: 'ddl' };
  const image = m.data?.[0] ?? {};
  const where = { database: m.database, table: m.table, id: m.id };
  if (m.type === 'DELETE') return { kind: 'row', op: 'delete', ...where, before: image };
  if (m.type === 'UPDATE') return { kind: 'row', op: 'update', ...where, before: { ...image, ...(m.old?.[0] ?? {}) }, after: image };
  return { kind: 'row', op: 'insert', ...where, after: image };
}

function shareplex(value: Buffer): DecodedChange {
  const m = JSON.parse(value.toString('utf8')) as ShareplexJson;
  if (m.meta.op === 'ddl') return { kind: 'ddl' };
  const dot = m.meta.table.indexOf('.');
  const where = { database: m.meta.table.slice(0, dot), table: m.meta.table.slice(dot + 1), id: Number(m.meta.scn) };
  if (m.meta.op === 'del') return { kind: 'row', op: 'delete', ...where, before: m.data };
  // An update carries the changed columns' new values in data and the whole old row in key.
  if (m.meta.op === 'upd') return { kind: 'row', op: 'update', ...where, before: m.key, after: { ...m.key, ...m.data } };
  return { kind: 'row', op: 'insert', ...where, after: m.data };
}

interface AvroRow {
  id: number | bigint;
  operation: string;
  objectName: string | null;
  fields: { name: string }[] | null;
  beforeImages: unknown[] | string | null;
  afterImages: unknown[] | string | null;
}

/** An image item as text: its union branch and fields (bytes as hex), null for SQL NULL. */
function itemText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data) ? Buffer.from((x as { data: number[] }).data).toString('hex') : x));
}

const DTS = 'com.alibaba.dts.formats.avro.';
const DECODERS: Record<string, BufferEncoding> = { utf8: 'utf8', utf8mb3: 'utf8', utf8mb4: 'utf8', latin1: 'latin1', ascii: 'latin1' };

/**
 * An image item as the text the message key holds for the value (the source's text, as in
 * canal-json), for the types a key is made of: integers, decimals, strings in UTF-8 or Latin-1,
 * binary bytes. Undefined for the others (times, floats, other charsets), whose key text the item
 * does not give back exactly.
 */
function sourceText(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  const [branch, body] = Object.entries(v as Record<string, { value?: unknown; charset?: string }>)[0] ?? [];
  if (!branch || !body) return undefined;
  switch (branch.slice(DTS.length)) {
    case 'Integer': case 'Decimal':
      return String(body.value);
    case 'Character': {
      const enc = DECODERS[body.charset ?? ''];
      return enc && Buffer.isBuffer(body.value) ? body.value.toString(enc) : undefined;
    }
    case 'BinaryObject':
      return Buffer.isBuffer(body.value) ? body.value.toString('latin1') : undefined;
    default:
      return undefined;
  }
}

/** `db.table` with literal dots written as `\u002E` (dts-avro.ts objectName). */
function splitObjectName(name: string): { database: string; table: string } {
  const dot = name.indexOf('.');
  const un = (s: string) => s.replaceAll('\\u002E', '.');
  return { database: un(name.slice(0, dot)), table: un(name.slice(dot + 1)) };
}

function avro(value: Buffer, framed: boolean): DecodedChange {
  const r = recordType.fromBuffer(framed ? unframeConfluent(value).payload : value) as AvroRow;
  if (r.operation !== 'INSERT' && r.operation !== 'UPDATE' && r.operation !== 'DELETE') return { kind: 'ddl' };
  const names = (r.fields ?? []).map((f) => f.name);
  const image = (items: unknown[] | string | null): Image | undefined => {
    if (!Array.isArray(items)) return undefined;
    const out: Image = {};
    names.forEach((n, i) => (out[n] = itemText(items[i])));
    return out;
  };
  const op = r.operation === 'INSERT' ? 'insert' : r.operation === 'UPDATE' ? 'update' : 'delete';
  const change: DecodedChange = { kind: 'row', op, ...splitObjectName(r.objectName ?? ''), id: Number(r.id), before: image(r.beforeImages), after: image(r.afterImages) };
  if (op === 'update' && Array.isArray(r.beforeImages)) {
    // Only the values that convert: a key of other types finds no old key (mig verify then reports it).
    const text: Image = {};
    names.forEach((n, i) => {
      const t = sourceText((r.beforeImages as unknown[])[i]);
      if (t !== undefined) text[n] = t;
    });
    change.beforeText = text;
  }
  return change;
}

/** Decodes one message value of the format; `framed` when a schema registry framed it (Confluent wire format). */
export function decodeMessage(format: FormatName, value: Buffer, framed = false): DecodedChange {
  switch (format) {
    case 'canal-json':
      return canal(value);
    case 'shareplex-json':
      return shareplex(value);
    case 'dts-avro':
      return avro(value, framed);
  }
}
