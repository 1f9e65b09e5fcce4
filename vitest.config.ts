import { defineConfig } from 'vitest/config';

// Two projects, one `vitest run`: unit and integration tests first, two files at a time; then the
// browser tests (test/e2e), one file at a time, each with its own running service and Chromium.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit-integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          // Each worker gets its own Redis database (see test/support/redis-db.ts); two cores here.
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          globalSetup: ['test/support/global-setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          // A service process and a browser per file: one file at a time, after the other tests,
          // so that the two cores are theirs.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A browser round trip (a click, its request, the database) may pass 1 s, vitest's
          // default for expect.poll, on a loaded machine: the polls wait up to 15 s.
          expect: { poll: { timeout: 15_000 } },
          globalSetup: ['test/support/global-setup.ts', 'test/e2e/support/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
