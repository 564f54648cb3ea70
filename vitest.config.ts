import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The HTTP suites run a second time on PostgreSQL when a server is given.
const postgresUrl = process.env.TEST_DATABASE_URL;
if (!postgresUrl) {
  console.warn(
    '\n[dealdeck] TEST_DATABASE_URL is not set: the PostgreSQL suite does NOT run, only SQLite is tested.\n' +
      '           Set TEST_DATABASE_URL=postgres://user:password@host:5432/db to run it (.ci/run does).\n',
  );
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'server', include: ['server/**/*.test.ts', 'bench/**/*.test.ts'], environment: 'node' },
      },
      ...(postgresUrl
        ? [
            {
              extends: true as const,
              test: {
                name: 'server-postgres',
                include: [
                  'server/http/**/*.test.ts',
                  'server/db/**/*.test.ts',
                  'server/transfer/**/*.test.ts',
                  'server/people/**/*.test.ts',
                  'server/access/**/*.test.ts',
                  'server/journal/**/*.test.ts',
                  'server/sync/**/*.test.ts',
                  'server/webhooks/**/*.test.ts',
                  'server/upstream/**/*.test.ts',
                ],
                environment: 'node',
                env: { DEALDECK_TEST_DB: 'postgres' },
              },
            },
          ]
        : []),
      {
        extends: true,
        plugins: [react()],
        test: {
          name: 'dashboard',
          include: ['src/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['src/test/setup.ts'],
        },
      },
    ],
  },
});
