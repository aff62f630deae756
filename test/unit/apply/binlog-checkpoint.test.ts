// The binlog position as a MySQL destination's checkpoint: monotonic along the log, and decoded back
// to the same file and position.
import { describe, expect, it } from 'vitest';
import { decodeBinlogPosition, encodeBinlogPosition, isBinlogFeed, mirrorPosition } from '../../../src/connectors/sources/mysql/binlog-checkpoint.js';

describe('binlog checkpoint encoding', () => {
  it('keeps the base name in the feed and the sequence number above the position', () => {
    const e = encodeBinlogPosition({ file: 'mariadb-bin.000042', pos: 1234 });
    expect(e).toEqual({ feed: 'binlog:mariadb-bin', offset: 42n * 2n ** 32n + 1234n });
    expect(isBinlogFeed(e.feed)).toBe(true);
    expect(isBinlogFeed('orders:0')).toBe(false);
    expect(decodeBinlogPosition(e.feed, e.offset.toString())).toEqual({ file: 'mariadb-bin.000042', pos: 1234 });
  });

  it('grows along the log: across files, within a file, past six digits, up to a 32-bit position', () => {
    const points = [
      { file: 'binlog.000001', pos: 4 },
      { file: 'binlog.000001', pos: 2 ** 32 - 1 },
      { file: 'binlog.000002', pos: 4 },
      { file: 'binlog.999999', pos: 100 },
      { file: 'binlog.1000000', pos: 4 },
    ];
    const offsets = points.map((p) => encodeBinlogPosition(p).offset);
    expect([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(offsets);
    expect(new Set(offsets).size).toBe(points.length);
    for (const p of points) expect(decodeBinlogPosition('binlog:binlog', encodeBinlogPosition(p).offset)).toEqual(p);
    // kafka_offset is a signed BIGINT.
    expect(encodeBinlogPosition({ file: 'b.2147483647', pos: 2 ** 32 - 1 }).offset < 2n ** 63n).toBe(true);
  });

  it('refuses what it cannot encode', () => {
    expect(() => encodeBinlogPosition({ file: 'binlog', pos: 4 })).toThrow(/must end in/);
    expect(() => encodeBinlogPosition({ file: 'binlog.000001', pos: 2 ** 32 })).toThrow(/below 2\^32/);
  });

  it('mirrors the state’s own record of the same point (with its GTID set), else the decoded point', () => {
    const known = { file: 'b.000003', pos: 77, gtidSet: '0-1-9', serverId: 1, timestamp: 5 };
    expect(mirrorPosition({ file: 'b.000003', pos: 77 }, known, 1)).toBe(known);
    expect(mirrorPosition({ file: 'b.000003', pos: 99 }, known, 1)).toEqual({ file: 'b.000003', pos: 99, serverId: 1 });
  });
});
