#!/usr/bin/env node
// Runs vitest projects again and again while a CPU burner keeps another core busy, and prints every
// failure: a test that fails once in twenty runs under load fails in CI on a fresh clone sooner or later.
//
//   node scripts/flake-hunt.mjs --runs 20 --project sync --project mail [--log-dir /tmp/flake-hunt]
//
// Extra arguments after `--` go to vitest (e.g. a file filter). DATABASE_URL is passed through, so the
// same hunt runs on Postgres. Exit code 1 when any run failed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const passThrough = dash >= 0 ? argv.slice(dash + 1) : [];
const projects = [];
let runs = 20;
let logDir = '/tmp/flake-hunt';
let burners = 1;
for (let i = 0; i < own.length; i++) {
  const a = own[i];
  if (a === '--runs') runs = Number(own[++i]);
  else if (a === '--project') projects.push(own[++i]);
  else if (a === '--log-dir') logDir = own[++i];
  else if (a === '--burners') burners = Number(own[++i]);
  else throw new Error(`unknown argument ${a}`);
}
if (projects.length === 0) throw new Error('name at least one --project');
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
mkdirSync(logDir, { recursive: true });

// The burner: a separate process spinning on one core for as long as the hunt runs.
const burnerCode = 'for (;;) { let x = 0; for (let i = 0; i < 1e7; i++) x += i; if (x < 0) break; }';
const burnerProcs = Array.from({ length: burners }, () =>
  spawn(process.execPath, ['-e', burnerCode], { stdio: 'ignore' }),
);
const stopBurners = () => {
  for (const b of burnerProcs) b.kill('SIGKILL');
};
process.on('exit', stopBurners);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const runOnce = (n) =>
  new Promise((resolve) => {
    const report = join(logDir, `run-${n}.json`);
    const log = join(logDir, `run-${n}.log`);
    const args = ['run', ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json'];
    args.push(`--outputFile.json=${report}`, ...passThrough);
    const child = spawn('node_modules/.bin/vitest', args, { env: { ...process.env, CI: '' } });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    const started = Date.now();
    child.on('close', (code) => {
      writeFileSync(log, Buffer.concat(chunks));
      const failures = [];
      let tests = 0;
      try {
        const json = JSON.parse(readFileSync(report, 'utf8'));
        for (const file of json.testResults ?? []) {
          for (const t of file.assertionResults ?? []) {
            tests++;
            if (t.status === 'failed') {
              const why = (t.failureMessages ?? [])[0]?.split('\n')[0] ?? '';
              failures.push(`${file.name.replace(`${process.cwd()}/`, '')} › ${t.fullName}: ${why}`);
            }
          }
          // A file that failed outside any test (a hook, an import) has no failed assertion to show.
          if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
            failures.push(`${file.name.replace(`${process.cwd()}/`, '')}: ${(file.message ?? '').split('\n')[0]}`);
          }
        }
      } catch {
        failures.push(`no JSON report (exit ${code}); see ${log}`);
      }
      if (code !== 0 && failures.length === 0) failures.push(`vitest exited ${code} with no failed test; see ${log}`);
      resolve({ n, code, tests, failures, seconds: (Date.now() - started) / 1000 });
    });
  });

const results = [];
for (let n = 1; n <= runs; n++) {
  const r = await runOnce(n);
  results.push(r);
  const verdict = r.failures.length ? `FAILED (${r.failures.length})` : 'ok';
  process.stdout.write(`run ${n}/${runs}: ${r.tests} tests, ${r.seconds.toFixed(0)} s, ${verdict}\n`);
  for (const f of r.failures) process.stdout.write(`  ✗ ${f}\n`);
}
stopBurners();
const failed = results.filter((r) => r.failures.length);
process.stdout.write(
  `\nflake hunt: ${results.length} runs of ${projects.join(', ')} with ${burners} CPU burner(s): ` +
    `${failed.length} failed run(s)${failed.length ? ` (${failed.map((r) => r.n).join(', ')}; logs in ${logDir})` : ''}\n`,
);
process.exit(failed.length ? 1 : 0);
