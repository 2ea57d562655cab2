import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** imap://user:pass@127.0.0.1:port/FOLDER (default INBOX), as the reader takes it. */
  url(folder?: string, password?: string): string;
  /** APPENDs a message; returns its UID. */
  append(raw: Buffer | string, folder?: string, flags?: string[]): Promise<number>;
  /** The flags of one message, or null when there is no such UID. */
  flagsOf(uid: number, folder?: string): Promise<string[] | null>;
  /** A logged-in imapflow client for anything else; logged out afterwards. */
  withClient<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** Stops the server and starts it again on the same port and mail store. */
  restart(): Promise<void>;
  /** Stops the server but keeps its files (restart() brings it back). */
  halt(): Promise<void>;
  /** Stops the server and removes its temp dir. */
  stop(): Promise<void>;
}

const template = fileURLToPath(new URL('./dovecot/dovecot.conf', import.meta.url));
const running = new Set<ChildProcess>();

// A crashed or aborted test file must not leave servers behind holding ports.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

/** The dovecot binary, or null when it is not installed. */
export function findDovecot(): string | null {
  const path = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const dirs = ['/usr/sbin', '/usr/local/sbin', '/sbin', ...path];
  for (const dir of dirs) {
    const bin = join(dir, 'dovecot');
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {}
  }
  return null;
}

/**
 * A private Dovecot on a free loopback port, everything under a fresh temp dir, one user.
 * Throws when Dovecot is missing: mail tests must fail, never skip, wherever they run (and
 * certainly on CI, where a skipped mail suite would look green).
 */
export async function startDovecot(): Promise<Dovecot> {
  const bin = findDovecot();
  if (!bin) {
    const who = process.env.CI === 'true' ? 'the CI image must provide it' : 'install it';
    throw new Error(
      `mail tests need Dovecot, but there is no dovecot binary in /usr/sbin or PATH: ${who} (apt-get install dovecot-imapd)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'mesa-dovecot-'));
  // Dovecot's unprivileged helpers (dovecot, dovenull) must be able to reach base_dir.
  chmodSync(dir, 0o755);
  const user = 'mesa';
  // URL-special and non-ASCII characters check that the reader decodes credentials (no ':' — passwd-file's separator).
  const password = 's3cr3t/ñ@%+';
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${password}::::::\n`);
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'mail'));

  let port = 0;
  let child: ChildProcess | null = null;
  const logFile = join(dir, 'dovecot.log');
  const conf = join(dir, 'dovecot.conf');
  const owner = mailOwner();
  for (const sub of ['home', 'mail']) chownSync(join(dir, sub), owner.uid, owner.gid);

  const launch = async (): Promise<void> => {
    writeFileSync(
      conf,
      readFileSync(template, 'utf8')
        .replaceAll('{{DIR}}', dir)
        .replaceAll('{{PORT}}', String(port))
        .replaceAll('{{MAIL_USER}}', String(owner.uid))
        .replaceAll('{{MAIL_GROUP}}', String(owner.gid)),
    );
    // Own process group, so a hard kill also takes the login and imap children.
    const proc = spawn(bin, ['-F', '-c', conf], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    running.add(proc);
    child = proc;
    const exited = new Promise<never>((_, reject) => {
      proc.once('error', (err) => reject(err));
      proc.once('exit', (code, signal) => {
        running.delete(proc);
        reject(new Error(`dovecot exited (${code ?? signal}) while starting`));
      });
    });
    exited.catch(() => {});
    try {
      await Promise.race([waitForLogin(port, user, password, 15_000), exited]);
    } catch (err) {
      await halt();
      const log = readLog(logFile);
      throw new Error(`Dovecot did not start on 127.0.0.1:${port}: ${(err as Error).message}\n${output}${log}`);
    }
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    killGroup(proc, 'SIGTERM');
    const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    running.delete(proc);
  };

  // Another process may grab the free port between probing and Dovecot binding it: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      const inUse = /Address already in use/i.test((err as Error).message);
      if (!inUse || attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  const connect = async (): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => {});
    await client.connect();
    return client;
  };

  const withClient = async <T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  return {
    port,
    user,
    password,
    url: (folder = 'INBOX', pass = password) =>
      `imap://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}/${encodeURIComponent(folder)}`,
    append: (raw, folder = 'INBOX', flags = []) =>
      withClient(async (client) => {
        const res = await client.append(folder, raw, flags);
        if (!res || res.uid === undefined) throw new Error(`APPEND to ${folder} returned no UID`);
        return res.uid;
      }),
    flagsOf: (uid, folder = 'INBOX') =>
      withClient(async (client) => {
        const lock = await client.getMailboxLock(folder, { readOnly: true });
        try {
          const msg = await client.fetchOne(String(uid), { flags: true }, { uid: true });
          return msg && msg.uid === uid ? [...(msg.flags ?? [])].sort() : null;
        } finally {
          lock.release();
        }
      }),
    withClient,
    restart: async () => {
      await halt();
      await launch();
    },
    halt,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {}
  }
}

/** Dovecot refuses uid 0 for mail: as root the mail belongs to the `dovecot` account, else to us. */
function mailOwner(): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) return { uid, gid };
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'dovecot');
  if (!entry) throw new Error('running as root, but there is no "dovecot" user to own the test mail');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** The end of the log: enough to see why startup failed without flooding the report. */
function readLog(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return `--- dovecot.log (last 30 lines) ---\n${lines.slice(-30).join('\n')}`;
  } catch {
    return '(no dovecot.log)';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Ready means a real IMAP login works, not just that the port is open. */
async function waitForLogin(port: number, user: string, pass: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass },
      logger: false,
      verifyOnly: true,
      connectionTimeout: 2_000,
      greetingTimeout: 2_000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      client.close();
      return;
    } catch (err) {
      last = err;
      client.close();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no IMAP login within ${timeoutMs} ms (${(last as Error | null)?.message ?? 'no attempt'})`);
}
