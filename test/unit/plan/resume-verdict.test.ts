// The facts behind the plan's "re-snapshot required": whether a binlog source still lists the file
// a position is in, and whether a TiDB feed topic still holds the offsets recorded.
import { describe, expect, it } from 'vitest';
import { fileVerdict } from '../../../src/connectors/sources/mysql/resumable.js';
import { offsetVerdict } from '../../../src/connectors/sources/tidb/resumable.js';

describe('binlog file verdict', () => {
  const files = ['mariadb-bin.000005', 'mariadb-bin.000006'];

  it('a listed file resumes', () => {
    expect(fileVerdict('mariadb-bin.000006', files, 'checkpoint')).toEqual({ ok: true });
  });

  it('an older file was purged', () => {
    expect(fileVerdict('mariadb-bin.000002', files, 'checkpoint')).toEqual({ ok: false, reason: 'binlog file mariadb-bin.000002 was purged from the source, whose oldest is now mariadb-bin.000005; the checkpoint cannot resume' });
  });

  it('a newer file means the log was reset', () => {
    const v = fileVerdict('mariadb-bin.000009', files, 'snapshot position');
    expect(v).toMatchObject({ ok: false });
    expect(v && !v.ok ? v.reason : '').toContain('the binary log was reset or the server replaced; the snapshot position cannot resume');
  });

  it('no list (binary logging off) gives no answer', () => {
    expect(fileVerdict('mariadb-bin.000002', [], 'checkpoint')).toBeUndefined();
  });
});

describe('feed offset verdict', () => {
  const ranges = [{ partition: 0, low: '100', high: '500' }, { partition: 1, low: '0', high: '20' }];

  it('offsets still held resume; unrecorded partitions start at their earliest', () => {
    expect(offsetVerdict('feed', ranges, { 'feed:0': { offset: '99' }, 'feed:1': { offset: '19' } })).toEqual({ ok: true });
    expect(offsetVerdict('feed', ranges, { 'feed:1': { offset: '3' } })).toEqual({ ok: true });
  });

  it('an earliest offset past the recorded one lost changes to retention', () => {
    const v = offsetVerdict('feed', ranges, { 'feed:0': { offset: '42' } });
    expect(v).toEqual({ ok: false, reason: 'the feed topic feed partition 0 starts at offset 100, past the recorded offset 42: the changes in between were deleted by retention, so the checkpoint cannot resume' });
  });

  it('an end before the recorded offset means the topic was recreated', () => {
    const v = offsetVerdict('feed', ranges, { 'feed:1': { offset: '700' } });
    expect(v && !v.ok ? v.reason : '').toContain('the topic was recreated or replaced');
  });
});
