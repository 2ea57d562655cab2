/**
 * A minimal text/event-stream reader over fetch (EventSource cannot be given a custom fetch, and Node
 * has none): calls `onEvent` with each event's name; comments (heartbeats) only prove the line alive.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (name: string, data: string) => void,
  onAlive: () => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let name = '';
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onAlive();
    buffer += decoder.decode(value, { stream: true });
    let nl = buffer.search(/\r\n|\n|\r/);
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (name || data.length) onEvent(name || 'message', data.join('\n'));
        name = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
      }
      nl = buffer.search(/\r\n|\n|\r/);
    }
  }
}
