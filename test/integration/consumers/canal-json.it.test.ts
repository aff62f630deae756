// mig's canal-json messages read by the real consumers: Flink 1.20's canal-json format (the
// decoder a Flink table with 'format' = 'canal-json' builds) and Canal 1.1.7's FlatMessage parsed
// with its fastjson2, as Canal's Kafka client does. A real `mig apply` over the type-parity table
// (full load, binlog INSERT/UPDATE/DELETE, an ALTER into the ddlTopic); every decoded value is
// compared with the source row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, harnessClasspath, type HarnessLine } from './harness.js';
import { EXPECTED, textRow, typeRun, type TypeRun } from './type-run.js';
import { COLUMNS } from '../../support/type-table.js';

// The Flink table's columns. Where Flink has a limit of its own (not mig's), the column is declared
// STRING and compared as text:
// - d DECIMAL(65,30): Flink's DECIMAL stops at precision 38 (larger values become NULL silently).
// - tm TIME(6): Flink's TIME cannot hold values outside 00:00–23:59 (MySQL TIME reaches ±838 h).
// - dt DATE: row 1 holds MySQL's zero date 0000-00-00, which is no date to java.time.
// - bin, vb and the BLOBs: Flink reads BYTES from base64 only, Canal JSON carries binary as text
//   (one character per byte).
// Unsigned columns take the next wider Flink type; BIT(1) and BIT(64) arrive as numbers.
const FLINK_TYPES: Record<string, string> = {
  id: 'INT', ti: 'TINYINT', tiu: 'SMALLINT', si: 'SMALLINT', siu: 'INT', mi: 'INT', miu: 'INT', i: 'INT', iu: 'BIGINT',
  bi: 'BIGINT', biu: 'DECIMAL(20, 0)', d: 'STRING', d2: 'DECIMAL(10, 2)', f: 'FLOAT', db: 'DOUBLE', b1: 'BIGINT', b64: 'DECIMAL(20, 0)',
  dt: 'STRING', dtm: 'TIMESTAMP(6)', dtm0: 'TIMESTAMP(0)', ts: 'TIMESTAMP(6)', tm: 'STRING', y: 'INT',
};
const flinkColumns = COLUMNS.map((c) => ({ name: c.name, type: FLINK_TYPES[c.name] ?? 'STRING' }));

/** Flink's decoded value equals the source's text (floating point compared as numbers, FLOAT in single precision). */
function sameAsSource(name: string, flink: string | null, source: string | null): boolean {
  if (flink === null || source === null) return flink === source;
  if (name === 'f') return Math.fround(Number(flink)) === Math.fround(Number(source));
  if (name === 'db') return Number(flink) === Number(source);
  return flink === source;
}

function expectRow(what: string, values: Record<string, string | null>, source: Record<string, string | null>) {
  const wrong = COLUMNS.filter((c) => !sameAsSource(c.name, values[c.name] ?? null, source[c.name] ?? null))
    .map((c) => `${c.name}: decoded ${JSON.stringify(values[c.name])}, source ${JSON.stringify(source[c.name])}`);
  expect(wrong, what).toEqual([]);
}

let run: TypeRun;
let flink: HarnessLine[];
let canal: HarnessLine[];
let flinkDdl: HarnessLine[];
let canalDdl: HarnessLine[];

beforeAll(async () => {
  harnessClasspath();
  run = await typeRun('conf_canal', 'canal-json');
  const data = run.data.map((m) => m.raw);
  const ddl = run.ddl.map((m) => m.raw);
  const lines = decode({ flink: { columns: flinkColumns, messages: [...data, ...ddl] }, canal: { messages: [...data, ...ddl] } });
  const of = (c: string) => lines.filter((l) => l.consumer === c).sort((a, b) => a.index - b.index);
  flink = of('flink').slice(0, data.length);
  flinkDdl = of('flink').slice(data.length);
  canal = of('canal').slice(0, data.length);
  canalDdl = of('canal').slice(data.length);
});

afterAll(async () => {
  await run?.drop();
});

