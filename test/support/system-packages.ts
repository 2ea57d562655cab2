import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { findDovecot } from './dovecot';

/** Debian's Chromium: browser tests and benches drive it; a downloaded browser is never used. */
export const CHROMIUM = '/usr/bin/chromium';

export interface SystemPackage {
  /** The Debian package that provides it. */
  pkg: string;
  /** Which tests need it, for the one line the test command prints. */
  neededBy: string;
  present(): boolean;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export const systemPackages: readonly SystemPackage[] = [
  { pkg: 'dovecot-imapd', neededBy: 'mail tests', present: () => findDovecot() !== null },
  { pkg: 'chromium', neededBy: 'browser tests', present: () => executable(CHROMIUM) },
];

/** How this process may install packages: as root, through sudo without a password, or not at all. */
export type InstallRight = 'root' | 'sudo' | 'none';

export type ProvisionPlan =
  | { action: 'nothing' }
  | { action: 'install'; argv: string[][]; line: string }
  | { action: 'stop'; message: string };

export function installCommand(pkgs: readonly string[], right: InstallRight): string[][] {
  const sudo = right === 'sudo' ? ['sudo', '-n'] : [];
  return [
    [...sudo, 'apt-get', 'update', '-qq'],
    [...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs],
  ];
}

/**
 * What the test command does about missing system packages: nothing when all are there; install them
 * once when it may; otherwise stop at once, naming the one command to run — a test that needs them must
 * fail for its own reason, never because the machine was not prepared.
 */
export function planProvision(missing: readonly SystemPackage[], right: InstallRight, hasApt: boolean): ProvisionPlan {
  if (missing.length === 0) return { action: 'nothing' };
  const pkgs = missing.map((p) => p.pkg);
  const needs = missing.map((p) => `${p.neededBy} need ${p.pkg}`).join(', ');
  const command = `sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  if (!hasApt) {
    return { action: 'stop', message: `${needs}; this is not a Debian system: install the equivalent of: ${command}` };
  }
  if (right === 'none') return { action: 'stop', message: `${needs}; run once: ${command}` };
  return {
    action: 'install',
    argv: installCommand(pkgs, right),
    line: `installing Debian packages ${pkgs.join(' ')} once (${missing.map((p) => p.neededBy).join(', ')})`,
  };
}

export function installRight(): InstallRight {
  if (process.getuid?.() === 0) return 'root';
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? 'sudo' : 'none';
}

export const hasAptGet = () => spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
