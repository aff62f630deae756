// A realistic state for the state tests: one migration part-way through its full load.
import { MigrationDoc } from '../../../src/spec/schema.js';
import { emptyState, type State } from '../../../src/state/model.js';

export function sampleState(): State {
  const spec = MigrationDoc.parse({
    apiVersion: 'mig/v1',
    kind: 'Migration',
    metadata: { name: 'orders' },
    spec: {
      source: { type: 'mariadb', host: 'db', user: 'mig', password: '${env:DB_PASSWORD}' },
      destination: { type: 'kafka', brokers: ['kafka:9092'], topic: 'orders' },
      objects: [{ database: 'shop', tables: [{ name: 'orders' }] }],
    },
  });
  return {
    ...emptyState('5a4b0a1e-0000-4000-8000-000000000001'),
    serial: 3,
    migrations: {
      orders: {
        name: 'orders',
        spec,
        digest: 'sha256:abc',
        appliedAt: '2024-05-01T10:00:00.000Z',
        topics: { orders: { partitions: 3 } },
        tables: {
          'shop.orders': {
            id: 'shop.orders',
            phase: 'full',
            target: 'orders',
            snapshotDigest: 'd1',
            keyColumns: ['id'],
            cursor: ['42', null],
            rowsCopied: 42,
          },
        },
        snapshot: {
          position: { file: 'mysql-bin.000003', pos: 4711, gtidSet: '0-1-100', serverId: 1, timestamp: 1714557600000 },
          takenAt: '2024-05-01T10:00:01.000Z',
        },
        checkpoint: { file: 'mysql-bin.000003', pos: 4711 },
      },
    },
  };
}
