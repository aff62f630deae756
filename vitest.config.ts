import { defineConfig } from 'vitest/config';

// Three projects: unit (no services), it (real MariaDB + Kafka), e2e (the built binary).
// Services are started by scripts/test.sh before vitest runs, so nothing is skipped silently.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'it',
          include: ['test/integration/**/*.it.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
