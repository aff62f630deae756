import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatLag, progressRecords, streamLine, summaryLine, tableLine } from '../../../src/cli/views/progress-format.js';
import { bar, renderLive } from '../../../src/cli/views/progress-live.js';
import type { MigrationFigures, StreamFigures, TableFigures } from '../../../src/cli/views/progress-tracker.js';
import type { MigrationProgress } from '../../../src/model/progress.js';

const table: TableFigures = { migration: 'shop', table: 'inventory.stock_movements', kind: 'full', rows: 212_000, estimate: 497_586, percent: 43, rowsPerSecond: 18_900.4, etaSeconds: 15 };
const stream: StreamFigures = { migration: 'shop', runner: 'streaming', written: 50_111, read: 50_200, filtered: 89, skipped: 0, writtenPerSecond: 1204, lag: { seconds: 0.4, basis: 'heartbeat' }, checkpoint: 'mysql-bin.000003:12345' };

describe('progress figures as text', () => {
  it('counts with thousands separators, durations in s, min and h', () => {
    expect(formatCount(497_586)).toBe('497,586');
    expect(formatCount(18_900.6)).toBe('18,901');
    expect(formatCount(12)).toBe('12');
    expect(formatDuration(15)).toBe('15 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatLag({ seconds: null, basis: 'last-event' })).toBe('unknown (last-event)');
  });

  it('a table line: rows of the estimate, percent, rate and ETA', () => {
    expect(tableLine(table)).toBe('shop: inventory.stock_movements 212,000/497,586 rows (43%) 18,900 rows/s ETA 15 s');
    expect(tableLine({ ...table, rowsPerSecond: null, etaSeconds: null })).toBe('shop: inventory.stock_movements 212,000/497,586 rows (43%)');
    expect(tableLine({ ...table, kind: 'backfill', estimate: null, percent: null, etaSeconds: null })).toBe('shop: inventory.stock_movements backfill 212,000 rows 18,900 rows/s');
  });

  it('a stream line: changes per second, counters, lag with its basis, checkpoint; the retry state instead while retrying', () => {
    expect(streamLine(stream)).toBe('shop: streaming 1,204 changes/s, 50,111 written (read 50,200, filtered 89, skipped 0), lag 0.4 s (heartbeat), checkpoint mysql-bin.000003:12345');
    const retrying = { ...stream, runner: 'retrying' as const, retry: { since: '2026-12-05T08:00:00.000Z', attempts: 3, window: 'connection' as const, until: '2026-12-05T20:00:00.000Z', lastError: { code: 'kafka-unreachable', message: 'cannot reach the Kafka brokers' } } };
    expect(streamLine(retrying)).toBe('shop: retrying (attempt 3, failing since 2026-12-05T08:00:00.000Z, the connection window ends 2026-12-05T20:00:00.000Z): cannot reach the Kafka brokers');
  });

  it('progress records carry the figures as fields', () => {
    const recs = progressRecords({ migration: 'shop', tables: [table], stream, ended: false });
    expect(recs).toHaveLength(2);
    expect(recs[0]!.fields).toMatchObject({ migration: 'shop', event: 'progress', table: 'inventory.stock_movements', rows: 212_000, estimatedRows: 497_586, percent: 43, rowsPerSecond: 18_900.4, etaSeconds: 15 });
    expect(recs[1]!.fields).toMatchObject({ written: 50_111, writtenPerSecond: 1204, lagSeconds: 0.4, lagBasis: 'heartbeat', checkpoint: 'mysql-bin.000003:12345' });
  });

  it('the summary line of an ended run', () => {
    const progress = { migration: 'shop', rows: { copied: 497_586, estimated: 497_586 }, events: { read: 0, written: 0, filtered: 0, skipped: 0 }, lag: { seconds: null, basis: 'last-event' } } as unknown as MigrationProgress;
    expect(summaryLine({ migration: 'shop', tables: [], progress, ended: true })).toBe('shop: 497,586 row(s) copied');
    const streamed = { ...progress, events: { read: 10, written: 9, filtered: 1, skipped: 0 }, lag: { seconds: 0, basis: 'last-event' }, checkpoint: 'b.1:4' } as MigrationProgress;
    expect(summaryLine({ migration: 'shop', tables: [], progress: streamed, ended: true })).toBe('shop: 497,586 row(s) copied, 9 change(s) written (read 10, filtered 1, skipped 0), lag 0 s (last-event), checkpoint b.1:4');
  });
});

describe('the live area', () => {
  it('bars fill with the fraction', () => {
    expect(bar(0.5, 10)).toBe('█████░░░░░');
    expect(bar(null, 4)).toBe('░░░░');
    expect(bar(2, 4)).toBe('████');
  });

  it('renders a heading per migration, a bar per table and the stream line, without colour when off', () => {
    const figs: MigrationFigures[] = [
      { migration: 'shop', tables: [table], ended: false },
      { migration: 'crm', tables: [], stream, ended: false },
      { migration: 'idle', tables: [], ended: false },
      { migration: 'gone', tables: [table], ended: true },
    ];
    const text = renderLive(figs, false);
    expect(text).not.toContain('\u001b[');
    expect(text.split('\n')).toEqual([
      'shop',
      `  inventory.stock_movements  ${bar(0.43)}  43%  212,000/497,586 rows  18,900 rows/s  ETA 15 s`,
      'crm',
      '  streaming  1,204 changes/s  50,111 written  lag 0.4 s (heartbeat)  checkpoint mysql-bin.000003:12345',
    ]);
    expect(renderLive(figs, true)).toContain('\u001b[');
  });
});
