#!/usr/bin/env node
// The one test command: the system packages the tests need, lint, typecheck, every test on embedded
// PGlite, then the database tests again on real Postgres when DATABASE_URL is set (CI always sets it).
import { spawnSync } from 'node:child_process';

const run = (label, cmd, args, env = process.env) => {
  process.stdout.write(`\n▶ ${label}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write(`\n✗ ${label} failed\n`);
    process.exit(r.status ?? 1);
  }
};

const bin = (name) => `node_modules/.bin/${name}`;
const { DATABASE_URL, ...withoutDb } = process.env;
const extra = process.argv.slice(2);

if (process.env.CI === 'true' && !DATABASE_URL) {
  process.stderr.write('CI=true but DATABASE_URL is not set: the Postgres leg must run in CI.\n');
  process.exit(1);
}

run('system packages (Dovecot, Chromium)', bin('tsx'), ['scripts/provision.ts']);
run('lint (biome)', bin('biome'), ['check', '.']);
run('typecheck (tsc -b)', bin('tsc'), ['-b']);
run('tests on embedded PGlite', bin('vitest'), ['run', ...extra], withoutDb);
if (DATABASE_URL) {
  run(
    'database, mail and sync tests on Postgres',
    bin('vitest'),
    ['run', '--project', 'pg', '--project', 'mail', '--project', 'sync', '--project', 'postgres', ...extra],
    process.env,
  );
} else {
  process.stdout.write('\n(DATABASE_URL not set: skipped the second leg on real Postgres)\n');
}
