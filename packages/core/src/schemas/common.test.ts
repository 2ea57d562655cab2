import { describe, expect, it } from 'vitest';
import { parseMutation } from '../sync/mutators';
import { isStorableText, shortText } from './common';

describe('storable text', () => {
  it('refuses NUL and lone surrogates, keeps every other character including pairs', () => {
    const cases: Array<[string, boolean]> = [
      ['Impresora piso 3', true],
      ['emoji 📷 par completo', true],
      ['ñ á ü € ツール', true],
      ['tab\tnewline\n\u0001 control', true],
      ['', true],
      ['a\u0000b', false],
      ['\u0000', false],
      ['alto \uD83D solo', false],
      ['bajo \uDCF7 solo', false],
      ['al final \uD83D', false],
      ['\uDCF7 al principio', false],
      ['al revés \uDCF7\uD83D', false],
    ];
    expect(cases.map(([s]) => [s, isStorableText(s)])).toEqual(cases);
  });

  it('the device refuses such an edit at once, naming the field', () => {
    const id = '7d9f8a52-1111-4111-8111-111111111111';
    const ticketId = '7d9f8a52-2222-4222-8222-222222222222';
    expect(() => parseMutation('addNote@1', { id, ticketId, kind: 'public_reply', body: 'a\u0000' })).toThrow(
      'invalid mutator args: body',
    );
    expect(
      shortText(10)
        .safeParse('\uD800')
        .error?.issues.map((i) => i.message),
    ).toEqual(['contains a NUL character or a lone surrogate']);
  });
});
