// runPrechecks without servers: the gatherers are replaced, and what a destination gatherer is
// handed (the caller's source view, the spec resolved against it, the topics) is checked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration } from '../../../src/spec/schema.js';
import { emptyState } from '../../../src/state/model.js';
import { runPrechecks } from '../../../src/precheck/run.js';
import type { DestinationFacts, SourceFacts } from '../../../src/precheck/types.js';
import type { PrecheckFactsContext } from '../../../src/connectors/contract.js';
import type { LiveSource, TableInfo } from '../../../src/model/index.js';
import type { LiveView } from '../../../src/plan/build.js';
import type { LoadedMigration } from '../../../src/spec/load.js';

function migration(destination: object): Migration {
  return MigrationDoc.parse({
    apiVersion: 'mig/v1',
    kind: 'Migration',
    metadata: { name: 'shop' },
    spec: { source: { type: 'mariadb', host: '127.0.0.1', port: 1, user: 'mig' }, destination, objects: [{ database: 'shop', target: 'copy' }] },
  });
}

const loaded = (m: Migration): LoadedMigration[] => [{ file: 'migrations.d/shop.yaml', docIndex: 0, line: 1, migration: m, locate: () => ({ line: 1, col: 1 }) }];

const orders: TableInfo = {
  database: 'shop',
  table: 'orders',
  columns: [{ name: 'id', dataType: 'int', columnType: 'int(11)', unsigned: false, nullable: false, binary: false }],
  primaryKey: ['id'],
  chunkKey: ['id'],
  keyKind: 'primary',
  estimatedRows: 3,
};

const unreachable: SourceFacts = {
  connection: { ok: false, code: 'source-error', error: 'not read in this test' },
  replica: { ok: false, error: 'x' },
  grants: { ok: false, error: 'x' },
  databases: { ok: false, error: 'x' },
  tables: { ok: false, error: 'x' },
  views: { ok: false, error: 'x' },
};

describe('runPrechecks', () => {
  it("hands the destination gatherer the caller's source view, the spec resolved against it, and the topics", async () => {
    const m = migration({ type: 'mysql', host: '127.0.0.1', port: 1, user: 'root' });
    const source: LiveSource = { ok: true, databases: new Set(['shop']), tables: new Map([['shop.orders', orders]]) };
    const live = new Map<string, LiveView>([['shop', { source, topics: { ok: true, topics: new Map() } }]]);
    const seen: PrecheckFactsContext[] = [];
    const specDir = mkdtempSync(path.join(tmpdir(), 'mig-precheck-run-'));
    const report = await runPrechecks(loaded(m), emptyState('x'), {
      specDir,
      live,
      gatherSource: async (mm, endpoint) => {
        expect(mm).toBe(m);
        expect(endpoint.spec).toBe(m.spec.source);
        return unreachable;
      },
      gatherDestination: async (mm, ctx): Promise<DestinationFacts> => {
        expect(mm).toBe(m);
        seen.push(ctx);
        const desired = await ctx.desired();
        return { connection: { ok: true }, topics: { ok: false, error: 'not a Kafka destination' }, messages: new Map(), tables: { ok: true, value: desired.tables.map((t) => t.target) } };
      },
    });
    expect(seen).toHaveLength(1);
    const ctx = seen[0]!;
    expect(ctx.specDir).toBe(specDir);
    expect(ctx.state).toBeUndefined();
    expect(ctx.topics).toEqual([]);
    expect(await ctx.source()).toBe(source);
    expect((await ctx.desired()).tables.map((t) => [t.id, t.target])).toEqual([['shop.orders', 'copy.orders']]);
    const findings = report.migrations[0]!.findings;
    expect(findings.find((f) => f.id === 'source.connection')).toMatchObject({ status: 'fail', observed: 'not read in this test' });
    expect(findings.find((f) => f.id === 'destination.existing-tables')).toMatchObject({ status: 'fail', observed: 'already at the destination: copy.orders' });
  });

  it('tells a Kafka gatherer every topic the migration writes, and the recorded state', async () => {
    const m = migration({ type: 'kafka', brokers: ['127.0.0.1:1'], topic: 'shop', ddlTopic: 'shop.ddl' });
    const state = emptyState('x');
    state.migrations.shop = { name: 'shop', spec: m, digest: 'd', appliedAt: '', topics: { shop: { partitions: 1 } }, tables: {} };
    let ctx: PrecheckFactsContext | undefined;
    await runPrechecks(loaded(m), state, {
      specDir: mkdtempSync(path.join(tmpdir(), 'mig-precheck-run-')),
      gatherSource: async () => unreachable,
      gatherDestination: async (_m, c) => {
        ctx = c;
        return { connection: { ok: true }, topics: { ok: true, value: [] }, messages: new Map() };
      },
    });
    expect(ctx?.topics).toEqual(['shop', 'shop.ddl']);
    expect(ctx?.state).toBe(state.migrations.shop);
  });

  it("resolves the tables of a migration that has streamed from the caller's view, and --replace MIGRATION leaves nothing to backfill", async () => {
    const m = migration({ type: 'kafka', brokers: ['127.0.0.1:1'], topic: 'shop' });
    const state = emptyState('x');
    // Recorded before shop.orders existed in the spec's database: the view now shows it, so it would be backfilled.
    state.migrations.shop = { name: 'shop', spec: m, digest: 'd', appliedAt: '', topics: {}, tables: {}, checkpoint: { file: 'mariadb-bin.000001', pos: 4 } };
    const source: LiveSource = { ok: true, databases: new Set(['shop']), tables: new Map([['shop.orders', orders]]) };
    const live = new Map<string, LiveView>([['shop', { source, topics: { ok: true, topics: new Map() } }]]);
    const reachable: SourceFacts = {
      ...unreachable,
      connection: { ok: true, server: { version: '10.11.6-MariaDB', flavor: 'mariadb', serverId: 1, account: 'mig@%', variables: {} } },
      grants: { ok: true, value: ['GRANT SELECT ON `shop`.* TO `mig`@`%`'] },
    };
    const opts = {
      specDir: mkdtempSync(path.join(tmpdir(), 'mig-precheck-run-')),
      live,
      gatherSource: async () => reachable,
      gatherDestination: async (): Promise<DestinationFacts> => ({ connection: { ok: true }, topics: { ok: true, value: [] }, messages: new Map() }),
    };
    const backfill = async (replace?: string[]) => (await runPrechecks(loaded(m), state, { ...opts, replace })).migrations[0]!.findings.find((f) => f.id === 'source.privilege-backfill')!;
    expect(await backfill()).toMatchObject({ status: 'fail', observed: 'mig@% lacks CREATE, INSERT, UPDATE, SELECT on mig_meta.*, and 1 table to backfill (shop.orders) while the stream keeps running' });
    expect((await backfill(['shop'])).status).toBe('skipped');
  });
});