describe('canal-json read by the real consumers', () => {
  it('the data topic holds the row messages only', () => {
    expect(run.data.map((m) => JSON.parse(m.value).type)).toEqual(EXPECTED.map((e) => e.op));
    expect(run.data.every((m) => JSON.parse(m.value).isDdl === false)).toBe(true);
  });

  it('Flink canal-json: every row decodes to the source values, UPDATE as -U/+U with the old values', () => {
    expect(flink).toHaveLength(EXPECTED.length);
    EXPECTED.forEach((e, i) => {
      const line = flink[i]!;
      expect(line.error, `message ${i}`).toBeUndefined();
      const kinds = { INSERT: ['+I'], UPDATE: ['-U', '+U'], DELETE: ['-D'] }[e.op];
      expect(line.rows!.map((r) => r.kind), `message ${i}`).toEqual(kinds);
      const images = e.op === 'UPDATE' ? [e.old!, e.row] : [e.row];
      images.forEach((img, k) => expectRow(`message ${i} (${e.op}) row ${k}`, line.rows![k]!.values, textRow(img)));
      const raw = JSON.parse(run.data[i]!.value) as { sqlType: Record<string, number> };
      for (const r of line.rows!) {
        expect(r.metadata.database).toBe(run.db);
        expect(r.metadata.table).toBe('t');
        expect(r.metadata['pk-names']).toEqual(['id']);
        // Flink's sql-type is MAP<STRING, INT>; the harness prints its values as text.
        expect(r.metadata['sql-type']).toEqual(Object.fromEntries(Object.entries(raw.sqlType).map(([k, v]) => [k, String(v)])));
      }
    });
  });

  it('Flink canal-json fails on the ALTER message, as documented: DDL belongs in the ddlTopic', () => {
    expect(flinkDdl).toHaveLength(1);
    expect(flinkDdl[0]!.error).toMatch(/Unknown "type" value "ALTER"/);
  });

  it('Canal FlatMessage: every row message parses with the source values and old values', () => {
    expect(canal).toHaveLength(EXPECTED.length);
    EXPECTED.forEach((e, i) => {
      const line = canal[i]!;
      expect(line.error, `message ${i}`).toBeUndefined();
      const m = line.message as { database: string; table: string; type: string; isDdl: boolean; pkNames: string[]; data: Record<string, string | null>[]; old: Record<string, string | null>[] | null; sqlType: Record<string, number>; mysqlType: Record<string, string> };
      const raw = JSON.parse(run.data[i]!.value) as typeof m;
      expect([m.database, m.table, m.type, m.isDdl, m.pkNames]).toEqual([run.db, 't', e.op, false, ['id']]);
      expect(m.data).toHaveLength(1);
      expectRow(`message ${i} data`, m.data[0]!, textRow(e.row));
      if (e.op === 'UPDATE') {
        // `old` holds the changed columns only, each with its value before.
        const before = textRow(e.old!);
        const after = textRow(e.row);
        const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
        expect(Object.keys(raw.old![0]!).sort(), `message ${i} old`).toEqual(changed.sort());
        // FlatMessage's maps drop the entries whose value is null (fastjson2 reading a
        // Map<String, String>): a column changed from NULL is absent from its `old`, as in Canal itself.
        expect(Object.keys(m.old![0]!).sort(), `message ${i} old`).toEqual(changed.filter((k) => before[k] !== null).sort());
        for (const k of changed) expect(m.old![0]![k] ?? null, `message ${i} old.${k}`).toEqual(before[k]);
      } else {
        expect(m.old ?? null).toBeNull();
      }
      expect(m.sqlType).toEqual(raw.sqlType);
      expect(m.mysqlType).toEqual(raw.mysqlType);
    });
  });

  it('Canal FlatMessage: sqlType codes as Canal assigns them', () => {
    const m = canal[0]!.message as { sqlType: Record<string, number> };
    expect(m.sqlType).toMatchObject({
      bl: 2004, tb: 2004, mb: 2004, lb: 2004, tx: 2005, tt: 2005, mt: 2005, lt: 2005, y: 12, e: 4, s: -7, b1: -7, b64: -7,
      bin: 2004, vb: 2004, d: 3, d2: 3, f: 7, db: 8, dt: 91, dtm: 93, dtm0: 93, ts: 93, tm: 92, ch: 1, vc: 12,
    });
  });

  it('Canal FlatMessage: the ALTER in the ddlTopic parses as a DDL message', () => {
    expect(canalDdl).toHaveLength(1);
    const m = canalDdl[0]!.message as { database: string; table: string; type: string; isDdl: boolean; sql: string; data: unknown };
    expect(canalDdl[0]!.error).toBeUndefined();
    expect([m.database, m.table, m.type, m.isDdl]).toEqual([run.db, 't', 'ALTER', true]);
    expect(m.sql).toMatch(/ADD COLUMN extra INT NULL/i);
  });
});
