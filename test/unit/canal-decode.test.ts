// canal-json → canonical change events: mig's own canal-json round-trips exactly (the type-parity
// table's columns and values), and TiCDC's and canal's variants normalise to the same values.
import { describe, expect, it } from 'vitest';
import { decodeCanal, type CanalContext } from '../../src/connectors/sources/tidb/canal-decode.js';
import { encodeCanalJson } from '../../src/connectors/sinks/kafka/formats/canal-json.js';
import { tableCodec } from '../../src/connectors/sinks/kafka/codec.js';
import { DEFAULT_VALUE_OPTIONS } from '../../src/connectors/sources/mysql/type-map.js';
import type { ChangeEvent, Row } from '../../src/model/source-data.js';
import { B, col, COLUMNS, ROWS, TABLE } from '../support/type-table.js';
import { MigError } from '../../src/util/errors.js';
import { tso } from '../support/drainer.js';

const ctx = (offset = '5', partition = 0): CanalContext => ({ offset, partition });
const decode = (buf: Buffer | string, c: CanalContext = ctx()) => decodeCanal(Buffer.isBuffer(buf) ? buf : Buffer.from(buf), DEFAULT_VALUE_OPTIONS, c);
const images = (evs: ChangeEvent[]) => evs.map((e) => (e.kind === 'row' ? { op: e.op, before: e.before, after: e.after } : e));

describe('decodeCanal: mig canal-json round trip', () => {
  const codec = tableCodec(TABLE);
  const ev = (op: 'insert' | 'update' | 'delete', before: Row | undefined, after: Row | undefined, id = 1): ChangeEvent =>
    ({ kind: 'row', op, database: 'shop', table: 'types', before, after, timestamp: 1_700_000_000_000, id });

  it('every type of the parity table: inserts give back the exact canonical values', () => {
    for (const row of ROWS) {
      const out = decode(encodeCanalJson(ev('insert', undefined, row), codec, 0));
      expect(out.kind).toBe('dml');
      expect(images(out.events)).toEqual([{ op: 'insert', before: undefined, after: row }]);
      const e = out.events[0]!;
      expect(e.timestamp).toBe(1_700_000_000_000);
    }
  });

  it('updates: the before image is rebuilt from the changed columns mig writes in old', () => {
    const before = ROWS[0]!;
    const after = { ...ROWS[0]!, vc: 'changed', bl: B(7), e: 'small', f: '-1.5e-7', b64: B(0, 0, 0, 0, 0, 0, 0, 5), ts: null };
    const out = decode(encodeCanalJson(ev('update', before, after), codec, 0));
    expect(images(out.events)).toEqual([{ op: 'update', before, after }]);
  });

  it('deletes and DDL', () => {
    expect(images(decode(encodeCanalJson(ev('delete', ROWS[1], undefined), codec, 0)).events)).toEqual([{ op: 'delete', before: ROWS[1], after: undefined }]);
    const ddl = decode(encodeCanalJson({ kind: 'ddl', database: 'shop', table: 'types', sql: 'ALTER TABLE types ADD c INT', timestamp: 5, id: 1 }, undefined, 0));
    expect(ddl).toMatchObject({ kind: 'ddl', events: [{ kind: 'ddl', database: 'shop', table: 'types', sql: 'ALTER TABLE types ADD c INT', timestamp: 5 }] });
  });

  it('describes the columns from mysqlType', () => {
    const out = decode(encodeCanalJson(ev('insert', undefined, ROWS[0]), codec, 0));
    const cols = out.events[0]!.kind === 'row' ? out.events[0]!.columns! : [];
    expect(cols.map((c) => c.name)).toEqual(COLUMNS.map((c) => c.name));
    expect(cols.find((c) => c.name === 'biu')).toMatchObject({ dataType: 'bigint', columnType: 'bigint(20) unsigned', unsigned: true });
    expect(cols.find((c) => c.name === 'dtm')).toMatchObject({ fsp: 6 });
    expect(cols.find((c) => c.name === 'e')).toMatchObject({ columnType: "enum('small','large, xl')" });
  });
});

