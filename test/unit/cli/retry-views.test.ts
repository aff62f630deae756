// How an outage reads: apply's lines for each attempt and the recovery, and mig status's retrying line.
import { expect, it } from 'vitest';
import { applyLine } from '../../../src/cli/views/apply-human.js';
import { renderStatus, statusOf } from '../../../src/cli/views/status.js';
import { sampleState } from '../state/sample-state.js';

it("apply prints each retry with its window's end, and the recovery", () => {
  const retry = applyLine({ type: 'runner-retry', migration: 'orders', code: 'kafka-unreachable', message: 'cannot reach the Kafka brokers kafka:9092: ECONNREFUSED', window: 'connection', attempt: 3, since: '2026-12-05T03:00:00.000Z', until: '2026-12-05T15:00:00.000Z', retryInSeconds: 4.12 });
  expect(retry).toBe('orders: cannot reach the Kafka brokers kafka:9092: ECONNREFUSED\n  retrying in 4.1 s (attempt 3, failing since 2026-12-05T03:00:00.000Z; the connection retry window ends at 2026-12-05T15:00:00.000Z)');
  expect(applyLine({ type: 'runner-recovered', migration: 'orders', attempts: 7, seconds: 31 })).toBe('orders: recovered after 7 failed attempt(s) over 31 s; resumed from the last checkpoint');
});

it('mig status shows the outage while the runner retries, instead of a last error', () => {
  const state = sampleState();
  const lastError = { code: 'source-error', message: 'source db:3306: Connection lost: The server closed the connection.' };
  state.migrations.orders!.runner = {
    status: 'retrying', pid: 7, host: 'h', updatedAt: '2026-12-05T03:00:09.000Z',
    lastError: { generation: 1, at: '2026-12-05T03:00:09.000Z', ...lastError },
    retry: { since: '2026-12-05T03:00:00.000Z', attempts: 4, window: 'connection', until: '2026-12-05T15:00:00.000Z', lastError },
  };
  const text = renderStatus(statusOf(state, new Map(), () => 'TOPIC'));
  expect(text).toContain('runner retrying');
  expect(text).toContain('  retrying:   a lost connection since 2026-12-05T03:00:00.000Z, 4 attempt(s), until 2026-12-05T15:00:00.000Z: source db:3306: Connection lost: The server closed the connection.');
  expect(text).not.toContain('last error:');
});
