// Every column type through both paths (consistent-snapshot SELECT and binlog), encoded as Canal
// JSON: the full-load message and the incremental message carry the same values, equal to the source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT } from '../helpers/env.js';
import { describeTable } from '../../../src/connectors/sources/mysql/inspect.js';
import { openSnapshot, TableChunker, closeSnapshot } from '../../../src/connectors/sources/mysql/snapshot-reader.js';
import { connectSource, type SourceEndpoint } from '../../../src/connectors/sources/mysql/connect.js';
import { BinlogReader } from '../../../src/connectors/sources/mysql/binlog-reader.js';
import { Router } from '../../../src/connectors/sinks/kafka/router.js';
import { canalJson } from '../../../src/connectors/sinks/kafka/formats/canal-json.js';
import { dtsAvro } from '../../../src/connectors/sinks/kafka/formats/dts-avro.js';
import { shareplexJson } from '../../../src/connectors/sinks/kafka/formats/shareplex-json.js';
import type { MessageFormat } from '../../../src/connectors/sinks/kafka/formats/format.js';
import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import type { TableInfo, TxBatch } from '../../../src/model/source-data.js';

const db = uniqueName('types');
const ep: SourceEndpoint = { spec: { type: 'mariadb', host: '127.0.0.1', port: MYSQL_PORT, user: 'root', connectTimeoutMs: 5000 } };

const COLUMNS = `id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d DECIMAL(65,30), d2 DECIMAL(10,2), f FLOAT, db DOUBLE, b1 BIT(1), b64 BIT(64),
  dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR,
  ch CHAR(10), vc VARCHAR(40), l1 VARCHAR(20) CHARACTER SET latin1,
  bin BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  e ENUM('small','large, xl'), s SET('a','b c','d'), j JSON, g GEOMETRY, p POINT, u UUID, i6 INET6`;

// One row at the limits, one of ordinary values, one all NULL. Expected = what Canal JSON must carry.
const ROWS: [string, Record<string, string | null>][] = [
  [`(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
    '-12345678901234567890123456789012345.123456789012345678901234567890', 5, 3.14159, 1.7976931348623157e308, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
    '0000-00-00', '2024-02-29 23:59:59.123456', '1000-01-01 00:00:00', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155,
    'abc', 'emoji 😀 "q" \\\\ \\t tab', 'café',
    x'01020000', x'', x'00', x'00ff', x'deadbeef', x'',
    'tiny', '多字节 text', REPEAT('m', 70000), 'long',
    'large, xl', 'a,b c', '{"a": 12345678901234567890, "b": [1, 2.5, null]}', ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(3.5 -4)'),
    '123e4567-e89b-12d3-a456-426614174000', '::ffff:1.2.3.4')`,
   { id: '1', ti: '-128', tiu: '255', si: '-32768', siu: '65535', mi: '-8388608', miu: '16777215', i: '-2147483648', iu: '4294967295',
     bi: '-9223372036854775808', biu: '18446744073709551615', d: '-12345678901234567890123456789012345.123456789012345678901234567890',
     d2: '5.00', f: '3.14159', db: '1.7976931348623157e+308', b1: '1', b64: '18446744073709551615',
     dt: '0000-00-00', dtm: '2024-02-29 23:59:59.123456', dtm0: '1000-01-01 00:00:00', ts: '2038-01-19 03:14:07.999999', tm: '-838:59:59.000000', y: '2155',
     ch: 'abc', vc: 'emoji 😀 "q" \\ \t tab', l1: 'café',
     bin: '\u0001\u0002\u0000\u0000', vb: '', tb: '\u0000', bl: '\u0000\u00ff', mb: '\u00de\u00ad\u00be\u00ef', lb: '',
     tt: 'tiny', tx: '多字节 text', mt: 'm'.repeat(70000), lt: 'long',
     e: 'large, xl', s: 'a,b c', j: '{"a": 12345678901234567890, "b": [1, 2.5, null]}', g: 'POINT(1 2)', p: 'POINT(3.5 -4)',
     u: '123e4567-e89b-12d3-a456-426614174000', i6: '::ffff:1.2.3.4' }],
  [`(2, 0, 0, 1, 2, 3, 4, 5, 6, 9007199254740993, 9223372036854775808, 0.000000000000000000000000000001, -0.5, -1.5e-7, 0.1, b'0', b'101',
    '2024-01-01', '1970-01-01 00:00:01.000001', '9999-12-31 23:59:59', '1970-01-01 00:00:01.000000', '838:59:59.999999', 1901,
    '', '', '', x'ff', x'00', x'', x'', x'', x'00',
    '', '', '', '', 'small', '', '[]', ST_GeomFromText('LINESTRING(0 0,1 1,2 3)'), ST_GeomFromText('POINT(0 0)'),
    '6ccd780c-baba-4026-9564-5b8c656024db', '2001:db8::1')`,
   { id: '2', ti: '0', tiu: '0', si: '1', siu: '2', mi: '3', miu: '4', i: '5', iu: '6', bi: '9007199254740993', biu: '9223372036854775808',
     d: '0.000000000000000000000000000001', d2: '-0.50', f: '-1.5e-7', db: '0.1', b1: '0', b64: '5',
     dt: '2024-01-01', dtm: '1970-01-01 00:00:01.000001', dtm0: '9999-12-31 23:59:59', ts: '1970-01-01 00:00:01.000000', tm: '838:59:59.999999', y: '1901',
     ch: '', vc: '', l1: '', bin: '\u00ff\u0000\u0000\u0000', vb: '\u0000', tb: '', bl: '', mb: '', lb: '\u0000',
     tt: '', tx: '', mt: '', lt: '', e: 'small', s: '', j: '[]', g: 'LINESTRING(0 0,1 1,2 3)', p: 'POINT(0 0)',
     u: '6ccd780c-baba-4026-9564-5b8c656024db', i6: '2001:db8::1' }],
];

