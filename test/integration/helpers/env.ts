// Where the project's own test services listen (scripts/services.sh starts them).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

export const MYSQL_PORT = Number(process.env.MIG_TEST_MYSQL_PORT ?? 3307);
export const KAFKA_PORT = Number(process.env.MIG_TEST_KAFKA_PORT ?? 19092);
export const KAFKA_BROKERS = [`127.0.0.1:${KAFKA_PORT}`];

export function rootConnection(database?: string) {
  return mysql.createConnection({
    host: '127.0.0.1',
    port: MYSQL_PORT,
    user: 'root',
    database,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
  });
}

/** A name unique to this run, so tests never see each other's databases or topics. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`;
}

// The broker's SCRAM (SASL_PLAINTEXT) and TLS listeners, as `scripts/services.sh env` prints them.
// Unset or empty variables fall back to the script's defaults and its state directory.
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** scripts/services.sh's state directory: the broker's data, logs and generated files. */
export const SERVICES_DIR = path.resolve(REPO_ROOT, process.env.MIG_SERVICES_DIR || '.services');

function fromEnv(name: string, fallback: () => string): string {
  const v = process.env[name];
  return v !== undefined && v !== '' ? v : fallback();
}

/** A value from the scram.env file services.sh writes at the broker's first start. */
function scramEnvFile(key: string): string {
  try {
    const text = readFileSync(path.join(SERVICES_DIR, 'kafka', 'scram.env'), 'utf8');
    return new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  } catch {
    return '';
  }
}

export const KAFKA_SCRAM_BROKERS = fromEnv('MIG_TEST_KAFKA_SCRAM_BROKERS', () => `127.0.0.1:${KAFKA_PORT + 2}`).split(',');
export const KAFKA_TLS_BROKERS = fromEnv('MIG_TEST_KAFKA_TLS_BROKERS', () => `127.0.0.1:${KAFKA_PORT + 3}`).split(',');
export const KAFKA_TLS_CA = fromEnv('MIG_TEST_KAFKA_TLS_CA', () => path.join(SERVICES_DIR, 'kafka', 'tls', 'ca.pem'));
export const KAFKA_SCRAM_USER = fromEnv('MIG_TEST_KAFKA_SCRAM_USER', () => scramEnvFile('MIG_TEST_KAFKA_SCRAM_USER') || 'mig-test');
export const KAFKA_SCRAM_PASSWORD = fromEnv('MIG_TEST_KAFKA_SCRAM_PASSWORD', () => scramEnvFile('MIG_TEST_KAFKA_SCRAM_PASSWORD'));
