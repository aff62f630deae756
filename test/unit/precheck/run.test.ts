// runPrechecks without servers: the gatherers are replaced, and what a destination gatherer is
// handed (the topics, the recorded state) is checked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationDoc, type Migration } from '../../../src/spec/schema.js';
import { emptyState } from '../../../src/state/model.js';
import { runPrechecks } from '../../../src/precheck/run.js';
import type { SourceFacts } from '../../../src/precheck/types.js';
import type { PrecheckFactsContext } from '../../../src/connectors/contract.js';
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

const unreachable: SourceFacts = {
  connection: { ok: false, code: 'source-error', error: 'not read in this test' },
  replica: { ok: false, error: 'x' },
  grants: { ok: false, error: 'x' },
  databases: { ok: false, error: 'x' },
  tables: { ok: false, error: 'x' },
  views: { ok: false, error: 'x' },
};

describe('runPrechecks', () => {
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
});
