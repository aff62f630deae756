// SASL/SCRAM and TLS against the broker's SCRAM and SSL listeners (scripts/services.sh): topic
// creation, produce and consume through mig's own clients (@platformatic/kafka), with the password coming from a secret
// reference; and the errors a user sees for a wrong password, a wrong CA or a wrong name.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin } from '../../../src/connectors/sinks/kafka/admin.js';
import { clientOptions } from '../../../src/connectors/kafka/client.js';
import { readTopic } from '../../../src/connectors/kafka/topic-read.js';
import { resolveKafkaSecrets, type KafkaSecrets } from '../../../src/connectors/kafka/secrets.js';
import { KafkaWriter } from '../../../src/connectors/sinks/kafka/writer.js';
import type { KafkaDestination } from '../../../src/spec/schema.js';
import { MigError } from '../../../src/util/errors.js';
import { KAFKA_BROKERS, KAFKA_SCRAM_BROKERS, KAFKA_SCRAM_PASSWORD, KAFKA_SCRAM_USER, KAFKA_TLS_BROKERS, KAFKA_TLS_CA, uniqueName } from '../helpers/env.js';

const PASSWORD_REF = '${env:MIG_IT_KAFKA_PASSWORD}';
const WRONG_PASSWORD = 'Wr0ng-Pa55word-for-the-test';

// A project laid out as mig expects: specs in <root>/migrations.d, relative paths from <root>.
let root: string;
let specDir: string;

