import { describe, expect, it } from 'vitest';
import { tablestoreError } from '../../src/connectors/sinks/tablestore/client.js';
import { isTransient, otsErrorOf, OtsRequestError } from '../../src/connectors/sinks/tablestore/errors.js';
import { backoffMs, withRetry, type RetryOptions } from '../../src/connectors/sinks/tablestore/retry.js';

const dest = { endpoint: 'https://inst.example.invalid', instance: 'inst' };

/** How the SDK reports an error response: HTTP status as code, protobuf bytes as text. */
function sdkError(status: number, code: string, message: string): Error {
  const body = Buffer.concat([Buffer.from([0x0a, code.length]), Buffer.from(code), Buffer.from([0x12]), varint(Buffer.byteLength(message)), Buffer.from(message)]);
  return Object.assign(new Error(), { code: status, message: `${body.toString()} requestId:req-1` });
}
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

describe('otsErrorOf', () => {
  it('reads the OTS code and message out of the SDK text (short and long messages)', () => {
    expect(otsErrorOf(sdkError(503, 'OTSServerBusy', 'Server is busy.'))).toEqual({ code: 'OTSServerBusy', message: 'Server is busy.', status: 503, requestId: 'req-1' });
    const long = 'x'.repeat(300);
    expect(otsErrorOf(sdkError(400, 'OTSParameterInvalid', long)).message).toBe(long);
  });

  it('prefers the decoded body, keeps transport codes, falls back to the HTTP status', () => {
    expect(otsErrorOf(Object.assign(new Error('raw'), { code: 403, otsCode: 'OTSAuthFailed', otsMessage: 'bad sig' }))).toMatchObject({ code: 'OTSAuthFailed', message: 'bad sig', status: 403 });
    expect(otsErrorOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'NetworkingError' }))).toMatchObject({ code: 'NetworkingError' });
    expect(otsErrorOf(Object.assign(new Error('<html>bad gateway</html> requestId:'), { code: 502 }))).toMatchObject({ code: 'HTTP502', status: 502 });
  });
});

describe('isTransient', () => {
  it.each([
    ['OTSServerBusy', '', true],
    ['OTSNotEnoughCapacityUnit', '', true],
    ['OTSPartitionUnavailable', '', true],
    ['OTSTimeout', '', true],
    ['OTSInternalServerError', '', true],
    ['OTSQuotaExhausted', 'Too frequent table operations.', true],
    ['OTSQuotaExhausted', 'Number of tables exceeded the quota.', false],
    ['NetworkingError', 'socket hang up', true],
    ['TimeoutError', '', true],
    ['OTSParameterInvalid', '', false],
    ['OTSAuthFailed', '', false],
    ['OTSConditionCheckFail', '', false],
  ])('%s %s → %s', (code, message, want) => {
    expect(isTransient({ code, message })).toBe(want);
  });
  it('a gateway 503 without an OTS code is transient; a 404 is not', () => {
    expect(isTransient({ code: 'HTTP503', message: '', status: 503 })).toBe(true);
    expect(isTransient({ code: 'HTTP404', message: '', status: 404 })).toBe(false);
  });
});

describe('withRetry', () => {
  const fast: RetryOptions = { attempts: 4, baseMs: 1, maxMs: 4, sleep: async () => undefined };

  it('retries throttling, then succeeds', async () => {
    let calls = 0;
    const codes: string[] = [];
    const out = await withRetry(
      'BatchWriteRow',
      async () => {
        if (++calls < 3) throw sdkError(503, 'OTSServerBusy', 'busy');
        return 'ok';
      },
      fast,
      (c) => codes.push(c),
    );
    expect(out).toBe('ok');
    expect(codes).toEqual(['OTSServerBusy', 'OTSServerBusy']);
  });

  it('gives up after the attempts, and at once on other errors', async () => {
    let calls = 0;
    await expect(withRetry('X', async () => { calls++; throw sdkError(503, 'OTSServerBusy', 'busy'); }, fast)).rejects.toBeInstanceOf(OtsRequestError);
    expect(calls).toBe(4);
    calls = 0;
    await expect(withRetry('X', async () => { calls++; throw sdkError(400, 'OTSParameterInvalid', 'no'); }, fast)).rejects.toMatchObject({ ots: { code: 'OTSParameterInvalid' } });
    expect(calls).toBe(1);
  });

  it('backs off exponentially with jitter, capped', () => {
    const o = { attempts: 10, baseMs: 100, maxMs: 1000 };
    expect(backoffMs(0, { ...o, random: () => 0 })).toBe(50);
    expect(backoffMs(0, { ...o, random: () => 1 })).toBe(100);
    expect(backoffMs(2, { ...o, random: () => 1 })).toBe(400);
    expect(backoffMs(8, { ...o, random: () => 1 })).toBe(1000);
    expect(backoffMs(8, { ...o, random: () => 0 })).toBe(500);
  });
});

describe('tablestoreError', () => {
  it('names the fix and never shows the secrets', () => {
    const secret = 'S3cr3tValue';
    const e = tablestoreError(dest, { code: 'OTSAuthFailed', message: `signature mismatch for key AKID123 and ${secret}` }, 'ListTable', undefined, [secret, 'AKID123']);
    expect(e.code).toBe('tablestore-auth');
    expect(e.hint).toMatch(/AccessKey/);
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain('AKID123');
    expect(tablestoreError(dest, { code: 'OTSObjectNotExist', message: 'no table' }, 'BatchWriteRow', 'orders').message).toMatch(/table orders.*does not exist/);
    expect(tablestoreError(dest, { code: 'NetworkingError', message: 'getaddrinfo ENOTFOUND' }, 'ListTable').hint).toMatch(/endpoint/);
    expect(tablestoreError(dest, { code: 'OTSServerBusy', message: 'busy' }, 'BatchWriteRow').code).toBe('tablestore-busy');
  });
});

describe('resolveTablestoreSecrets', () => {
  it('resolves both references and names the missing one', async () => {
    const { resolveTablestoreSecrets } = await import('../../src/connectors/sinks/tablestore/secrets.js');
    const refs = { accessKeyId: '${env:TS_AK}', accessKeySecret: '${env:TS_SK}' };
    expect(await resolveTablestoreSecrets(refs, '/tmp/project/migrations.d', { TS_AK: 'id', TS_SK: 'secret' })).toEqual({ accessKeyId: 'id', accessKeySecret: 'secret' });
    await expect(resolveTablestoreSecrets(refs, '/tmp/project/migrations.d', { TS_AK: 'id' })).rejects.toThrow(/spec\.destination\.accessKeySecret.*TS_SK/);
  });
});
