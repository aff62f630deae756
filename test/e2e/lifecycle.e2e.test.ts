// Operating mig: saved plans and stale plans, the state lock, --follow with SIGTERM, secrets kept out
// of every output, and clear errors for bad input.
import { onTestFinished, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { rootConnection, uniqueName, MYSQL_PORT, KAFKA_BROKERS } from '../integration/helpers/env.js';
import { readTopic } from '../integration/helpers/kafka.js';
import { runMig, spawnMig } from './helpers/run-mig.js';

const db = uniqueName('life');
const user = `u${process.pid}`;
const SECRET = `S3cr3t-${Math.random().toString(36).slice(2)}`;
const topic = `${db}.t`;
let cwd: string;
let conn: Connection;
const env = { LIFE_DB_PASSWORD: SECRET };

function spec(extra = ''): string {
  return `apiVersion: mig/v1
kind: Migration
metadata: { name: life }
spec:
  source: { type: mariadb, host: 127.0.0.1, port: ${MYSQL_PORT}, user: ${user}, password: "\${env:LIFE_DB_PASSWORD}" }
  destination: { type: kafka, brokers: ${JSON.stringify(KAFKA_BROKERS)}, topic: ${topic} }
  objects:
    - database: ${db}
      tables:
        - name: t
${extra}`;
}

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'mig-life-'));
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, status VARCHAR(10))`);
  await conn.query(`INSERT INTO ${db}.t VALUES (1,'new'),(2,'draft'),(3,'paid')`);
  await conn.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${SECRET}'`);
  await conn.query(`GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO '${user}'@'127.0.0.1'`);
  mkdirSync(path.join(cwd, 'migrations.d'));
  writeFileSync(path.join(cwd, 'migrations.d', 'life.yaml'), spec());
});

afterAll(async () => {
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
  await conn.end();
});

function allFilesText(dir: string): string {
  let out = '';
  for (const f of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (f.isFile()) out += readFileSync(path.join(f.parentPath ?? (f as unknown as { path: string }).path, f.name), 'utf8');
  }
  return out;
}

describe('mig lifecycle', () => {
  let outputs = '';
  const run = async (args: string[], e: Record<string, string> = env) => {
    const r = await runMig(args, { cwd, env: e });
    outputs += r.stdout + r.stderr;
    return r;
  };

  it('refuses a stale saved plan, applies a fresh one', async () => {
    const p = await run(['plan', '--out', 'plan.json']);
    expect(p.code, p.stderr).toBe(0);
    writeFileSync(path.join(cwd, 'migrations.d', 'life.yaml'), spec(`          filter: "status <> 'draft'"\n`));
    const stale = await run(['apply', 'plan.json', '--auto-approve']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('stale plan: the migration specs changed');
    expect(stale.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const p2 = await run(['plan', '--out', 'plan.json']);
    expect(p2.code).toBe(0);
    const noTty = await run(['apply', 'plan.json']);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain('there is no terminal to ask');
    const a = await run(['apply', 'plan.json', '--auto-approve']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const msgs = (await readTopic(topic)).map((m) => JSON.parse(m.value).data[0].id);
    expect(msgs.sort()).toEqual(['1', '3']); // the filter left the draft out

    // The plan saved before that apply is now stale: it was approved (generation 1) since.
    const again = await run(['apply', 'plan.json', '--auto-approve']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('stale plan: another plan was approved since this one was made (life: generation 0 then, 1 now)');
  });

  it('holds the migration\'s lease while following; a second apply leaves the stream to it, naming it; SIGTERM stops cleanly', async () => {
    const follow = spawnMig(['apply', '--auto-approve', '--follow'], { cwd, env });
    let out = '';
    follow.stdout!.on('data', (d) => (out += d));
    follow.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number>((r) => follow.on('exit', (c) => r(c ?? -1)));
    // A failed assertion must not leave the follower running after the test.
    onTestFinished(() => {
      if (follow.exitCode === null) follow.kill('SIGKILL');
    });
    const deadline = Date.now() + 30_000;
    while (!out.includes('streaming from') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('streaming from');

    const second = await run(['apply', '--auto-approve', '--until-caught-up']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`the runner holding its lease \\(pid ${follow.pid} on `));

    await conn.query(`INSERT INTO ${db}.t VALUES (4,'new'),(5,'draft')`);
    await conn.query(`UPDATE ${db}.t SET status = 'paid' WHERE id = 1`);
    const waitUntil = Date.now() + 20_000;
    let ids: string[] = [];
    while (Date.now() < waitUntil) {
      ids = (await readTopic(topic)).map((m) => `${JSON.parse(m.value).type}:${JSON.parse(m.value).data[0].id}`);
      if (ids.length >= 4) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids.slice(2)).toEqual(['INSERT:4', 'UPDATE:1']);
    follow.kill('SIGTERM');
    expect(await exited).toBe(0);
    outputs += out;
    expect(out).toContain('life: stopped at checkpoint');

    const st = JSON.parse(readFileSync(path.join(cwd, '.mig', 'state.json'), 'utf8'));
    expect(st.migrations.life.checkpoint.file).toMatch(/mariadb-bin\.\d+/);
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(0);
  });

  it('--replace takes a new snapshot: every row is copied again and streaming restarts there', async () => {
    const before = (await readTopic(topic)).length;
    const p = await run(['plan', '--replace', 'life']);
    expect(p.stdout).toContain('-/+ migration life');
    expect(p.stdout).toContain('forced new snapshot (--replace)');
    const a = await run(['apply', '--replace', 'life', '--auto-approve', '--until-caught-up']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toContain('checkpoint dropped');
    const after = (await readTopic(topic)).slice(before).map((m) => `${JSON.parse(m.value).type}:${JSON.parse(m.value).data[0].id}`);
    expect(after.sort()).toEqual(['INSERT:1', 'INSERT:3', 'INSERT:4']);
    const bad = await run(['plan', '--replace', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('--replace nope: no applied migration has that name');
  });

  it('state show, state unlock and status work and never print secrets', async () => {
    const show = await run(['state', 'show']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('not locked');
    const unlock = await run(['state', 'unlock', '--force', 'nope']);
    expect(unlock.code).toBe(1);
    expect(unlock.stderr).toContain('Error:');
    const status = await run(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`${db}.t`);
    const json = await run(['plan', '--json']);
    expect(JSON.parse(json.stdout).formatVersion).toBe(1);
  });

  it('a wrong password is a clear error without the password', async () => {
    const bad = await run(['plan'], { LIFE_DB_PASSWORD: `${SECRET}-wrong` });
    expect(bad.stdout + bad.stderr).toContain('source not inspected');
    expect(bad.stdout + bad.stderr).not.toContain(`${SECRET}-wrong`);
    const missing = await run(['apply', '--auto-approve'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('${env:LIFE_DB_PASSWORD}');
  });

  it('the secret never appears in outputs, plans or state', () => {
    expect(outputs).not.toContain(SECRET);
    expect(allFilesText(cwd)).not.toContain(SECRET);
  });
});
