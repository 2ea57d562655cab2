import { parseMail } from '@mesa/api/mail/parse';
import { splitQuoted } from '@mesa/api/mail/quote';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/mail-factory';

const lines = (...l: string[]) => l.join('\n');

describe('splitQuoted', () => {
  it('cuts at a one-line Gmail attribution', () => {
    const text = lines(
      'Ya funciona, gracias.',
      '',
      'On Mon, Mar 4, 2024 at 10:00 AM Soporte <soporte@mesa.test> wrote:',
      '> ¿Pudo probar?',
    );
    expect(splitQuoted(text)).toEqual({
      reply: 'Ya funciona, gracias.',
      quoted: 'On Mon, Mar 4, 2024 at 10:00 AM Soporte <soporte@mesa.test> wrote:\n> ¿Pudo probar?',
    });
  });

  it('cuts at a Spanish attribution wrapped over two lines', () => {
    const text = lines(
      'Sigue sin andar.',
      'El lun, 4 mar 2024 a las 10:00, Soporte (<soporte@mesa.test>)',
      'escribió:',
      '> ¿Pudo probar?',
    );
    expect(splitQuoted(text)).toEqual({
      reply: 'Sigue sin andar.',
      quoted: 'El lun, 4 mar 2024 a las 10:00, Soporte (<soporte@mesa.test>)\nescribió:\n> ¿Pudo probar?',
    });
  });

  it('keeps prose that only looks like an attribution', () => {
    const text = lines('On second thought, she wrote:', 'nothing more.');
    expect(splitQuoted(text)).toEqual({ reply: text, quoted: null });
  });

  it('cuts at Original Message separators in English and Spanish', () => {
    expect(splitQuoted('Listo.\n\n-----Original Message-----\nFrom: x')).toEqual({
      reply: 'Listo.',
      quoted: '-----Original Message-----\nFrom: x',
    });
    expect(splitQuoted('Listo.\n-----Mensaje original-----\nDe: x')).toEqual({
      reply: 'Listo.',
      quoted: '-----Mensaje original-----\nDe: x',
    });
  });

  it('cuts at an Outlook header block, taking the underscore rule with it', () => {
    const text = lines(
      'Gracias, ya está.',
      '',
      '________________________________',
      'De: Soporte <soporte@mesa.test>',
      'Enviado: lunes, 4 de marzo de 2024 10:00',
      'Para: Ana',
      'Asunto: [T-000042] Impresora',
    );
    const { reply, quoted } = splitQuoted(text);
    expect(reply).toBe('Gracias, ya está.');
    expect(quoted?.split('\n')[0]).toBe('________________________________');
    expect(splitQuoted('Ok\nFrom: Soporte\nSent: Monday\nTo: x').reply).toBe('Ok');
    expect(splitQuoted('Ok\n*From:* Soporte\n*Date:* Monday').reply).toBe('Ok');
  });

  it('does not take a lone From: line for a header block', () => {
    const text = 'From: the second floor, the printer is dead.\nPlease help.';
    expect(splitQuoted(text)).toEqual({ reply: text, quoted: null });
  });

  it('cuts at a forward marker only when something was written above it', () => {
    const forward = lines('---------- Forwarded message ---------', 'From: Laura', '', 'Texto reenviado');
    expect(splitQuoted(forward)).toEqual({ reply: forward, quoted: null });
    expect(splitQuoted(`Miren esto:\n\n${forward}`)).toEqual({ reply: 'Miren esto:', quoted: forward });
  });

  it('folds a trailing run of > lines, blank lines included', () => {
    const text = lines('Respuesta', 'segunda línea', '', '> cita 1', '>', '> cita 2', '');
    expect(splitQuoted(text)).toEqual({ reply: 'Respuesta\nsegunda línea', quoted: '> cita 1\n>\n> cita 2' });
  });

  it('keeps interleaved quotes that are not at the end', () => {
    const text = lines('> ¿Modelo?', 'HP 4000', '> ¿Piso?', 'Tercero');
    expect(splitQuoted(text)).toEqual({ reply: text, quoted: null });
  });

  it('keeps the signature in the reply', () => {
    const text = lines('Gracias', '-- ', 'Ana Gómez', 'Rentas', '', 'On 4/3/24 10:00, Soporte wrote:', '> hola');
    expect(splitQuoted(text).reply).toBe('Gracias\n-- \nAna Gómez\nRentas');
  });

  it('returns everything as reply when nothing is above the quote', () => {
    const text = 'On 4/3/24 10:00, Soporte wrote:\n> hola';
    expect(splitQuoted(text)).toEqual({ reply: text, quoted: null });
    expect(splitQuoted('> solo cita')).toEqual({ reply: '> solo cita', quoted: null });
  });

  it('handles CRLF text and trims', () => {
    expect(splitQuoted('  Hola\r\n\r\n-----Original Message-----\r\nx  ')).toEqual({
      reply: 'Hola',
      quoted: '-----Original Message-----\nx',
    });
  });

  it('splits the forwarded-thread fixture at the forward marker', async () => {
    const mail = await parseMail(fixture('forwarded-thread.eml'));
    const { reply, quoted } = splitQuoted(mail.text);
    expect(reply).toBe('Les reenvío este hilo, el problema sigue.');
    expect(quoted?.startsWith('---------- Forwarded message ---------\nFrom: Laura Díaz')).toBe(true);
    expect(quoted).toContain('> ¿Alguien más tiene el problema?');
  });

  it('never loses text: reply and quote together hold every non-blank line', () => {
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom('> q', '-----Original Message-----', 'On 1/1/24, A wrote:', 'De: x', 'Fecha: y', ''),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (ls) => {
        const text = ls.join('\n');
        const { reply, quoted } = splitQuoted(text);
        const joined = `${reply}\n${quoted ?? ''}`.replace(/\s+/g, '');
        expect(joined).toBe(text.replace(/\s+/g, ''));
        if (quoted === null) expect(reply).toBe(text.trim());
        else expect(reply).not.toBe('');
      }),
    );
  });
});