describe('decodeCanal: TiCDC and canal variants', () => {
  const ticdc = (over: object) => JSON.stringify({
    id: 0, database: 'shop', table: 'types', pkNames: ['id'], isDdl: false, type: 'UPDATE', es: 1_700_000_000_000, ts: 1_700_000_000_500, sql: '',
    sqlType: { id: 4, bin: 2004, e: 4, s: -7, b: -7, f: 7, dtm: 93, vc: 12 },
    mysqlType: { b: 'bit', bin: 'varchar', dtm: 'datetime', e: 'enum', f: 'float', id: 'int', s: 'set', vc: 'varchar' },
    data: [{ id: '1', vc: 'new', bin: 'Þ\u00ad\u00be\u00ef', e: '2', s: '5', b: '258', f: '3.14159', dtm: '2024-01-01 00:00:00.5' }],
    old: [{ id: '1', vc: 'old', bin: 'Þ\u00ad\u00be\u00ef', e: '1', s: '0', b: '258', f: '3.14159', dtm: '2024-01-01 00:00:00.5' }],
    ...over,
  });
  const labels: CanalContext = {
    ...ctx(), labelsOf: (_d, _t, c) => ({ e: ['small', 'large, xl'], s: ['a', 'b c', 'd'] } as Record<string, string[]>)[c],
    columnOf: (_d, _t, c) => (c === 'dtm' ? col('dtm', 'datetime(3)', { fsp: 3 }) : c === 'b' ? col('b', 'bit(16)') : undefined),
  };

  it('numbers for ENUM/SET/BIT, ISO-8859-1 bytes, all columns in old, parameterless mysqlType', () => {
    const out = decode(ticdc({}), labels);
    expect(images(out.events)).toEqual([{
      op: 'update',
      before: { id: '1', vc: 'old', bin: B(0xde, 0xad, 0xbe, 0xef), e: 'small', s: '', b: B(1, 2), f: '3.14159', dtm: '2024-01-01 00:00:00.500' },
      after: { id: '1', vc: 'new', bin: B(0xde, 0xad, 0xbe, 0xef), e: 'large, xl', s: 'a,d', b: B(1, 2), f: '3.14159', dtm: '2024-01-01 00:00:00.500' },
    }]);
  });

  it('ENUM numbers without labels fail naming the column and the message', () => {
    expect(() => decode(ticdc({}), ctx('12', 3))).toThrowError(expect.objectContaining({ code: 'feed-enum-labels', message: expect.stringMatching(/shop\.types\.e .*partition 3 offset 12/) }));
  });

  it('reads the _tidb commitTs exactly, and ignores watermarks', () => {
    const ts = tso(1_700_000_000_000, 12345);
    const text = ticdc({ _tidb: { commitTs: 0 } }).replace('"commitTs":0', `"commitTs":${ts}`);
    expect(decode(text, labels).commitTs).toBe(ts);
    const wm = `{"id":0,"database":"","table":"","pkNames":null,"isDdl":false,"type":"TIDB_WATERMARK","es":1,"ts":1,"sql":"","sqlType":null,"mysqlType":null,"data":null,"old":null,"_tidb":{"watermarkTs":${ts}}}`;
    expect(decode(wm)).toEqual({ kind: 'watermark', commitTs: ts, events: [] });
  });

  it('TiCDC DDL (type QUERY, empty table)', () => {
    const out = decode('{"id":0,"database":"shop","table":"","pkNames":null,"isDdl":true,"type":"QUERY","es":7,"ts":8,"sql":"CREATE DATABASE shop","sqlType":null,"mysqlType":null,"data":null,"old":null}');
    expect(out.events).toEqual([{ kind: 'ddl', database: 'shop', sql: 'CREATE DATABASE shop', timestamp: 7, id: expect.any(Number) }]);
  });

  it("canal's own text: Java float notation, old with changed columns only, several rows per message", () => {
    const msg = {
      data: [{ id: '1', f: '1.0E10', d: '2.5E-5', y: '0', n: 'x' }, { id: '2', f: '1.5', d: '3.0', y: '2024', n: 'y' }],
      database: 'shop', es: 9, id: 3, isDdl: false, mysqlType: { id: 'int(11)', f: 'float', d: 'double', y: 'year(4)', n: 'varchar(5)' },
      old: [{ n: 'a' }, { n: 'b' }], pkNames: ['id'], sql: '', sqlType: null, table: 't', ts: 10, type: 'UPDATE',
    };
    const out = decode(JSON.stringify(msg), ctx('100', 1));
    expect(images(out.events)).toEqual([
      { op: 'update', before: { id: '1', f: '10000000000', d: '0.000025', y: '0000', n: 'a' }, after: { id: '1', f: '10000000000', d: '0.000025', y: '0000', n: 'x' } },
      { op: 'update', before: { id: '2', f: '1.5', d: '3', y: '2024', n: 'b' }, after: { id: '2', f: '1.5', d: '3', y: '2024', n: 'y' } },
    ]);
    const ids = out.events.map((e) => e.id);
    expect(new Set([...ids, ...decode(JSON.stringify(msg), ctx('100', 2)).events.map((e) => e.id)]).size).toBe(4);
  });

  it('bad messages name partition and offset', () => {
    for (const text of ['not json', '[1,2]', '{"type":"FOO","data":[]}', '{"isDdl":true,"type":"QUERY"}']) {
      try {
        decode(text, ctx('31', 4));
        throw new Error(`no error for ${text}`);
      } catch (e) {
        expect(e).toBeInstanceOf(MigError);
        expect((e as MigError).code).toBe('feed-bad-message');
        expect((e as MigError).message).toMatch(/partition 4 offset 31/);
      }
    }
  });
});
