import { SMTPServer } from 'smtp-server';
import type { Logger } from '../logger';
import type { IntakeFn } from './types';

export interface SmtpInbound {
  port: number;
  close(): Promise<void>;
}

/**
 * A site can point an MX or a forwarder at this listener: every accepted message goes through the
 * same intake as IMAP. The reply to DATA waits for the intake's commit, so a message the sender saw
 * accepted is stored, and a failure answers 451 so the sender retries later.
 */
export function startSmtpInbound(opts: {
  port: number;
  host: string;
  mailboxId: string;
  intake: IntakeFn;
  log: Logger;
  /** Messages above this are cut off by the protocol; the intake answers oversized ones politely below it. */
  hardLimitBytes: number;
}): Promise<SmtpInbound> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: opts.hardLimitBytes,
    logger: false,
    banner: 'Mesa de ayuda',
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 });
          callback(err);
          return;
        }
        opts
          .intake(opts.mailboxId, Buffer.concat(chunks))
          .then((r) => callback(null, `Queued as ${r.ticketNumber ?? r.outcome}`))
          .catch((error: unknown) => {
            opts.log.error('smtp inbound: intake failed', { error: String(error) });
            callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }));
          });
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : opts.port;
      opts.log.info('smtp inbound: listening', { port });
      resolve({ port, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}
