// Binary log retention from the variables each server has, and Kafka's topic name rules.
import { describe, expect, it } from 'vitest';
import { binlogRetention, formatDuration, requiredRetentionDays, retentionMeets } from '../../../src/precheck/retention.js';
import { collisionKey, topicCollisions, topicNameProblem } from '../../../src/precheck/topic-names.js';

describe('binlog retention', () => {
  it('0 everywhere means never purged, which passes any requirement', () => {
    const r = binlogRetention({ binlog_expire_logs_seconds: '0', expire_logs_days: '0.000000' });
    expect(r.seconds).toBe(0);
    expect(retentionMeets(r, 7)).toBe(true);
    expect(formatDuration(r.seconds)).toBe('never purged');
  });

  it('MySQL 8: binlog_expire_logs_seconds wins over expire_logs_days when non-zero', () => {
    expect(binlogRetention({ binlog_expire_logs_seconds: '2592000', expire_logs_days: '1' })).toEqual({ seconds: 2_592_000, from: 'binlog_expire_logs_seconds=2592000' });
    expect(binlogRetention({ binlog_expire_logs_seconds: '0', expire_logs_days: '3' }).seconds).toBe(3 * 86_400);
  });

  it('MariaDB before 10.6 and MySQL 5.x: expire_logs_days, a fraction on MariaDB', () => {
    const r = binlogRetention({ expire_logs_days: '2.500000' });
    expect(r.seconds).toBe(2.5 * 86_400);
    expect(formatDuration(r.seconds)).toBe('2.5 day(s)');
    expect(retentionMeets(r, 3)).toBe(false);
  });

  it('auto purge off means never purged, whatever the period says', () => {
    expect(binlogRetention({ binlog_expire_logs_auto_purge: 'OFF', binlog_expire_logs_seconds: '3600' }).seconds).toBe(0);
  });

  it('PolarDB hours are read when present', () => {
    expect(binlogRetention({ expire_logs_hours: '72' }).seconds).toBe(3 * 86_400);
  });

  it('asks 3 days of managed instances, 7 of self-managed, and the bounds are inclusive', () => {
    expect(requiredRetentionDays('polardb-mysql')).toBe(3);
    expect(requiredRetentionDays('polardb-x')).toBe(3);
    expect(requiredRetentionDays('mysql')).toBe(7);
    expect(requiredRetentionDays('mariadb')).toBe(7);
    expect(retentionMeets({ seconds: 7 * 86_400, from: '' }, 7)).toBe(true);
    expect(retentionMeets({ seconds: 7 * 86_400 - 1, from: '' }, 7)).toBe(false);
  });
});

describe('topic names', () => {
  it('accepts what Kafka accepts', () => {
    expect(topicNameProblem('shop.orders_v2-eu')).toBeUndefined();
    expect(topicNameProblem('x'.repeat(249))).toBeUndefined();
  });

  it("refuses '.', '..', long names and other characters", () => {
    expect(topicNameProblem('.')).toMatch(/reserves/);
    expect(topicNameProblem('..')).toMatch(/reserves/);
    expect(topicNameProblem('x'.repeat(250))).toMatch(/250 characters/);
    expect(topicNameProblem('shop orders/1')).toBe("contains ' ', '/' (only letters, digits, '.', '_' and '-' are allowed)");
  });

  it("finds names that differ only by '.' versus '_'", () => {
    expect(collisionKey('a.b_c')).toBe('a_b_c');
    expect(topicCollisions(['shop.orders', 'shop_orders'], undefined)).toEqual([{ topic: 'shop_orders', with: 'shop.orders', existing: false }]);
    expect(topicCollisions(['shop.orders'], ['shop_orders', 'other'])).toEqual([{ topic: 'shop.orders', with: 'shop_orders', existing: true }]);
  });

  it('leaves alone topics that already exist side by side, and exact repeats', () => {
    expect(topicCollisions(['a.b', 'a_b'], ['a.b', 'a_b'])).toEqual([]);
    expect(topicCollisions(['a.b', 'a.b'], ['a.b'])).toEqual([]);
    expect(topicCollisions(['a.b'], ['a.b'])).toEqual([]);
  });
});
