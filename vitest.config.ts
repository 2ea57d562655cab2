import { defineConfig } from 'vitest/config';

const heavy = [
  '**/*.postgres.test.ts',
  '**/*.pg.test.ts',
  '**/*.mail.test.ts',
  '**/*.e2e.test.ts',
  '**/*.sync.test.ts',
];
const ignored = ['**/node_modules/**', '**/dist/**'];

// Test names say what they need: *.test.ts is pure, *.pg.test.ts needs a database
// (embedded PGlite, or Postgres when DATABASE_URL is set), *.mail.test.ts also a real Dovecot and SMTP listener.
export default defineConfig({
  test: {
    environment: 'node',
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['packages/**/*.test.ts', 'apps/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...heavy, ...ignored],
        },
      },
      {
        test: {
          name: 'pg',
          environment: 'node',
          include: ['**/*.pg.test.ts'],
          exclude: ignored,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          // Each PGlite is ~650 MB; two workers on two cores keep memory and CPU in check.
          maxWorkers: 2,
          // Run after the unit project (a different worker limit needs its own group).
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'mail',
          environment: 'node',
          include: ['**/*.mail.test.ts'],
          exclude: ignored,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
      // *.sync.test.ts: simulated devices (the real sync client on fake-indexeddb) against the API over HTTP.
      {
        test: {
          name: 'sync',
          environment: 'node',
          include: ['**/*.sync.test.ts'],
          exclude: ignored,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 3 },
        },
      },
      // *.e2e.test.ts: Debian's Chromium drives the production build of the PWA served by the real API.
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['**/*.e2e.test.ts'],
          exclude: ignored,
          globalSetup: ['test/support/global-setup.ts', 'test/support/web-build.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Browsers and PGlite are heavy: one file at a time.
          maxWorkers: 1,
          sequence: { groupOrder: 5 },
        },
      },
      // *.postgres.test.ts need a Postgres server itself (several sessions): only when DATABASE_URL is set,
      // so the PGlite leg never collects them and the Postgres leg never skips them.
      ...(process.env.DATABASE_URL
        ? [
            {
              test: {
                name: 'postgres',
                environment: 'node' as const,
                include: ['**/*.postgres.test.ts'],
                exclude: ignored,
                globalSetup: ['test/support/global-setup.ts'],
                testTimeout: 60_000,
                hookTimeout: 120_000,
                maxWorkers: 2,
                sequence: { groupOrder: 4 },
              },
            },
          ]
        : []),
    ],
  },
});
