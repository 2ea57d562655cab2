import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One HTTP/1.1 exchange as it crossed the wire: head and body bytes each way. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  requestHead: number;
  requestBody: number;
  responseHead: number;
  /** Grows while a streamed response (Server-Sent Events) is open. */
  responseBody: number;
  done: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Splits one direction of an HTTP/1.1 connection into messages (Content-Length or chunked bodies), so bytes
 * can be told apart by request and by head/body. Enough for what undici and @hono/node-server send.
 */
class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private state: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' = 'head';
  private left = 0;

  constructor(
    private readonly onHead: (head: string, bytes: number) => void,
    private readonly onBody: (bytes: number) => void,
    private readonly onEnd: () => void,
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.state === 'head') {
        const end = this.buf.indexOf(HEAD_END);
        if (end < 0) return;
        const head = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        this.onHead(head, end + 4);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) this.state = 'chunk-size';
        else if (length && Number(length[1]) > 0) {
          this.state = 'length';
          this.left = Number(length[1]);
        } else this.onEnd();
        continue;
      }
      if (this.state === 'length' || this.state === 'chunk-data') {
        if (!this.buf.length) return;
        const n = Math.min(this.left, this.buf.length);
        this.onBody(n);
        this.buf = this.buf.subarray(n);
        this.left -= n;
        if (this.left > 0) return;
        if (this.state === 'length') {
          this.state = 'head';
          this.onEnd();
        } else this.state = 'chunk-end';
        continue;
      }
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.buf.subarray(0, eol).toString('latin1');
      this.buf = this.buf.subarray(eol + 2);
      this.onBody(eol + 2); // chunk framing travels with the body
      if (this.state === 'chunk-size') {
        this.left = Number.parseInt(line, 16);
        this.state = this.left > 0 ? 'chunk-data' : 'trailer';
      } else if (this.state === 'chunk-end') {
        this.state = 'chunk-size';
      } else if (line === '') {
        this.state = 'head';
        this.onEnd();
      }
    }
  }
}

/**
 * A loopback TCP proxy in front of a server that records every HTTP exchange passing through it: what a
 * device really sends and receives, headers included (TCP/IP and TLS overhead not counted).
 */
export class WireMeter {
  readonly exchanges: Exchange[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: () => number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target(), '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const open: Exchange[] = [];
      const requests = new MessageReader(
        (head, bytes) => {
          const [method = '', path = ''] = head.split('\r\n', 1)[0]?.split(' ') ?? [];
          const e: Exchange = {
            method,
            path,
            status: 0,
            requestHead: bytes,
            requestBody: 0,
            responseHead: 0,
            responseBody: 0,
            done: false,
          };
          this.exchanges.push(e);
          open.push(e);
        },
        (bytes) => {
          const e = open.at(-1);
          if (e) e.requestBody += bytes;
        },
        () => {},
      );
      const responses = new MessageReader(
        (head, bytes) => {
          const e = open[0];
          if (!e) return;
          e.status = Number(head.split(' ', 2)[1]);
          e.responseHead = bytes;
        },
        (bytes) => {
          const e = open[0];
          if (e) e.responseBody += bytes;
        },
        () => {
          const e = open.shift();
          if (e) e.done = true;
        },
      );
      client.on('data', (chunk: Buffer) => {
        requests.push(chunk);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        responses.push(chunk);
        client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export const wireBytes = (e: Exchange) => e.requestHead + e.requestBody + e.responseHead + e.responseBody;
