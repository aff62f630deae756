// What the runner tests share: a background `mig run` (or any long-running mig) with its output
// captured, `mig status --json` read back, and a Kafka topic of canal-json messages turned into
// the last state per key.
import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_BROKERS } from '../../integration/helpers/env.js';
import { readTopic, type ReadMessage } from '../../integration/helpers/kafka.js';
import { runMig, spawnMig } from './run-mig.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BackgroundMig {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves when the process has exited, with its code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process is still running. */
  running(): boolean;
  /** Resolves with Date.now() at the moment a line matching `re` appeared; rejects after `ms` or on exit. */
  waitForOutput(re: RegExp, ms: number): Promise<number>;
}

export function startMig(args: string[], opts: { cwd: string; env?: Record<string, string> }): BackgroundMig {
  const child = spawnMig(args, opts);
  let out = '';
  let alive = true;
  // Each chunk's arrival time is kept so a wait that starts late still reports when the line came.
  const chunks: { at: number; text: string }[] = [];
  const onData = (d: Buffer) => {
    const text = d.toString();
    out += text;
    chunks.push({ at: Date.now(), text });
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });
  const findLine = (re: RegExp): number | undefined => {
    let sofar = '';
    for (const c of chunks) {
      sofar += c.text;
      // A line is matched once it is complete or the match lies inside what arrived so far.
      if (re.test(sofar)) return c.at;
    }
    return undefined;
  };
  return {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    running: () => alive,
    waitForOutput: async (re, ms) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const at = findLine(re);
        if (at !== undefined) return at;
        if (!alive) throw new Error(`mig (pid ${child.pid}) exited before printing ${re}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`mig (pid ${child.pid}) did not print ${re} within ${ms} ms:\n${out}`);
        await sleep(50);
      }
    },
  };
}

/** Kills a process this test started if it is still running (cleanup after a failed assertion). */
export async function killIfRunning(p: BackgroundMig | undefined): Promise<void> {
  if (!p || !p.running()) return;
  p.child.kill('SIGKILL');
  await p.exited;
}

/** Polls `check` until it returns a value other than undefined; throws with `what` after `ms`. */
export async function waitUntil<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      // A read between two writes of the state, or a process not yet listening, is retried.
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(everyMs);
  }
}

// `mig status --json`, read as loosely typed JSON: the runner's fields are new and their exact
// shape is checked by the tests' assertions, not by a cast here.
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function statusJson(cwd: string, extra: string[] = [], env?: Record<string, string>): Promise<JsonObject> {
  const r = await runMig(['status', '--json', ...extra], { cwd, env });
  if (r.code !== 0) throw new Error(`mig status --json exited ${r.code}: ${r.stderr}${r.stdout}`);
  const parsed = JSON.parse(r.stdout) as Json;
  if (!isObject(parsed)) throw new Error(`mig status --json printed no object: ${r.stdout}`);
  return parsed;
}

/** One migration's entry in `mig status --json`. */
export function statusOfMigration(status: JsonObject, name: string): JsonObject | undefined {
  const list = status.migrations;
  if (!Array.isArray(list)) return undefined;
  return list.filter(isObject).find((m) => m.name === name);
}

/**
 * The pid holding a migration's lease as status reports it (`lease.pid`; `lease.holder.pid` is read
 * too, the contract naming the object rather than its fields). Undefined when no lease is held: status
 * leaves `lease` out then. The state's `runner.pid` is not used, since it still names a runner that
 * died or stopped.
 */
export function leaseHolderPid(m: JsonObject | undefined): number | undefined {
  const lease = m?.lease;
  if (!isObject(lease)) return undefined;
  if (typeof lease.pid === 'number') return lease.pid;
  if (isObject(lease.holder) && typeof lease.holder.pid === 'number') return lease.holder.pid;
  return undefined;
}

// canal-json as mig writes it (README: Messages), the fields these tests read.
export interface CanalMessage {
  data: Record<string, string | null>[] | null;
  /** Log coordinate of a binlog change; 0 for full-load (snapshot) rows. */
  id: number;
  isDdl: boolean;
  table: string;
  type: string;
}

export interface CanalRead extends ReadMessage {
  msg: CanalMessage;
}

export async function readCanal(topic: string): Promise<CanalRead[]> {
  return (await readTopic(topic, 120_000)).map((m) => ({ ...m, msg: JSON.parse(m.value) as CanalMessage }));
}

/** A row message's primary key (the load tables' `id`), from the row image. */
export function rowId(m: CanalMessage): number {
  return Number(m.data![0]!.id);
}

/**
 * The last state per key, replaying the topic in order (each key lives on one partition, so
 * partition-then-offset order is each key's order): a DELETE removes the key, anything else sets
 * the row image. DDL messages are skipped.
 */
export function lastStateByKey(msgs: CanalRead[]): Map<number, Record<string, string | null>> {
  const rows = new Map<number, Record<string, string | null>>();
  for (const { msg } of msgs) {
    if (msg.isDdl || !msg.data) continue;
    const id = rowId(msg);
    if (msg.type === 'DELETE') rows.delete(id);
    else rows.set(id, msg.data[0]!);
  }
  return rows;
}

/** Only the columns the load writes, as text (mig's canal-json values are strings). */
export function loadRowText(r: Record<string, string | number | null | undefined>): { id: string; grp: string; n: string; note: string } {
  return { id: String(r.id), grp: String(r.grp), n: String(r.n), note: String(r.note) };
}

const admin = new Kafka({ clientId: 'mig-test-offsets', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });

/** A topic's end offset per partition now: messages at or above it were written later. */
export async function endOffsets(topic: string): Promise<Map<number, number>> {
  const a = admin.admin();
  await a.connect();
  try {
    return new Map((await a.fetchTopicOffsets(topic)).map((e) => [e.partition, Number(e.high)]));
  } finally {
    await a.disconnect();
  }
}

/** Messages written after `ends` was taken. */
export function writtenAfter<T extends ReadMessage>(msgs: T[], ends: Map<number, number>): T[] {
  return msgs.filter((m) => m.offset >= (ends.get(m.partition) ?? 0));
}

/**
 * Waits until a message matching `match` is written to `topic` at or after `since` (end offsets taken
 * before the change was made). Catch-up is judged by a marker row arriving
 * rather than by status lag: the persisted checkpoint of a stream that went quiet can trail what
 * Kafka already holds, so lag is not a reliable "everything arrived" signal.
 */
export async function waitForMessage(topic: string, since: Map<number, number>, match: (m: CanalMessage) => boolean, ms: number): Promise<number> {
  const consumer = admin.consumer({ groupId: `mig-test-wait-${process.pid}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let found: (at: number) => void = () => undefined;
    const arrived = new Promise<number>((resolve) => (found = resolve));
    // Read from the start and skip what lies before `since` (a seek needs the group joined first;
    // the topics here are small enough to read whole).
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (Number(message.offset) < (since.get(partition) ?? 0) || !message.value) return;
        if (match(JSON.parse(message.value.toString()) as CanalMessage)) found(Date.now());
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no matching message on ${topic} within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([arrived, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Row messages written at or after `from` that a snapshot (full load, re-snapshot or backfill chunk)
 * wrote rather than the change stream: canal-json's id 0 (full-load rows), or, whatever id a chunk row
 * carries, an INSERT of a key that is already live at that point of the topic, or of a key the load
 * never inserts (ids up to `preloadedUpTo`, which existed before the load and are never re-inserted).
 * A stream INSERT can only be a new key, so either shape means the table was copied again.
 */
export function snapshotRowsAfter(msgs: CanalRead[], from: Map<number, number>, preloadedUpTo: number): CanalRead[] {
  const live = new Set<number>();
  const out: CanalRead[] = [];
  for (const m of msgs) {
    if (m.msg.isDdl || !m.msg.data) continue;
    const id = rowId(m.msg);
    const after = m.offset >= (from.get(m.partition) ?? 0);
    if (after && (m.msg.id === 0 || (m.msg.type === 'INSERT' && (live.has(id) || id <= preloadedUpTo)))) out.push(m);
    if (m.msg.type === 'DELETE') live.delete(id);
    else live.add(id);
  }
  return out;
}
