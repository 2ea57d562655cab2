import { describe, expect, it } from 'vitest';
import { planProvision, type SystemPackage, systemPackages } from '../support/system-packages';

const pkg = (name: string, neededBy: string): SystemPackage => ({ pkg: name, neededBy, present: () => false });
const dovecot = pkg('dovecot-imapd', 'mail tests');
const chromium = pkg('chromium', 'browser tests');

describe('the test command provisions system packages', () => {
  it('knows every package the mail and browser tests need', () => {
    expect(systemPackages.map((p) => p.pkg)).toEqual(['dovecot-imapd', 'chromium']);
  });

  it('does nothing when everything is installed', () => {
    expect(planProvision([], 'none', true)).toEqual({ action: 'nothing' });
  });

  it('installs the missing packages once as root, saying so in one line', () => {
    expect(planProvision([dovecot, chromium], 'root', true)).toEqual({
      action: 'install',
      argv: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'dovecot-imapd', 'chromium'],
      ],
      line: 'installing Debian packages dovecot-imapd chromium once (mail tests, browser tests)',
    });
  });

  it('installs through sudo without a password', () => {
    const plan = planProvision([chromium], 'sudo', true);
    expect(plan).toEqual({
      action: 'install',
      argv: [
        ['sudo', '-n', 'apt-get', 'update', '-qq'],
        ['sudo', '-n', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium'],
      ],
      line: 'installing Debian packages chromium once (browser tests)',
    });
  });

  it('stops at once naming the one command when it may not install', () => {
    expect(planProvision([dovecot], 'none', true)).toEqual({
      action: 'stop',
      message: 'mail tests need dovecot-imapd; run once: sudo apt-get install -y --no-install-recommends dovecot-imapd',
    });
  });

  it('stops on a system without apt-get, naming the packages', () => {
    expect(planProvision([dovecot, chromium], 'root', false)).toEqual({
      action: 'stop',
      message:
        'mail tests need dovecot-imapd, browser tests need chromium; this is not a Debian system: install the equivalent of: sudo apt-get install -y --no-install-recommends dovecot-imapd chromium',
    });
  });
});
