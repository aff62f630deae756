// The TiDB feed reader against the real broker: Drainer messages read from an offset, in order,
// a message larger than the fetch size read whole, an over-limit message stopping with its offset,
// resuming, stopping when caught up, aborting; mig's canal-json read back across partitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { KAFKA_BROKERS, KAFKA_SCRAM_BROKERS, KAFKA_SCRAM_PASSWORD, KAFKA_SCRAM_USER, KAFKA_TLS_BROKERS, KAFKA_TLS_CA, rootConnection, uniqueName } from './helpers/env.js';
import { resolveFeedSecrets } from '../../src/connectors/sources/tidb/feed-kafka.js';
import { FeedReader, type FeedUnit } from '../../src/connectors/sources/tidb/feed-reader.js';
import { decodeDrainer } from '../../src/connectors/sources/tidb/drainer-decode.js';
import { decodeCanal } from '../../src/connectors/sources/tidb/canal-decode.js';
import { snapshotCommitTs } from '../../src/connectors/sources/tidb/snapshot-ts.js';
import { encodeCanalJson } from '../../src/connectors/sinks/kafka/formats/canal-json.js';
import { tableCodec } from '../../src/connectors/sinks/kafka/codec.js';
import { DEFAULT_VALUE_OPTIONS } from '../../src/connectors/sources/mysql/type-map.js';
import type { BinlogKafka } from '../../src/spec/schema.js';
import type { ChangeEvent } from '../../src/model/source-data.js';
import { MigError } from '../../src/util/errors.js';
import { dml, i64, str, tso } from '../support/drainer.js';
import { ROWS, TABLE } from '../support/type-table.js';

const MiB = 1 << 20;
const kafka = new Kafka({ clientId: 'mig-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const drainerTopic = uniqueName('drainer');
const canalTopic = uniqueName('canal');
const T0 = 1_700_000_000_000;
let producer: Producer;

const feed = (over: Partial<BinlogKafka> = {}): BinlogKafka => ({
  brokers: KAFKA_BROKERS, topic: drainerTopic, format: 'drainer', maxMessageBytes: 8 * MiB, fetchBytes: MiB, ...over,
});

/** Transaction n: one row (n, text); transaction 5 carries a 3 MiB value. */
function txn(n: number): Buffer {
  const text = n === 5 ? 'x'.repeat(3 * MiB) : `row ${n}`;
  return dml(tso(T0 + n, 1), [{ schema: 'shop', table: 'orders', columns: [{ name: 'id', type: 'bigint', pk: true }, { name: 'note', type: 'longtext' }], mutations: [{ type: 'insert', row: [i64(n), str(text)] }] }]);
}

async function produce(topic: string, messages: Buffer[], timestamps?: number[]): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: messages[i]!, timestamp: timestamps ? String(timestamps[i]) : undefined }] });
  }
}

async function collect(reader: FeedReader, onUnit?: (u: FeedUnit) => Promise<void> | void) {
  const units: FeedUnit[] = [];
  const end = await reader.run(async (u) => {
    units.push(u);
    await onUnit?.(u);
  });
  return { end, units, offsets: units.map((u) => Number(u.offset)) };
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      // Drainer needs large messages: the topic takes up to 8 MiB (the broker default is 1 MB).
      { topic: drainerTopic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(8 * MiB) }] },
      { topic: canalTopic, numPartitions: 3 },
    ],
  });
  await admin.disconnect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Offsets 0..7, one transaction each; offset 5 is the 3 MiB one. Kafka timestamps T0 + n.
  await produce(drainerTopic, [0, 1, 2, 3, 4, 5, 6, 7].map(txn), [0, 1, 2, 3, 4, 5, 6, 7].map((n) => T0 + n * 1000));
});

