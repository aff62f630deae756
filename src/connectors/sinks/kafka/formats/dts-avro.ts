// DTS Avro: each message value is one binary-encoded com.alibaba.dts.formats.avro.Record, with no
// container header and no registry prefix, as DTS writes it and its subscribe SDK reads it. The
// schema is the committed schemas/dts-avro/Record.avsc, so what consumers compile from that file is
// exactly what is checked here on every encode.
import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import type { ChangeEvent, Row } from '../../../../model/source-data.js';
import type { EncodeContext, MessageFormat, TableCodec } from './format.js';
import { imageValue, planColumn, type ColumnPlan, type ImageValue } from './dts-avro-values.js';

type AvroSchema = Parameters<typeof avsc.Type.forSchema>[0];

// Four levels up is the package root from src/sink/kafka/formats and from dist/sink/kafka/formats alike.
const SCHEMA_URL = new URL('../../../../../schemas/dts-avro/Record.avsc', import.meta.url);

/** The Record type; unions of one type and null are plain values, the image-item union is wrapped. */
/** The committed schema as JSON: what a schema registry stores for the value subject. */
export const recordSchema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as AvroSchema;
export const recordType = avsc.Type.forSchema(recordSchema, { wrapUnions: 'auto' });

interface Field {
  name: string;
  dataTypeNumber: number;
}

interface TablePlan {
  names: string[];
  plans: ColumnPlan[];
  fields: Field[];
  tags: Record<string, string>;
}

/** The record as avsc encodes it; field order is the schema's, not this object's. */
interface AvroRecord {
  version: number;
  id: number;
  sourceTimestamp: number;
  sourcePosition: string;
  safeSourcePosition: string;
  sourceTxid: string;
  source: { sourceType: string; version: string };
  operation: 'INSERT' | 'UPDATE' | 'DELETE' | 'DDL';
  objectName: string | null;
  processTimestamps: null;
  tags: Record<string, string>;
  fields: Field[] | null;
  beforeImages: ImageValue[] | string | null;
  afterImages: ImageValue[] | string | null;
  bornTimestamp: number;
}

const plans = new WeakMap<TableCodec, TablePlan>();

/** `{"PRIMARY":[…],"uk":[…]}` with PRIMARY first, as DTS writes it; absent when the table has no key. */
function pkUkInfo(keys: Record<string, string[]>): string | undefined {
  const names = Object.keys(keys);
  if (names.length === 0) return undefined;
  const ordered = names.includes('PRIMARY') ? ['PRIMARY', ...names.filter((n) => n !== 'PRIMARY')] : names;
  return `{${ordered.map((n) => `${JSON.stringify(n)}:${JSON.stringify(keys[n])}`).join(',')}}`;
}

function tablePlan(codec: TableCodec): TablePlan {
  let p = plans.get(codec);
  if (!p) {
    const info = pkUkInfo(codec.uniqueKeys);
    const columnPlans = codec.cols.map(planColumn);
    p = {
      names: codec.cols.map((c) => c.name),
      plans: columnPlans,
      fields: codec.cols.map((c, i) => ({ name: c.name, dataTypeNumber: columnPlans[i]!.dataTypeNumber })),
      tags: info === undefined ? {} : { pk_uk_info: info },
    };
    plans.set(codec, p);
  }
  return p;
}

function image(p: TablePlan, row: Row): ImageValue[] {
  const out: ImageValue[] = new Array<ImageValue>(p.plans.length);
  for (let i = 0; i < p.plans.length; i++) out[i] = imageValue(p.plans[i]!, row[p.names[i]!] ?? null);
  return out;
}

/** A literal '.' inside a name is written as the six characters `\u002E`, so the separator stays unambiguous. */
function escapeName(name: string): string {
  return name.includes('.') ? name.replaceAll('.', '\\u002E') : name;
}

export function objectName(database: string, table: string | undefined): string {
  return table === undefined ? escapeName(database) : `${escapeName(database)}.${escapeName(table)}`;
}

/**
 * DTS writes `<offset>@<file index>`. A change id holds the binlog file index above bit 32 and the
 * transaction's offset (plus the row's ordinal) below, so both halves come back out of it.
 */
export function sourcePosition(id: number): string {
  const file = Math.floor(id / 2 ** 32);
  return `${id - file * 2 ** 32}@${file}`;
}

export function encodeDtsAvro(ev: ChangeEvent, codec: TableCodec | undefined, ctx: EncodeContext): Buffer {
  const rec: AvroRecord = {
    version: 0,
    id: ev.id,
    sourceTimestamp: Math.floor(ev.timestamp / 1000),
    sourcePosition: sourcePosition(ev.id),
    safeSourcePosition: '',
    sourceTxid: '0',
    source: { sourceType: ctx.source.type, version: ctx.source.version },
    operation: 'DDL',
    objectName: objectName(ev.database, ev.table),
    processTimestamps: null,
    tags: {},
    fields: null,
    beforeImages: null,
    afterImages: null,
    bornTimestamp: ev.timestamp,
  };
  if (ev.kind === 'ddl') {
    rec.afterImages = ev.sql;
  } else {
    const p = tablePlan(codec!);
    rec.operation = ev.op === 'insert' ? 'INSERT' : ev.op === 'update' ? 'UPDATE' : 'DELETE';
    rec.tags = p.tags;
    rec.fields = p.fields;
    if (ev.op !== 'insert') rec.beforeImages = image(p, ev.before!);
    if (ev.op !== 'delete') rec.afterImages = image(p, ev.after!);
  }
  return recordType.toBuffer(rec);
}

export const dtsAvro: MessageFormat = { name: 'dts-avro', encode: encodeDtsAvro };