let conn: Connection;
let shape: TableInfo;

beforeAll(async () => {
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (${COLUMNS})`);
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.end();
});

function data(v: Buffer): Record<string, string | null> {
  return JSON.parse(v.toString('utf8')).data[0];
}

describe('type parity: full load == binlog == source', () => {
  it('every MySQL/MariaDB column type', async () => {
    const src = await connectSource(ep);
    shape = (await describeTable(src, db, 't'))!;
    const [ms] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
    const start = { file: String(ms[0]!.File), pos: Number(ms[0]!.Position) };
    await conn.query(`SET SESSION sql_mode = 'ALLOW_INVALID_DATES'; SET time_zone = '+00:00'`);
    for (const [values] of ROWS) await conn.query(`INSERT INTO ${db}.t VALUES ${values}`);
    await conn.query(`INSERT INTO ${db}.t (id) VALUES (3)`);

    const routerFor = (format: MessageFormat) => new Router({
      tables: new Map([[`${db}.t`, { id: `${db}.t`, database: db, table: 't', topic: 'x', operations: ['insert', 'update', 'delete', 'ddl'], ddl: { policy: 'replicate', from: 'default' }, snapshotDigest: '' }]]),
      destination: { type: 'kafka', brokers: ['127.0.0.1:1'], topic: 'x', format: format.name, partitions: 1, replicationFactor: 1 },
      format, source: { type: 'MySQL', version: 'test' }, flavor: 'mariadb', partitionsOf: () => 1,
      onOversized: () => { throw new Error('no row is oversized here'); },
    });
    const router = routerFor(canalJson);
    await openSnapshot(src, 'mariadb');
    const chunk = await new TableChunker(src, shape, 100).next(undefined);
    await closeSnapshot(src);
    const full = chunk.rows.map((r) => data(router.snapshotRow(shape, r, 0, 0)!.value));

    const batches: TxBatch[] = [];
    const shapes = new Map([[`${db}.t`, shape]]);
    const reader = new BinlogReader({ endpoint: ep, serverId: 4242, flavor: 'mariadb', tables: shapes, databases: new Set([db]), describe: (d, t) => describeTable(src, d, t), onBatch: (b) => batches.push(b), onError: (e) => { throw e; } });
    await reader.start(start);
    const deadline = Date.now() + 20_000;
    while (batches.flatMap((b) => b.events).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await reader.stop();
    await src.end();
    const incr = batches.flatMap((b) => b.events).map((ev) => data(router.change(ev, (id) => shapes.get(id), 0)!.value));

    expect(full).toHaveLength(3);
    expect(incr).toHaveLength(3);
    for (let i = 0; i < ROWS.length; i++) {
      expect(full[i]).toEqual(ROWS[i]![1]);
      expect(incr[i]).toEqual(ROWS[i]![1]);
    }
    const nulls = Object.fromEntries(shape.columns.map((c) => [c.name, c.name === 'id' ? '3' : null]));
    expect(full[2]).toEqual(nulls);
    expect(incr[2]).toEqual(nulls);

    // Every format: the full-load message and the binlog message of a row carry the same values.
    const events = batches.flatMap((b) => b.events);
    const avro = avsc.Type.forSchema(JSON.parse(readFileSync(new URL('../../../schemas/dts-avro/Record.avsc', import.meta.url), 'utf8')));
    const values: Record<string, (v: Buffer) => unknown> = {
      'dts-avro': (v) => {
        const r = avro.fromBuffer(v) as { fields: unknown; afterImages: unknown; operation: string; objectName: string; tags: unknown };
        return { fields: r.fields, afterImages: r.afterImages, operation: r.operation, objectName: r.objectName, tags: r.tags };
      },
      'shareplex-json': (v) => {
        const m = JSON.parse(v.toString()) as { data: unknown; key: unknown; meta: { op: string; table: string } };
        return { data: m.data, key: m.key, op: m.meta.op, table: m.meta.table };
      },
    };
    for (const format of [dtsAvro, shareplexJson]) {
      const r = routerFor(format);
      const f = chunk.rows.map((row) => values[format.name]!(r.snapshotRow(shape, row, 0, 0)!.value));
      const b = events.map((ev) => values[format.name]!(r.change(ev, (id) => shapes.get(id), 0)!.value));
      expect(b, format.name).toEqual(f);
    }
    // And the values are the source's: spot checks through the DTS Avro types.
    const first = values['dts-avro']!(routerFor(dtsAvro).snapshotRow(shape, chunk.rows[0]!, 0, 0)!.value) as { afterImages: Record<string, unknown>[] };
    // avsc wraps union values in { '<type name>': value }.
    const branch = (v: unknown) => Object.entries(v as object)[0]!;
    const byName = Object.fromEntries(shape.columns.map((c, i) => [c.name, branch(first.afterImages[i])]));
    const A = 'com.alibaba.dts.formats.avro.';
    expect(byName.biu).toEqual([`${A}Integer`, expect.objectContaining({ precision: 8, value: '18446744073709551615' })]);
    expect(byName.l1).toEqual([`${A}Character`, expect.objectContaining({ charset: 'latin1', value: Buffer.from([0x63, 0x61, 0x66, 0xe9]) })]);
    expect(byName.ts).toEqual([`${A}Timestamp`, expect.objectContaining({ timestamp: 2147483647, millis: 999999 })]);
    expect(byName.d).toEqual([`${A}Decimal`, expect.objectContaining({ value: '-12345678901234567890123456789012345.123456789012345678901234567890', precision: 65, scale: 30 })]);
  });
});
