// Run by the test command before any test: installs the Debian packages the tests need when this process
// may (root, or sudo without a password), else stops at once naming the command to run.
import { spawnSync } from 'node:child_process';
import { hasAptGet, installRight, planProvision, systemPackages } from '../test/support/system-packages';

const missing = systemPackages.filter((p) => !p.present());
const plan = planProvision(missing, missing.length ? installRight() : 'none', missing.length ? hasAptGet() : true);

if (plan.action === 'stop') {
  process.stderr.write(`✗ ${plan.message}\n`);
  process.exit(1);
}
if (plan.action === 'install') {
  process.stdout.write(`${plan.line}\n`);
  for (const [cmd, ...args] of plan.argv) {
    const r = spawnSync(cmd!, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) {
      process.stderr.write(`✗ ${[cmd, ...args].join(' ')} failed (exit ${r.status ?? r.signal})\n`);
      process.exit(1);
    }
  }
  const still = systemPackages.filter((p) => !p.present());
  if (still.length) {
    process.stderr.write(`✗ installed, but still missing: ${still.map((p) => p.pkg).join(' ')}\n`);
    process.exit(1);
  }
}
