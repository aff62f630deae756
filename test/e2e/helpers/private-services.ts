// A MariaDB and/or Kafka broker of one test file's own, started through scripts/services.sh with a
// state directory and ports of their own, so a test can stop and restart them (a real outage)
// without touching the shared services other test files use. The download cache (MIG_CACHE_DIR,
// default <project>/.cache) is shared: the Kafka jars are fetched once for all.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql, { type Connection } from 'mysql2/promise';
import { Kafka, logLevel } from 'kafkajs';
import { registerCompressionCodecs } from '../../support/kafkajs-codecs.mjs';

// mig compresses with lz4 by default: reading its topics back needs the same codecs.
registerCompressionCodecs();

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/services.sh');

export type Service = 'mariadb' | 'kafka';

/** Whether nothing listens on 127.0.0.1:port (a listen that succeeds and is closed again). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports, below Linux's ephemeral range (32768 and up) so an outgoing
 * connection's local port cannot take one while the service that owns it is stopped.
 */
async function freePorts(count: number, avoid: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    let free = true;
    for (const p of ports) if (!(free = await portFree(p))) break;
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

export interface PrivateServices {
  /** The state directory (data, logs, pid files) of these services. */
  readonly dir: string;
  readonly mysqlPort: number;
  /** The PLAINTEXT listener; the controller, SCRAM and TLS listeners take the next three ports. */
  readonly kafkaPort: number;
  readonly kafkaBrokers: string[];
  /** `up` for services not started yet; resolves with how long it took (ms). */
  start(services: Service[]): Promise<number>;
  /** The real stop (`services.sh down NAME`): the process ends, its data stays. Resolves with ms taken. */
  stop(service: Service): Promise<number>;
  /** `services.sh up NAME` again on the same data directory: topics, databases and binlogs survive. */
  startAgain(service: Service): Promise<number>;
  /** The connection settings `services.sh env` prints for these services. */
  env(): Promise<Record<string, string>>;
  /** A root connection to the private MariaDB (text values, as mig's own comparisons read them). */
  mysqlConnection(database?: string): Promise<Connection>;
  /** Stops what is still running and deletes the state directory. Safe to call twice. */
  cleanup(): Promise<void>;
}

/**
 * Picks free ports and a temporary state directory; nothing starts before `start`. A process exit
 * hook stops the services too, should the test runner end without running `afterAll`.
 */
export async function privateServices(prefix = 'mig-private-', opts: { kafkaLine?: '4' | '3.9' } = {}): Promise<PrivateServices> {
  const mysqlPort = await freePorts(1);
  const kafkaPort = await freePorts(4, [mysqlPort]);
  // mariadbd runs as user mysql when the tests run as root: the directory must be traversable.
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, MIG_SERVICES_DIR: dir, MIG_TEST_MYSQL_PORT: String(mysqlPort), MIG_TEST_KAFKA_PORT: String(kafkaPort) };
  if (opts.kafkaLine) env.MIG_KAFKA_LINE = opts.kafkaLine;
  // Listener ports a caller's environment may pin: ours follow from kafkaPort.
  for (const k of ['MIG_TEST_KAFKA_CONTROLLER_PORT', 'MIG_TEST_KAFKA_SCRAM_PORT', 'MIG_TEST_KAFKA_TLS_PORT']) delete env[k];

  const script = (args: string[]): Promise<{ ms: number; stdout: string }> => {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      execFile('bash', [SCRIPT, ...args], { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`services.sh ${args.join(' ')} failed (${error.message}):\n${stdout}${stderr}`));
        else resolve({ ms: Date.now() - t0, stdout });
      });
    });
  };

  const started = new Set<Service>();
  let cleaned = false;
  const onExit = () => {
    if (cleaned || started.size === 0) return;
    try {
      execFileSync('bash', [SCRIPT, 'down', '--purge', ...started], { env, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Nothing more can be done while the process exits.
    }
  };
  process.once('exit', onExit);

  return {
    dir,
    mysqlPort,
    kafkaPort,
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    async start(services) {
      const todo = services.filter((s) => !started.has(s));
      if (todo.length === 0) return 0;
      todo.forEach((s) => started.add(s));
      return (await script(['up', ...todo])).ms;
    },
    async stop(service) {
      return (await script(['down', service])).ms;
    },
    async startAgain(service) {
      return (await script(['up', service])).ms;
    },
    async env() {
      const { stdout } = await script(['env']);
      return Object.fromEntries(
        stdout
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    },
    mysqlConnection(database) {
      return mysql.createConnection({
        host: '127.0.0.1', port: mysqlPort, user: 'root', database, multipleStatements: true,
        dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z',
      });
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      process.removeListener('exit', onExit);
      try {
        if (started.size > 0) await script(['down', '--purge', ...started]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface TopicMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/**
 * Every message of `topic` on `brokers` up to the end offsets current when called, in partition
 * then offset order. One consumer of a fresh group reads from the start and stops at those ends.
 */
export async function readWholeTopic(brokers: string[], topic: string, timeoutMs = 60_000): Promise<TopicMessage[]> {
  const kafka = new Kafka({ clientId: 'mig-test-private', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((e) => [e.partition, Number(e.high)]));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  const got: TopicMessage[] = [];
  if (pending.size === 0) return got;
  const consumer = kafka.consumer({ groupId: `mig-test-private-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`, maxBytes: 64 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const allRead = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const high = ends.get(partition) ?? 0;
        if (offset < high) got.push({ partition, offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '' });
        if (offset >= high - 1) pending.delete(partition);
        if (pending.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${topic}: ${got.length} messages after ${timeoutMs} ms, partitions ${[...pending].join(',')} unfinished`)), timeoutMs);
    });
    try {
      await Promise.race([allRead, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return got.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
