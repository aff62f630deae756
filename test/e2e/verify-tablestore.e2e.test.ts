// mig verify against Tablestore (the test server in this process, driven through the official SDK by
// the mig child): a copy verifies equal (range reads compared with the source rows as the sink maps
// them: a rename, an excluded column, NULLs, integers, doubles and bytes); rows tampered with through
// the SDK (a changed value in a renamed column, a deleted row, an extra row, a column the mapping
// does not have) are each named with exit 3; a streaming migration under a write load verifies equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { MYSQL_PORT, rootConnection, uniqueName } from '../integration/helpers/env.js';
import { startTablestoreServer, type TablestoreTestServer } from '../support/tablestore/index.js';
import { sdkClient, TableStore, type SdkClient } from '../support/tablestore/sdk.js';
import { runMig } from './helpers/run-mig.js';
import { tablestoreEnv, tablestoreSpec } from './helpers/tablestore.js';
import { fillLoadTable, LOAD_TABLE_COLUMNS } from './helpers/write-load.js';
import { verifyUnderLoad } from './helpers/verify-live.js';

const db = uniqueName('vts');
const live = `${db}_live`;
let server: TablestoreTestServer;
let conn: Connection;
let env: Record<string, string>;
let sdk: SdkClient;

interface JsonTable { table: string; status: string; method: string; missing: number; extra: number; differing: number; sourceRows: number; destinationRows: number; sample: { kind: string; key: string | null; columns?: string[] }[]; notes: string[] }
interface JsonReport { equal: boolean; migrations: { migration: string; tables: JsonTable[] }[] }

function project(name: string, objects: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `mig-${name}-`));
  mkdirSync(path.join(dir, 'migrations.d'));
  writeFileSync(path.join(dir, 'migrations.d', 'm.yaml'), tablestoreSpec({ name, port: MYSQL_PORT, server, chunkSize: 100, objects }));
  return dir;
}

const IGNORE = () => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
const pk = (id: number) => [{ id: TableStore.Long.fromNumber(id) }];

beforeAll(async () => {
  server = await startTablestoreServer();
  env = tablestoreEnv(server);
  sdk = sdkClient(server);
  conn = await rootConnection();
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.orders (id INT PRIMARY KEY, name VARCHAR(20), secret VARCHAR(10), ratio DOUBLE, data VARBINARY(4), at DATETIME(3))`);
  const rows = Array.from({ length: 250 }, (_, i) => [i + 1, i % 6 === 0 ? null : `n${i}`, 's', i / 8, i % 5 === 0 ? null : Buffer.from([i & 0xff, 0]), `2026-01-02 03:04:05.${String(i).padStart(3, '0')}`]);
  await conn.query(`INSERT INTO ${db}.orders VALUES ?`, [rows]);
});

afterAll(async () => {
  for (const d of [db, live]) await conn.query(`DROP DATABASE IF EXISTS ${d}`);
  await conn.end();
  await server.close();
});

describe('mig verify, Tablestore destination', () => {
  it('a copy verifies equal; rows tampered with are each named, exit 3', async () => {
    const cwd = project('vts-copy', `    - database: ${db}
      tables:
        - name: orders
          rename: { name: full_name }
          columns: { exclude: [secret] }
`);
    const apply = await runMig(['apply', '--auto-approve', '--until-caught-up'], { cwd, env });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const equal = await runMig(['verify', '--json'], { cwd, env });
    expect(equal.code, equal.stdout + equal.stderr).toBe(0);
    expect((JSON.parse(equal.stdout) as JsonReport).migrations[0]!.tables[0]).toMatchObject({ status: 'equal', method: 'scan', sourceRows: 250, destinationRows: 250 });

    await sdk.updateRow({ tableName: 'orders', condition: IGNORE(), primaryKey: pk(2), updateOfAttributeColumns: [{ PUT: [{ full_name: 'wrong' }] }] });
    await sdk.deleteRow({ tableName: 'orders', condition: IGNORE(), primaryKey: pk(7) });
    await sdk.putRow({ tableName: 'orders', condition: IGNORE(), primaryKey: pk(999), attributeColumns: [{ full_name: 'nobody' }] });
    await sdk.updateRow({ tableName: 'orders', condition: IGNORE(), primaryKey: pk(9), updateOfAttributeColumns: [{ PUT: [{ name: 'n8' }] }] });
    // The migration streams: differences are checked again once its checkpoint reaches the source's
    // end of log (nothing streams it here, so a write elsewhere on the server ends the wait after 2 s).
    const r = await runMig(['verify', '--json', '--catch-up-timeout', '2s'], { cwd, env });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const t = (JSON.parse(r.stdout) as JsonReport).migrations[0]!.tables[0]!;
    expect(t).toMatchObject({ status: 'different', missing: 1, extra: 1, differing: 2 });
    expect(t.sample).toEqual(expect.arrayContaining([
      { kind: 'differing', key: 'id=i2', columns: ['full_name'] },
      { kind: 'missing', key: 'id=i7' },
      { kind: 'differing', key: 'id=i9', columns: ['name'] },
      { kind: 'extra', key: 'id=i999' },
    ]));
    const human = await runMig(['verify', '--catch-up-timeout', '1s'], { cwd, env });
    expect(human.code).toBe(3);
    expect(human.stdout).toContain(`✗ ${db}.orders → orders: different: 1 missing, 1 extra, 2 differing`);
    expect(human.stdout).toContain('differing key id=i2: full_name');
  }, 120_000);

  it('a streaming migration under a steady write load verifies equal while the load runs', async () => {
    await conn.query(`CREATE DATABASE ${live}`);
    await conn.query(`CREATE TABLE ${live}.hot (${LOAD_TABLE_COLUMNS})`);
    const hot = await fillLoadTable(conn, `${live}.hot`, 3000);
    const cwd = project('vts-live', `    - database: ${live}\n`);
    const r = await verifyUnderLoad(cwd, hot, [], env);
    expect(r.verify.code, r.verify.stdout + r.verify.stderr + r.applyOutput).toBe(0);
    expect((JSON.parse(r.verify.stdout) as JsonReport).migrations[0]!.tables[0]).toMatchObject({ table: `${live}.hot`, status: 'equal' });
    expect(r.ops).toBeGreaterThan(100);
  }, 180_000);
});
