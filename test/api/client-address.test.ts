import { clientAddress } from '@mesa/api/http/client-address';
import { describe, expect, it } from 'vitest';

describe('security', () => {
  it('takes the entry the trusted hops point at, counted from the right, never the client-written left end', () => {
    const xff = '6.6.6.6, 203.0.113.7, 10.0.0.2';
    expect(clientAddress(xff, '10.0.0.3', 1)).toBe('10.0.0.2');
    expect(clientAddress(xff, '10.0.0.3', 2)).toBe('203.0.113.7');
    expect(clientAddress(xff, '10.0.0.3', 3)).toBe('6.6.6.6');
    // Fewer entries than hops: the furthest one known.
    expect(clientAddress('203.0.113.7', '10.0.0.3', 2)).toBe('203.0.113.7');
    // No trusted proxy: the socket, whatever the header says.
    expect(clientAddress(xff, '10.0.0.3', 0)).toBe('10.0.0.3');
    expect(clientAddress(undefined, '10.0.0.3', 1)).toBe('10.0.0.3');
    expect(clientAddress(' , ', undefined, 1)).toBeNull();
  });
});
