import { testEnv } from '@mesa/api/env';
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

  it('reads TRUST_PROXY as a hop count: true is one proxy, false none, and nonsense is refused at start', () => {
    const hops = (v: string) => testEnv({ TRUST_PROXY: v }).TRUST_PROXY;
    expect(['true', 'yes', 'false', 'no', '0', '1', '2'].map(hops)).toEqual([1, 1, 0, 0, 0, 1, 2]);
    expect(testEnv().TRUST_PROXY).toBe(0);
    for (const bad of ['x', '-1', '1.5', '11']) expect(() => hops(bad)).toThrow(/TRUST_PROXY/);
  });
});
