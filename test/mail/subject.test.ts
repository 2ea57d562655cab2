import { stripReplyPrefixes, tagSubject, ticketNumberInSubject } from '@mesa/api/mail/subject';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('stripReplyPrefixes', () => {
  it('removes chains of reply and forward prefixes in any case', () => {
    expect(stripReplyPrefixes('Re: Impresora')).toBe('Impresora');
    expect(stripReplyPrefixes('RE: RE: Impresora')).toBe('Impresora');
    expect(stripReplyPrefixes('AW: Fwd: FW: RV: Impresora')).toBe('Impresora');
    expect(stripReplyPrefixes('Re[5]: Impresora')).toBe('Impresora');
    expect(stripReplyPrefixes('Re(2): Impresora')).toBe('Impresora');
    expect(stripReplyPrefixes('  fwd :  re:Impresora  ')).toBe('Impresora');
    expect(stripReplyPrefixes('RES: ENC: Impresora')).toBe('Impresora');
  });

  it('keeps the ticket tag and anything after it', () => {
    expect(stripReplyPrefixes('Re: [T-000042] Impresora')).toBe('[T-000042] Impresora');
    expect(stripReplyPrefixes('[T-000042] Re: Impresora')).toBe('[T-000042] Re: Impresora');
  });

  it('leaves words that merely start like a prefix', () => {
    expect(stripReplyPrefixes('Reunión: mañana')).toBe('Reunión: mañana');
    expect(stripReplyPrefixes('Revisar: impresora')).toBe('Revisar: impresora');
    expect(stripReplyPrefixes('Re Impresora')).toBe('Re Impresora');
  });

  it('gives an empty string for a subject that is only prefixes', () => {
    expect(stripReplyPrefixes('Re: Fwd:')).toBe('');
  });

  it('is idempotent', () => {
    const prefix = fc.constantFrom('Re: ', 'RE:', 'Fwd: ', 'AW: ', 'Re[3]: ', ' ', 'RV:');
    const subject = fc.tuple(fc.array(prefix), fc.string()).map(([ps, s]) => ps.join('') + s);
    fc.assert(
      fc.property(fc.oneof(subject, fc.string()), (s) => {
        const once = stripReplyPrefixes(s);
        expect(stripReplyPrefixes(once)).toBe(once);
      }),
    );
  });
});

describe('ticketNumberInSubject', () => {
  it('finds the first ticket number', () => {
    expect(ticketNumberInSubject('Re: [T-000042] Impresora')).toBe('T-000042');
    expect(ticketNumberInSubject('consulta t-1234567 y T-000001')).toBe('T-1234567');
  });

  it('ignores look-alikes', () => {
    expect(ticketNumberInSubject('Impresora')).toBeNull();
    expect(ticketNumberInSubject('[T-42] Impresora')).toBeNull();
    expect(ticketNumberInSubject('XT-000042')).toBeNull();
  });
});

describe('tagSubject', () => {
  it('prefixes the tag', () => {
    expect(tagSubject('Impresora dañada', 'T-000042')).toBe('[T-000042] Impresora dañada');
  });

  it('does not duplicate a tag already present', () => {
    expect(tagSubject('Re: [T-000042] Impresora', 'T-000042')).toBe('Re: [T-000042] Impresora');
    expect(tagSubject('[t-000042] Impresora', 'T-000042')).toBe('[t-000042] Impresora');
  });

  it('adds its own tag next to another ticket’s', () => {
    expect(tagSubject('[T-000007] Impresora', 'T-000042')).toBe('[T-000042] [T-000007] Impresora');
  });

  it('tags an empty subject with the tag alone', () => {
    expect(tagSubject('  ', 'T-000042')).toBe('[T-000042]');
  });
});