beforeAll(() => {
  expect(KAFKA_SCRAM_PASSWORD, 'SCRAM password from scripts/services.sh env').not.toBe('');
  root = mkdtempSync(path.join(tmpdir(), 'mig-security-'));
  specDir = path.join(root, 'migrations.d');
  mkdirSync(specDir);
  mkdirSync(path.join(root, 'certs'));
  copyFileSync(KAFKA_TLS_CA, path.join(root, 'certs', 'ca.pem'));
  // A CA that did not sign the broker's certificate.
  execFileSync('openssl', ['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=some other CA',
    '-keyout', path.join(root, 'certs', 'other.key'), '-out', path.join(root, 'certs', 'other-ca.pem')], { stdio: 'ignore' });
  writeFileSync(path.join(root, 'certs', 'not-pem.txt'), 'this is no certificate\n');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function base(brokers: string[]): KafkaDestination {
  return { type: 'kafka', brokers, topic: 'x', format: 'canal-json', partitions: 1, replicationFactor: 1, compression: 'lz4' };
}

function scramDest(mechanism: 'scram-sha-256' | 'scram-sha-512'): KafkaDestination {
  return { ...base(KAFKA_SCRAM_BROKERS), sasl: { mechanism, username: KAFKA_SCRAM_USER, password: PASSWORD_REF } };
}

function tlsDest(tls: NonNullable<KafkaDestination['tls']>): KafkaDestination {
  return { ...base(KAFKA_TLS_BROKERS), tls };
}

/** Creates a topic, writes a few messages and reads them back, all over the destination's listener. */
async function roundTrip(dest: KafkaDestination, secrets: KafkaSecrets): Promise<void> {
  const topic = uniqueName('secure');
  const admin = await KafkaAdmin.connect(dest, secrets);
  try {
    await admin.create(topic, 1, 1);
    expect((await admin.describe([topic])).get(topic)?.partitions).toBe(1);
  } finally {
    await admin.close();
  }
  const msgs = Array.from({ length: 20 }, (_, i) => ({ topic, key: `["${i}"]`, value: Buffer.from(JSON.stringify({ i })) }));
  const w = await KafkaWriter.connect(dest, secrets);
  try {
    await w.send(msgs);
  } finally {
    await w.close();
  }
  expect(await readAll(dest, secrets, topic, msgs.length)).toEqual(msgs.map((m) => m.value.toString()));
}

/** The topic's messages read back through mig's own consumer over the same listener. */
async function readAll(dest: KafkaDestination, secrets: KafkaSecrets, topic: string, count: number): Promise<string[]> {
  const out: string[] = [];
  const end = await readTopic(
    { endpoint: dest, secrets, retries: 2, topic, groupId: uniqueName('secure-reader'), from: new Map([[0, 0n]]), until: new Map([[0, BigInt(count)]]), signal: AbortSignal.timeout(60_000) },
    (m) => void out.push(m.value!.toString()),
  );
  expect(end).toBe('caught-up');
  return out;
}

async function connectError(dest: KafkaDestination, secrets: KafkaSecrets): Promise<MigError> {
  const err: unknown = await KafkaAdmin.connect(dest, secrets, 0).then(
    async (a) => {
      await a.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigError);
  return err as MigError;
}

describe('SASL/SCRAM', () => {
  it.each(['scram-sha-256', 'scram-sha-512'] as const)('%s: creates a topic, produces and consumes', async (mechanism) => {
    const dest = scramDest(mechanism);
    const secrets = await resolveKafkaSecrets(dest, specDir, { MIG_IT_KAFKA_PASSWORD: KAFKA_SCRAM_PASSWORD });
    expect(secrets.saslPassword).toBe(KAFKA_SCRAM_PASSWORD);
    await roundTrip(dest, secrets);
  });

  it.each(['scram-sha-256', 'scram-sha-512'] as const)('%s: a wrong password is kafka-auth, naming mechanism and user but no password', async (mechanism) => {
    const dest = scramDest(mechanism);
    const secrets = await resolveKafkaSecrets(dest, specDir, { MIG_IT_KAFKA_PASSWORD: WRONG_PASSWORD });
    const err = await connectError(dest, secrets);
    expect(err.code).toBe('kafka-auth');
    expect(err.message).toContain(mechanism.toUpperCase());
    expect(err.message).toContain(`user ${KAFKA_SCRAM_USER}`);
    const shown = `${err.message} ${err.hint ?? ''} ${err.stack ?? ''}`;
    expect(shown).not.toContain(WRONG_PASSWORD);
    expect(shown).not.toContain(KAFKA_SCRAM_PASSWORD);
  });

  it('SASL against the PLAINTEXT listener is kafka-auth too', async () => {
    const dest = { ...scramDest('scram-sha-256'), brokers: KAFKA_BROKERS };
    const secrets = await resolveKafkaSecrets(dest, specDir, { MIG_IT_KAFKA_PASSWORD: KAFKA_SCRAM_PASSWORD });
    const err = await connectError(dest, secrets);
    expect(err.code).toBe('kafka-auth');
    expect(err.message).toContain('do not expect SASL');
  });

  it('refuses to connect when the password was not resolved', () => {
    expect(() => clientOptions(scramDest('scram-sha-256'))).toThrow(expect.objectContaining({ code: 'secret-unresolved' }));
  });
});

describe('TLS', () => {
  it('produces and consumes with the CA file, a path relative to the project root', async () => {
    const dest = tlsDest({ ca: 'certs/ca.pem' });
    const secrets = await resolveKafkaSecrets(dest, specDir);
    expect(secrets.caFile).toBe(path.join(root, 'certs', 'ca.pem'));
    await roundTrip(dest, secrets);
  });

  it('a CA that did not sign the broker certificate is kafka-tls naming the file and the failure', async () => {
    const dest = tlsDest({ ca: 'certs/other-ca.pem' });
    const err = await connectError(dest, await resolveKafkaSecrets(dest, specDir));
    expect(err.code).toBe('kafka-tls');
    expect(err.message).toContain('certs/other-ca.pem');
    expect(err.message).toMatch(/certificate/i);
  });

  it("tls: {} verifies against the system's CAs, which do not know the test CA", async () => {
    const dest = tlsDest({});
    const err = await connectError(dest, await resolveKafkaSecrets(dest, specDir));
    expect(err.code).toBe('kafka-tls');
    expect(err.message).toContain("system's CAs");
  });

  it('a servername the certificate does not hold is kafka-tls with a servername hint', async () => {
    const dest = tlsDest({ ca: 'certs/ca.pem', servername: 'kafka.example.invalid' });
    const err = await connectError(dest, await resolveKafkaSecrets(dest, specDir));
    expect(err.code).toBe('kafka-tls');
    expect(err.hint).toContain('servername');
  });

  it('a missing or non-PEM CA file is kafka-tls before any connection', async () => {
    for (const ca of ['certs/missing.pem', 'certs/not-pem.txt']) {
      const dest = tlsDest({ ca });
      const err = await connectError(dest, await resolveKafkaSecrets(dest, specDir));
      expect(err.code).toBe('kafka-tls');
      expect(err.message).toContain(path.join(root, ca));
    }
  });
});
