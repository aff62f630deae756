// Temporary mig projects (a directory with migrations.d/) and other temp directories, removed when
// a step ends or, whatever happens, when the benchmark exits.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BROKERS, DB, HOST, MYSQL_PORT } from './services.mjs';

const tempDirs = new Set();

export function tempDir(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mig-bench-${kind}-`));
  tempDirs.add(dir);
  return dir;
}

export function projectDir(kind) {
  const dir = tempDir(kind);
  mkdirSync(path.join(dir, 'migrations.d'));
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function removeAllDirs() {
  for (const dir of [...tempDirs]) removeDir(dir);
}

/** Writes migrations.d/<name>.yaml: `spec` is the YAML under spec:, indented by two spaces. */
export function writeMigration(dir, name, spec) {
  writeFileSync(
    path.join(dir, 'migrations.d', `${name}.yaml`),
    `apiVersion: mig/v1
kind: Migration
metadata:
  name: ${name}
  description: benchmark run (bench/run.mjs)
spec:
${spec}`,
  );
}

/** The MariaDB source every MariaDB-sourced case reads. */
export const SOURCE = `  source: { type: mariadb, host: ${HOST}, port: ${MYSQL_PORT}, user: root }`;

/** A migration of one table of the bench database into a 1-partition lz4 topic; `throttle`: spec.throttle. */
export function writeKafkaSpec(dir, { name, topic, table, types, format, filter, throttle }) {
  writeMigration(
    dir,
    name,
    `${SOURCE}
  destination: { type: kafka, brokers: ${JSON.stringify(BROKERS)}, topic: ${topic}, format: ${format}, compression: lz4, acks: all, partitions: 1 }
  types: [${types.join(', ')}]
  objects:
    - database: ${DB}
      tables: [{ name: ${table}${filter ? `, filter: ${JSON.stringify(filter)}` : ''} }]
${throttle ? `  throttle: ${JSON.stringify(throttle)}\n` : ''}`,
  );
}
