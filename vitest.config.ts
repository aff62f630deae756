import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Three projects: unit (no services), it (real MariaDB + Kafka), e2e (the built binary).
// Services are started by scripts/test.sh before vitest runs, so nothing is skipped silently.
//
// it and e2e files share MIG_TEST_WORKERS workers (2 unless set; 1 runs them one at a time). A file
// listed in PARALLEL_SAFE may run beside another listed one; any other file, and so every new file
// until it is listed, runs alone (test/support/file-lock). List a file only if it cannot see or
// disturb another: names of its own (uniqueName), no global server setting, no binlog rotation or
// purge on the shared MariaDB, no stop of a shared service, and no assertion on the shared server's
// end of log (caught-up status, checkpoint = SHOW MASTER STATUS) or on a tight time bound.
const PARALLEL_SAFE = [
  // Services of their own (helpers/private-services.ts, private-mariadb.ts).
  'test/e2e/alerts.e2e.test.ts',
  'test/e2e/kafka-3.9.e2e.test.ts',
  'test/e2e/cutover-lock-source.e2e.test.ts',
  'test/e2e/outage.e2e.test.ts',
  'test/e2e/plan-purged-binlog.e2e.test.ts',
  // The shared services under names of their own.
  'test/e2e/cli-conventions.e2e.test.ts',
  'test/e2e/dead-letters.e2e.test.ts',
  'test/e2e/exactly-once.e2e.test.ts',
  'test/e2e/node-version.e2e.test.ts',
  'test/e2e/output.e2e.test.ts',
  'test/e2e/lifecycle.e2e.test.ts',
  'test/e2e/plan-precheck-exit.e2e.test.ts',
  'test/e2e/progress-output.e2e.test.ts',
  'test/e2e/resume.e2e.test.ts',
  'test/e2e/runner-backfill-mysql.e2e.test.ts',
  'test/e2e/runner-backfill-tablestore.e2e.test.ts',
  'test/e2e/runner-errors.e2e.test.ts',
  'test/e2e/runner-reconcile.e2e.test.ts',
  'test/e2e/runner-takeover.e2e.test.ts',
  'test/e2e/tablestore.e2e.test.ts',
  'test/e2e/tablestore-resume.e2e.test.ts',
  'test/e2e/tablestore-stream-resume.e2e.test.ts',
  'test/e2e/tidb-feeds.e2e.test.ts',
  'test/e2e/tidb-keyless-resume.e2e.test.ts',
  'test/e2e/tidb-to-mysql.e2e.test.ts',
  'test/integration/connectors/sink-contract.it.test.ts',
  'test/integration/consumers/canal-json.it.test.ts',
  'test/integration/consumers/dts-avro.it.test.ts',
  'test/integration/engine/avro-registry.it.test.ts',
  'test/integration/engine/concurrent-writes.it.test.ts',
  'test/integration/engine/kafka-options.it.test.ts',
  'test/integration/engine/kafka-security.it.test.ts',
  'test/integration/feed-reader.it.test.ts',
  'test/integration/mysql-destination.it.test.ts',
  'test/integration/sink/compression.it.test.ts',
  'test/integration/sink/kafka-writer.it.test.ts',
  'test/integration/sink/schema-registry.it.test.ts',
  'test/integration/sink/security.it.test.ts',
  'test/integration/sink/topic-leaders.it.test.ts',
  'test/integration/source/float-rounding.it.test.ts',
  'test/integration/source/type-parity.it.test.ts',
  'test/integration/tablestore-writer.it.test.ts',
  'test/integration/transform/filter-parity.it.test.ts',
  'test/integration/workflows/workflows.it.test.ts',
];
// Not listed, so run alone: integration/precheck (SET GLOBAL binlog_row_image), engine/ddl (FLUSH
// BINARY LOGS), engine/large-transaction and e2e/mysql-to-mysql (checkpoints compared with SHOW
// MASTER STATUS), e2e/workflow and e2e/metrics (caught-up status and lag read against the shared
// server's end of log), e2e/heartbeat (lag under 3 s), state/mysql-leases, state/mysql-store
// and source/heartbeat-writer (lease and heartbeat timings of a second or two).

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const parallelSafeFiles = PARALLEL_SAFE.map((f) => path.join(ROOT, f));
const workers = Number(process.env.MIG_TEST_WORKERS ?? 2);

// Files that run alone go first: then the parallel ones, longest first (vitest's own order), fill
// both workers to the end instead of one worker waiting for the lock behind a long file.
class AloneFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const alone = (f: TestSpecification) => (f.project.config.sequence.groupOrder === 1 && !parallelSafeFiles.includes(f.moduleId) ? 0 : 1);
    const sorted = await super.sort(files);
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => a.f.project.config.sequence.groupOrder - b.f.project.config.sequence.groupOrder || alone(a.f) - alone(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

const withServices = {
  maxWorkers: workers,
  sequence: { groupOrder: 1 },
  globalSetup: ['test/support/file-lock/server.ts'],
  setupFiles: ['test/support/file-lock/enter.ts'],
  provide: { parallelSafeFiles },
};

export default defineConfig({
  test: {
    sequence: { sequencer: AloneFirst },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'it',
          include: ['test/integration/**/*.it.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          ...withServices,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          ...withServices,
        },
      },
    ],
  },
});
