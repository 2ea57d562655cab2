import { describe, expect, it } from 'vitest';
import { readEvents } from './sse';

const streamOf = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

describe('readEvents', () => {
  it('reads events split anywhere across chunks, ignores comments, accepts CRLF', async () => {
    const events: Array<[string, string]> = [];
    let alive = 0;
    await readEvents(
      streamOf([
        'event: po',
        'ke\ndata: 1\n\n: heartbeat\n\n',
        'event: poke\r\ndata: a\r\ndata: b\r\n\r\n',
        'data: x\n\n',
      ]),
      (name, data) => events.push([name, data]),
      () => alive++,
    );
    expect(events).toEqual([
      ['poke', '1'],
      ['poke', 'a\nb'],
      ['message', 'x'],
    ]);
    expect(alive).toBe(4);
  });

  it('drops an event cut off by the end of the stream', async () => {
    const events: string[] = [];
    await readEvents(
      streamOf(['event: poke\n']),
      (name) => events.push(name),
      () => {},
    );
    expect(events).toEqual([]);
  });
});
