// The Drainer's time zone (spec.source.binlogKafka.timeZone): Drainer writes TIMESTAMP values in its
// own process's zone and usually leaves time_zone unset, so a known wall-clock TIMESTAMP written in a
// non-UTC zone must decode to the instant it names (mig's canonical TIMESTAMP text is UTC).
import { describe, expect, it } from 'vitest';
import { decodeDrainer, type DrainerContext } from '../../src/connectors/sources/tidb/drainer-decode.js';
import { BinlogKafka, isFeedTimeZone } from '../../src/connectors/sources/tidb/config.js';
import { wallTimeToUtc } from '../../src/connectors/sources/tidb/time-zone.js';
import { DEFAULT_VALUE_OPTIONS } from '../../src/connectors/sources/mysql/type-map.js';
import type { ChangeEvent } from '../../src/model/source-data.js';
import { dml, i64, str, tso } from '../support/drainer.js';

const cols = [{ name: 'id', type: 'int', pk: true }, { name: 'ts', type: 'timestamp', decimal: 3 }, { name: 'dt', type: 'datetime' }];

/** A Drainer message of one inserted row (id, ts, dt), optionally naming its zone. */
function decoded(ts: string, dt: string, c: Partial<DrainerContext>, messageZone?: string): Record<string, unknown> {
  const buf = dml(tso(1_700_000_000_000, 1), [{ schema: 'shop', table: 't', columns: cols, mutations: [{ type: 'insert', row: [i64(1), str(ts), str(dt)] }] }], messageZone === undefined ? {} : { timeZone: messageZone });
  const ev = decodeDrainer(buf, DEFAULT_VALUE_OPTIONS, { offset: '7', ...c }).events[0] as Extract<ChangeEvent, { kind: 'row' }>;
  return ev.after!;
}

describe('Drainer time zone', () => {
  it('Asia/Shanghai (UTC+8): 2024-03-10 08:30:00.250 is 00:30:00.250 UTC; DATETIME stays as written', () => {
    expect(decoded('2024-03-10 08:30:00.250', '2024-03-10 08:30:00', { timeZone: 'Asia/Shanghai' })).toEqual({ id: '1', ts: '2024-03-10 00:30:00.250', dt: '2024-03-10 08:30:00' });
  });

  it('+05:30: a wall time before 05:30 falls on the previous UTC day', () => {
    expect(decoded('2024-01-01 05:00:00.000', '2024-01-01 05:00:00', { timeZone: '+05:30' }).ts).toBe('2023-12-31 23:30:00.000');
  });

  it('without a setting the feed is UTC, and a zone named in the message wins over the setting', () => {
    expect(decoded('2024-03-10 08:30:00.000', '2024-03-10 08:30:00', {}).ts).toBe('2024-03-10 08:30:00.000');
    expect(decoded('2024-03-10 08:30:00.000', '2024-03-10 08:30:00', { timeZone: 'Asia/Shanghai' }, 'UTC').ts).toBe('2024-03-10 08:30:00.000');
    expect(decoded('2024-03-10 08:30:00.000', '2024-03-10 08:30:00', { timeZone: '+05:30' }, 'Asia/Shanghai').ts).toBe('2024-03-10 00:30:00.000');
  });

  it('converts across a daylight-saving change with the offset in force at that instant', () => {
    expect(wallTimeToUtc('2024-01-15 12:00:00', 'America/New_York')).toBe('2024-01-15 17:00:00');
    expect(wallTimeToUtc('2024-07-15 12:00:00', 'America/New_York')).toBe('2024-07-15 16:00:00');
    expect(wallTimeToUtc('0000-00-00 00:00:00', 'Asia/Shanghai')).toBe('0000-00-00 00:00:00');
  });

  it('the setting takes IANA names and ±HH:MM, and refuses anything else', () => {
    for (const z of ['UTC', 'Asia/Shanghai', 'America/Argentina/Buenos_Aires', 'Etc/GMT+8', '+05:30', '-08:00', '+00:00', '+14:00']) expect(isFeedTimeZone(z), z).toBe(true);
    for (const z of ['', 'Local', 'Mars/Olympus', '+25:00', '+05:75', '+5:30', 'UTC+8', 'Asia/Shanghai; DROP']) expect(isFeedTimeZone(z), z).toBe(false);
    const feed = { brokers: ['127.0.0.1:9092'], topic: 'tidb_obinlog' };
    expect(BinlogKafka.parse({ ...feed, timeZone: 'Asia/Shanghai' }).timeZone).toBe('Asia/Shanghai');
    expect(BinlogKafka.parse(feed).timeZone).toBeUndefined();
    const bad = BinlogKafka.safeParse({ ...feed, timeZone: 'Mars/Olympus' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/IANA time zone name .* or an offset ±HH:MM/);
  });
});