afterAll(async () => {
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [drainerTopic, canalTopic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('FeedReader on a Drainer topic', () => {
  it('reads from an offset in order, a message over the fetch size whole, and stops when caught up', async () => {
    const started = Date.now();
    let firstAt = 0;
    const { end, units, offsets } = await collect(new FeedReader({ feed: feed(), migration: uniqueName('m'), from: { 0: '2' }, until: 'caught-up' }), () => {
      firstAt ||= Date.now();
    });
    expect(end).toBe('caught-up');
    expect(offsets).toEqual([2, 3, 4, 5, 6, 7]);
    const big = units.find((u) => u.offset === '5')!;
    expect(big.bytes).toBeGreaterThan(3 * MiB);
    expect(big.message.length).toBe(big.bytes);
    const txns = units.map((u) => decodeDrainer(u.message, DEFAULT_VALUE_OPTIONS, { offset: u.offset }));
    expect(txns.map((t) => t.commitTs)).toEqual([2, 3, 4, 5, 6, 7].map((n) => tso(T0 + n, 1)));
    const ev = txns[3]!.events[0] as Extract<ChangeEvent, { kind: 'row' }>;
    expect(ev.after!.note).toBe('x'.repeat(3 * MiB));
    expect(units.every((u) => u.topic === drainerTopic && u.partition === 0)).toBe(true);
    // Reported for tuning: how long joining the consumer group takes before the first message.
    console.log(`feed reader: first message after ${firstAt - started} ms`);
  });

  it('stops at a message over maxMessageBytes, naming its offset and the setting to raise', async () => {
    const reader = new FeedReader({ feed: feed({ maxMessageBytes: 2 * MiB }), migration: uniqueName('m'), from: { 0: '3' } });
    const seen: string[] = [];
    const err = await reader.run(async (u) => void seen.push(u.offset)).then(() => undefined, (e: unknown) => e);
    expect(seen).toEqual(['3', '4']);
    expect(err).toBeInstanceOf(MigError);
    expect(err).toMatchObject({ code: 'feed-message-too-large', message: expect.stringMatching(new RegExp(`${drainerTopic} partition 0 offset 5 is \\d+ bytes`)), hint: expect.stringMatching(/spec\.source\.binlogKafka\.maxMessageBytes/) });
  });

  it('resumes from a later offset, and returns at once when already caught up', async () => {
    expect((await collect(new FeedReader({ feed: feed(), migration: 'resume', from: { 0: '6' }, until: 'caught-up' }))).offsets).toEqual([6, 7]);
    // Same migration (same group), another start: the given offset wins over anything the group has.
    expect((await collect(new FeedReader({ feed: feed(), migration: 'resume', from: { 0: '7' }, until: 'caught-up' }))).offsets).toEqual([7]);
    const none = await collect(new FeedReader({ feed: feed(), migration: 'resume', from: { 0: '8' }, until: 'caught-up' }));
    expect(none).toMatchObject({ end: 'caught-up', offsets: [] });
  });

  it('until caught-up ends at the high watermark as of the start, not at messages written since', async () => {
    const topic = uniqueName('drainer_until');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    await produce(topic, [0, 1, 2].map(txn));
    const { offsets } = await collect(new FeedReader({ feed: feed({ topic }), migration: uniqueName('m'), from: {}, until: 'caught-up' }), async (u) => {
      if (u.offset === '0') await produce(topic, [3, 4].map(txn));
    });
    expect(offsets).toEqual([0, 1, 2]);
    // The handler gates the reading: one call at a time, in offset order.
    let active = 0;
    let maxActive = 0;
    const again = await collect(new FeedReader({ feed: feed({ topic }), migration: uniqueName('m'), from: {}, until: 'caught-up' }), async () => {
      maxActive = Math.max(maxActive, ++active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
    });
    expect(again.offsets).toEqual([0, 1, 2, 3, 4]);
    expect(maxActive).toBe(1);
  });

  it('stops cleanly on abort and delivers nothing after it', async () => {
    const ac = new AbortController();
    const { end, offsets } = await collect(new FeedReader({ feed: feed(), migration: uniqueName('m'), from: { 0: '0' }, signal: ac.signal }), (u) => {
      if (u.offset === '1') ac.abort();
    });
    expect(end).toBe('aborted');
    expect(offsets).toEqual([0, 1]);
    // Idle at the end of the topic, then aborted.
    const idle = new AbortController();
    const run = collect(new FeedReader({ feed: feed(), migration: uniqueName('m'), from: { 0: '7' }, signal: idle.signal }), () => {
      setTimeout(() => idle.abort(), 300);
    });
    expect(await run).toMatchObject({ end: 'aborted', offsets: [7] });
  });

  it('finds offsets by time', async () => {
    const reader = new FeedReader({ feed: feed(), migration: uniqueName('m'), from: {} });
    expect(await reader.offsetsAt(T0 + 2500)).toEqual({ 0: '3' });
    expect(await reader.offsetsAt(T0 + 100_000)).toEqual({ 0: '8' });
  });

  it('maps failures to errors with fixes: missing topic, offsets no longer or not yet there, brokers unreachable', async () => {
    const fail = (r: FeedReader) => r.run(async () => undefined).then(() => undefined, (e: unknown) => e as MigError);
    expect(await fail(new FeedReader({ feed: feed({ topic: uniqueName('absent') }), migration: 'm', from: {}, retries: 1 }))).toMatchObject({ code: 'feed-topic-missing', hint: expect.stringMatching(/spec\.source\.binlogKafka\.topic/) });
    expect(await fail(new FeedReader({ feed: feed(), migration: 'm', from: { 0: '99' } }))).toMatchObject({ code: 'feed-offset-ahead' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [drainerTopic] });
    await admin.deleteTopicRecords({ topic: drainerTopic, partitions: [{ partition: 0, offset: '1' }] });
    await admin.disconnect();
    expect(await fail(new FeedReader({ feed: feed(), migration: 'm', from: { 0: '0' } }))).toMatchObject({ code: 'feed-offset-lost', message: expect.stringMatching(/offset 0 .*earliest is 1/) });
    const down = await fail(new FeedReader({ feed: feed({ brokers: ['127.0.0.1:1'] }), migration: 'm', from: {}, retries: 0 }));
    expect(down).toMatchObject({ code: 'kafka-unreachable', hint: expect.stringMatching(/spec\.source\.binlogKafka\.brokers/) });
  });
});

describe('FeedReader errors and security', () => {
  it("a handler's error ends the run with that error, and the message is not counted as read", async () => {
    const seen: string[] = [];
    const boom = new Error('applier failed');
    const err = await new FeedReader({ feed: feed(), migration: uniqueName('m'), from: { 0: '6' } })
      .run(async (u) => {
        seen.push(u.offset);
        if (u.offset === '6') throw boom;
      })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBe(boom);
    expect(seen).toEqual(['6']);
  });

  it('reads over SASL/SCRAM and over TLS with the shared client (secrets resolved from spec.source.binlogKafka)', async () => {
    const specDir = '/nonexistent/project/migrations.d';
    const scram = feed({ brokers: KAFKA_SCRAM_BROKERS, sasl: { mechanism: 'scram-sha-256', username: KAFKA_SCRAM_USER, password: '${env:MIG_FEED_TEST_PW}' } });
    const secrets = await resolveFeedSecrets(scram, specDir, { MIG_FEED_TEST_PW: KAFKA_SCRAM_PASSWORD });
    const viaScram = await collect(new FeedReader({ feed: scram, secrets, migration: uniqueName('m'), from: { 0: '6' }, until: 'caught-up' }));
    expect(viaScram.offsets).toEqual([6, 7]);
    const tls = feed({ brokers: KAFKA_TLS_BROKERS, tls: { ca: KAFKA_TLS_CA } });
    const viaTls = await collect(new FeedReader({ feed: tls, secrets: await resolveFeedSecrets(tls, specDir), migration: uniqueName('m'), from: { 0: '7' }, until: 'caught-up' }));
    expect(viaTls.offsets).toEqual([7]);
    const wrong = await resolveFeedSecrets(scram, specDir, { MIG_FEED_TEST_PW: 'wrong' });
    const denied = await new FeedReader({ feed: scram, secrets: wrong, migration: 'm', from: {}, retries: 0 }).run(async () => undefined).then(() => undefined, (e: unknown) => e);
    expect(denied).toMatchObject({ code: 'kafka-auth' });
    await expect(resolveFeedSecrets(scram, specDir, {})).rejects.toThrow(/spec\.source\.binlogKafka\.sasl\.password/);
  });
});

describe('FeedReader on a canal-json topic', () => {
  it("reads every partition; mig's canal-json round-trips through decodeCanal exactly", async () => {
    const codec = tableCodec(TABLE);
    const events: ChangeEvent[] = ROWS.map((after, i) => ({ kind: 'row', op: 'insert', database: 'shop', table: 'types', after, timestamp: T0 + i, id: i }));
    events.push({ kind: 'row', op: 'update', database: 'shop', table: 'types', before: ROWS[0], after: { ...ROWS[0]!, vc: 'changed' }, timestamp: T0 + 9, id: 9 });
    events.push({ kind: 'row', op: 'delete', database: 'shop', table: 'types', before: ROWS[1], timestamp: T0 + 10, id: 10 });
    // Rows spread over the three partitions, as a keyed writer would.
    for (let i = 0; i < events.length; i++) {
      await producer.send({ topic: canalTopic, acks: -1, messages: [{ partition: i % 3, value: encodeCanalJson(events[i]!, codec, 0) }] });
    }
    const { end, units } = await collect(new FeedReader({ feed: feed({ topic: canalTopic, format: 'canal-json' }), migration: uniqueName('m'), from: {}, until: 'caught-up' }));
    expect(end).toBe('caught-up');
    expect(units.map((u) => u.partition).sort()).toEqual([0, 0, 1, 1, 2]);
    const decoded = units
      .map((u) => decodeCanal(u.message, DEFAULT_VALUE_OPTIONS, { offset: u.offset, partition: u.partition }).events[0] as Extract<ChangeEvent, { kind: 'row' }>)
      .sort((a, b) => a.timestamp - b.timestamp);
    expect(decoded.map((e) => ({ op: e.op, before: e.before, after: e.after }))).toEqual(events.map((e) => e.kind === 'row' && { op: e.op, before: e.before, after: e.after }));
  });
});

describe('snapshotCommitTs', () => {
  it("reads SHOW MASTER STATUS's Position inside the snapshot as a bigint", async () => {
    const conn = await rootConnection();
    try {
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      const ts = await snapshotCommitTs(conn);
      expect(typeof ts).toBe('bigint');
      expect(ts).toBeGreaterThan(0n);
      await conn.query('COMMIT');
    } finally {
      await conn.end();
    }
  });
});
