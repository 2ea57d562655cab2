import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  messages: SunkMail[];
  /** Resolves once at least `n` messages arrived (all of them), or rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<SunkMail[]>;
  /** While down, every connection is greeted with 421 and closed: a server that is temporarily unavailable. */
  setDown(down: boolean): void;
  /** Connections attempted while down. */
  refused: number;
  clear(): void;
  close(): Promise<void>;
}

/** A real SMTP server on a random loopback port that keeps what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMail[] = [];
  const waiters = new Set<() => void>();
  let down = false;
  const sink = { refused: 0 } as SmtpSink;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      if (!down) return callback();
      sink.refused++;
      return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        messages.push({ envelope: { from, to }, raw, parsed: await simpleParser(raw) });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return Object.assign(sink, {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(n: number, timeoutMs = 10_000) {
      return new Promise<SunkMail[]>((resolve, reject) => {
        const check = () => {
          if (messages.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} messages, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    setDown(value: boolean) {
      down = value;
    },
    clear() {
      messages.length = 0;
      sink.refused = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
