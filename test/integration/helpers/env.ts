// Where the project's own test services listen (scripts/services.sh starts them).
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
