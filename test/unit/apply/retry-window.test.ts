// The retry windows: which failures get which window, the backoff inside a window, and the error a
// run ends with once the window is over.
import { describe, expect, it } from 'vitest';
import { MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { classifyFailure } from '../../../src/engine/failure-class.js';
import { Outage } from '../../../src/engine/retry-window.js';
import { MigError } from '../../../src/util/errors.js';
import type { Migration } from '../../../src/spec/schema.js';
import { sampleState } from '../state/sample-state.js';

const kafkaMigration = (retry?: Migration['spec']['retry']): Migration => {
  const m = structuredClone(sampleState().migrations.orders!.spec);
  if (retry) m.spec.retry = retry;
  return m;
};

const coded = (code: string, errno?: number) => Object.assign(new Error(`driver: ${code}`), { code, errno });

describe('classifyFailure', () => {
  const m = kafkaMigration();
  it('a lost or refused connection anywhere along the causes gets the connection window', () => {
    expect(classifyFailure(coded('ECONNREFUSED'), m)).toBe('retryable-connection');
    expect(classifyFailure(coded('PROTOCOL_CONNECTION_LOST'), m)).toBe('retryable-connection');
    // MariaDB shutting down, and the client seeing the server gone mid-query.
    expect(classifyFailure(coded('ER_SERVER_SHUTDOWN', 1053), m)).toBe('retryable-connection');
    expect(classifyFailure(coded('X', 2013), m)).toBe('retryable-connection');
    const wrapped = new MigError('source-error', 'source db:3306: Connection lost', undefined, { cause: coded('PROTOCOL_CONNECTION_LOST') });
    expect(classifyFailure(wrapped, m)).toBe('retryable-connection');
    expect(classifyFailure(new MigError('kafka-unreachable', 'cannot reach'), m)).toBe('retryable-connection');
    expect(classifyFailure(new MigError('state-unreachable', 'cannot connect to the state database'), undefined)).toBe('retryable-connection');
  });

  it('lock waits, deadlocks and a busy state get the other window', () => {
    expect(classifyFailure(coded('ER_LOCK_DEADLOCK', 1213), m)).toBe('retryable-other');
    expect(classifyFailure(coded('ER_LOCK_WAIT_TIMEOUT', 1205), m)).toBe('retryable-other');
    expect(classifyFailure(new MigError('state-busy', 'claimed'), m)).toBe('retryable-other');
  });

  it("the destination kind reads its own client's errors (the Kafka client marks what a retry can get past)", () => {
    // As the client reports a failed produce: its per-request aggregate around the broker's error.
    const notLeader = new MultipleErrors('Producing messages failed.', [new ProtocolError('NOT_LEADER_OR_FOLLOWER')]);
    expect(classifyFailure(notLeader, m)).toBe('retryable-other');
    const tooLarge = new MultipleErrors('Producing messages failed.', [new ProtocolError('MESSAGE_TOO_LARGE')]);
    expect(classifyFailure(tooLarge, m)).toBe('fatal');
    const refused = new MultipleErrors('metadata failed 4 times.', [new NetworkError('Connection to 127.0.0.1:1 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) })]);
    expect(classifyFailure(refused, m)).toBe('retryable-connection');
    const auth = new NetworkError('Connection failed.', { cause: new ProtocolError('SASL_AUTHENTICATION_FAILED') });
    expect(classifyFailure(auth, m)).toBe('fatal');
  });

  it('refusals and unknown failures are fatal, even with a closed socket among the causes', () => {
    expect(classifyFailure(new MigError('source-auth', 'refused user', undefined, { cause: coded('ECONNRESET') }), m)).toBe('fatal');
    expect(classifyFailure(new MigError('binlog-position-lost', 'purged'), m)).toBe('fatal');
    expect(classifyFailure(new Error('undefined is not a function'), m)).toBe('fatal');
    expect(classifyFailure(coded('ER_NO_SUCH_TABLE', 1146), m)).toBe('fatal');
  });
});

describe('Outage', () => {
  const minute = 1000;
  const err = new MigError('kafka-unreachable', 'cannot reach the Kafka brokers kafka:9092', 'check spec.destination.brokers');

  it('backs off from 1 s doubling to 10 s with jitter, within the window', () => {
    const m = kafkaMigration({ connectionMinutes: 60 });
    const o = new Outage(0, err);
    const delays = [1, 2, 3, 4, 5, 6].map((i) => o.next('retryable-connection', err, m, i, minute, () => 0.5));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(o.next('retryable-connection', err, m, 0, minute, () => 0)).toBe(8000);
    expect(o.next('retryable-connection', err, m, 0, minute, () => 1)).toBe(12_000);
  });

  it('never waits past the window, and ends once it is over', () => {
    const m = kafkaMigration({ connectionMinutes: 10 });
    const o = new Outage(0, err);
    expect(o.next('retryable-connection', err, m, 9500, minute, () => 0.5)).toBe(500);
    expect(o.next('retryable-connection', err, m, 10_000, minute)).toBeUndefined();
    const final = o.exhausted(m, minute);
    expect(final.message).toMatch(/gave up after 2 attempt\(s\).*connection retry window is 10 min of 1000 ms.*cannot reach the Kafka brokers/);
    expect(final.hint).toMatch(/check spec.destination.brokers.*spec.retry.connectionMinutes/);
  });

  it('an other failure gets the shorter window, counted from the start of the outage', () => {
    const m = kafkaMigration({ connectionMinutes: 30, otherMinutes: 5 });
    const o = new Outage(0, err);
    expect(o.next('retryable-connection', err, m, 4000, minute)).toBeDefined();
    const busy = new MigError('state-busy', 'claimed');
    expect(o.next('retryable-other', busy, m, 6000, minute)).toBeUndefined();
    expect(o.status(m, minute)).toMatchObject({ attempts: 2, window: 'other', until: new Date(5000).toISOString(), lastError: { code: 'state-busy' } });
  });

  it("uses DTS's defaults when the spec sets no window", () => {
    const m = kafkaMigration();
    const o = new Outage(0, err);
    o.next('retryable-connection', err, m, 0, 60_000);
    expect(o.status(m, 60_000).until).toBe(new Date(720 * 60_000).toISOString());
  });
});
