// mig's dts-avro messages read by Avro's own reader with the public DTS schema
// (schemas/dts-avro/Record.avsc, the same canonical form as the DTS manual's Record.avsc), every
// BinaryObject's type checked against the DTS subscription SDK's ObjectType constants (the SDK calls
// ObjectType.valueOf on it and throws on any other name). A real `mig apply` over the type-parity
// table (full load, binlog INSERT/UPDATE/DELETE, an ALTER into the ddlTopic); every decoded value is
// compared with the source row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, harnessClasspath, type AvroRecord, type AvroValue } from './harness.js';
import { EXPECTED, canalText, typeRun, type TypeRun } from './type-run.js';
import { COLUMNS } from '../../support/type-table.js';
import type { ColumnInfo, Row } from '../../../src/model/source-data.js';

const pad = (n: unknown, w = 2) => String(Math.abs(Number(n))).padStart(w, '0');
const fraction = (fsp: number | undefined, micros: unknown) => (fsp ? `.${pad(micros ?? 0, 6).slice(0, fsp)}` : '');

/** An image value as the source's text, read the way the SDK's value classes read each union branch. */
function avroText(c: ColumnInfo, v: AvroValue): string | null {
  switch (v.branch) {
    case 'null':
      return null;
    case 'Integer': case 'Decimal': case 'TextObject': case 'TextGeometry':
      return String(v.value);
    case 'Float':
      return String(v.value);
    case 'Character':
      return String(v.text);
    case 'BinaryObject':
      return `0x${String(v.value)}`;
    case 'Timestamp': {
      // Seconds since the epoch and the fraction in microseconds (the field is named millis).
      const d = new Date(Number(v.timestamp) * 1000).toISOString();
      return `${d.slice(0, 10)} ${d.slice(11, 19)}${fraction(c.fsp, v.millis)}`;
    }
    case 'DateTime': {
      if (c.dataType === 'year') return String(v.year);
      const date = `${pad(v.year, 4)}-${pad(v.month)}-${pad(v.day)}`;
      if (c.dataType === 'date') return date;
      const neg = [v.hour, v.minute, v.second, v.millis].some((x) => Number(x) < 0) ? '-' : '';
      const time = `${neg}${pad(v.hour)}:${pad(v.minute)}:${pad(v.second)}${fraction(c.fsp, v.millis)}`;
      return c.dataType === 'time' ? time : `${date} ${time}`;
    }
    default:
      return `unexpected branch ${v.branch}`;
  }
}

/** The source value as text: BIT as its unsigned number, other binary columns as hex. */
function sourceText(c: ColumnInfo, v: Row[string]): string | null {
  if (Buffer.isBuffer(v) && c.dataType !== 'bit') return `0x${v.toString('hex')}`;
  return canalText(c.name, v);
}

function expectImage(what: string, image: AvroValue[] | null, row: Row) {
  expect(image, what).toHaveLength(COLUMNS.length + ('extra' in row ? 1 : 0));
  const wrong = COLUMNS.flatMap((c, k) => {
    const got = avroText(c, image![k]!);
    const want = sourceText(c, row[c.name] ?? null);
    const same = got === null || want === null ? got === want
      : c.dataType === 'float' ? Math.fround(Number(got)) === Math.fround(Number(want))
        : c.dataType === 'double' ? Number(got) === Number(want) : got === want;
    return same ? [] : [`${c.name}: decoded ${JSON.stringify(got)} (${image![k]!.branch}), source ${JSON.stringify(want)}`];
  });
  expect(wrong, what).toEqual([]);
}

let run: TypeRun;
let records: AvroRecord[];
let ddl: AvroRecord[];

beforeAll(async () => {
  harnessClasspath();
  run = await typeRun('conf_avro', 'dts-avro');
  const lines = decode({ avro: { messages: [...run.data.map((m) => m.raw), ...run.ddl.map((m) => m.raw)] } }).sort((a, b) => a.index - b.index);
  for (const l of lines) expect(l.error, `message ${l.index}`).toBeUndefined();
  records = lines.slice(0, run.data.length).map((l) => l.record!);
  ddl = lines.slice(run.data.length).map((l) => l.record!);
});

afterAll(async () => {
  await run?.drop();
});

describe('dts-avro read by the Avro reader with the public schema and the SDK\'s ObjectType', () => {
  it('every record decodes, and every BinaryObject type is one the SDK knows', () => {
    expect(records.map((r) => r.operation)).toEqual(EXPECTED.map((e) => e.op));
    for (const r of [...records, ...ddl]) expect(r.sdkProblems).toEqual([]);
    for (const r of records) expect(r.objectName).toBe(`${run.db}.t`);
    expect(records[0]!.fields.map((f) => f.name)).toEqual(COLUMNS.map((c) => c.name));
    expect(records.at(-1)!.fields.map((f) => f.name)).toEqual([...COLUMNS.map((c) => c.name), 'extra']);
  });

  it('the images carry the source values: after for INSERT, before and after for UPDATE, before for DELETE', () => {
    EXPECTED.forEach((e, i) => {
      const r = records[i]!;
      if (e.op === 'DELETE') {
        expect(r.afterImages ?? null, `message ${i}`).toBeNull();
        expectImage(`message ${i} (DELETE) before`, r.beforeImages, e.row);
        return;
      }
      expectImage(`message ${i} (${e.op}) after`, r.afterImages, e.row);
      if (e.op === 'UPDATE') expectImage(`message ${i} (UPDATE) before`, r.beforeImages, e.old!);
      else expect(r.beforeImages ?? null, `message ${i}`).toBeNull();
    });
  });

  it('the shapes the DTS consumers read: BIT as Integer (type 16), BLOBs as BinaryObject, VARCHAR as Character', () => {
    const byName = Object.fromEntries(COLUMNS.map((c, k) => [c.name, [records[0]!.fields[k]!.dataTypeNumber, records[0]!.afterImages![k]!.branch]]));
    expect(byName).toMatchObject({
      b1: [16, 'Integer'], b64: [16, 'Integer'], tb: [249, 'BinaryObject'], mb: [250, 'BinaryObject'], lb: [251, 'BinaryObject'],
      bl: [252, 'BinaryObject'], vc: [15, 'Character'], l1: [15, 'Character'],
    });
  });

  it('the ALTER in the ddlTopic is a DDL record with the statement', () => {
    expect(ddl).toHaveLength(1);
    expect(ddl[0]!.operation).toBe('DDL');
    expect(ddl[0]!.ddl).toMatch(/ALTER TABLE .*ADD COLUMN extra INT NULL/i);
  });
});
