import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import {
  findTicketNumbers,
  formatTicketNumber,
  parseTicketNumber,
  subjectTag,
  ticketNumberSchema,
} from './ticket-number';

describe('formatTicketNumber', () => {
  it('pads to six digits and grows beyond', () => {
    expect(formatTicketNumber(42)).toBe('T-000042');
    expect(formatTicketNumber(1)).toBe('T-000001');
    expect(formatTicketNumber(999_999)).toBe('T-999999');
    expect(formatTicketNumber(1_234_567)).toBe('T-1234567');
  });

  it('rejects anything but a positive safe integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => formatTicketNumber(bad)).toThrow(AppError);
    }
  });
});

describe('parseTicketNumber', () => {
  it('parses exact numbers, case-insensitively and trimmed', () => {
    expect(parseTicketNumber('T-000042')).toBe(42);
    expect(parseTicketNumber('  t-000042\n')).toBe(42);
    expect(parseTicketNumber('T-1234567')).toBe(1_234_567);
  });

  it('rejects short, non-canonical, zero, oversized or decorated input', () => {
    for (const bad of [
      'T-42',
      'T-00042',
      'T-0000042',
      'T-000000',
      'T-99999999999999999',
      'xT-000042',
      'T-000042x',
      '[T-000042]',
      'T 000042',
      'T–000042',
      '',
    ]) {
      expect(parseTicketNumber(bad)).toBeNull();
    }
  });
});

describe('ticketNumberSchema', () => {
  it('accepts only the canonical spelling', () => {
    expect(ticketNumberSchema.safeParse('T-000042').success).toBe(true);
    expect(ticketNumberSchema.safeParse('T-1234567').success).toBe(true);
    expect(ticketNumberSchema.safeParse('t-000042').success).toBe(false);
    expect(ticketNumberSchema.safeParse('T-42').success).toBe(false);
    expect(ticketNumberSchema.safeParse('T-000000').success).toBe(false);
    expect(ticketNumberSchema.safeParse('T-99999999999999999').success).toBe(false);
  });
});

describe('findTicketNumbers', () => {
  it('finds numbers in reply and forward subjects', () => {
    expect(findTicketNumbers('Re: [T-000042] Impresora')).toEqual(['T-000042']);
    expect(findTicketNumbers('RE: AW: Fwd: RV: Re[5]: #T-000042')).toEqual(['T-000042']);
    expect(findTicketNumbers('Consulta (T-000042)')).toEqual(['T-000042']);
    expect(findTicketNumbers('t-000042: sigue fallando')).toEqual(['T-000042']);
  });

  it('keeps order of appearance and dedupes', () => {
    expect(findTicketNumbers('T-000043, t-000042 and again [T-000043]; T-1234567.')).toEqual([
      'T-000043',
      'T-000042',
      'T-1234567',
    ]);
  });

  it('ignores numbers inside longer tokens and non-canonical ones', () => {
    expect(findTicketNumbers('XT-000042 T-0000421A ÑT-000042 T-000042ñ 9T-000042 a_T-000042')).toEqual([]);
    expect(findTicketNumbers('T-42 T-0000042 T-000000 BT-000042-x T-000042-7')).toEqual([]);
    expect(findTicketNumbers('no numbers here')).toEqual([]);
  });

  it('finds numbers next to emoji and other punctuation', () => {
    expect(findTicketNumbers('🎫T-000042🎫 «T-000043» T-000044…')).toEqual(['T-000042', 'T-000043', 'T-000044']);
  });
});

describe('subjectTag', () => {
  it('brackets the number and is found again', () => {
    const tag = subjectTag('T-000042');
    expect(tag).toBe('[T-000042]');
    expect(findTicketNumbers(`Re: ${tag} Impresora`)).toEqual(['T-000042']);
  });
});

describe('properties', () => {
  const seqArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

  it('format and parse round-trip', () => {
    fc.assert(
      fc.property(seqArb, (seq) => {
        const n = formatTicketNumber(seq);
        expect(parseTicketNumber(n)).toBe(seq);
        expect(parseTicketNumber(n.toLowerCase())).toBe(seq);
        expect(ticketNumberSchema.safeParse(n).success).toBe(true);
      }),
    );
  });

  it('textual order follows numeric order among same-length numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: 1, max: 999_999 }), (a, b) => {
        expect(Math.sign(formatTicketNumber(a).localeCompare(formatTicketNumber(b)))).toBe(Math.sign(a - b));
      }),
    );
  });

  it('finds a tagged number in arbitrary surrounding text', () => {
    // Surroundings end in a separator so they cannot glue onto the number.
    const sideArb = fc.tuple(fc.string({ maxLength: 30 }), fc.constantFrom(' ', '[', '(', '#', ': ', '\n', '"'));
    fc.assert(
      fc.property(seqArb, sideArb, sideArb, (seq, [pre, sep1], [post, sep2]) => {
        const n = formatTicketNumber(seq);
        expect(findTicketNumbers(pre + sep1 + n + sep2 + post)).toContain(n);
        expect(findTicketNumbers(`${pre}${sep1}${n.toLowerCase()}${sep2}${post}`)).toContain(n);
      }),
    );
  });

  it('everything found parses, and nothing is found glued to a word', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), seqArb, fc.constantFrom('A', 'z', '7', '_', 'é'), (text, seq, glue) => {
        for (const n of findTicketNumbers(text)) expect(parseTicketNumber(n)).not.toBeNull();
        const n = formatTicketNumber(seq);
        expect(findTicketNumbers(`${glue}${n}`)).toEqual([]);
        // A trailing digit just makes a different (longer) number; anything else glued on hides it.
        expect(findTicketNumbers(`${n}${glue}`)).not.toContain(n);
        if (glue !== '7') expect(findTicketNumbers(`${n}${glue}`)).toEqual([]);
      }),
    );
  });
});
