import { extractRequesterFields } from '@mesa/api/mail/fields';
import { parseMail } from '@mesa/api/mail/parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/mail-factory';

describe('extractRequesterFields', () => {
  it('reads the seed labels from the fixture, accents or not, and ignores quoted lines', async () => {
    const mail = await parseMail(fixture('labelled-fields.eml'));
    expect(extractRequesterFields(mail.text)).toEqual({
      name: 'Juan Pérez',
      organization: 'Dirección de Rentas',
      location: 'Edificio Central, piso 3, oficina 12',
      phone: '(0381) 442-1234 int. 56',
      email: 'juan.perez@rentas.example.gob.ar',
      description: 'La computadora no enciende desde esta mañana.\nYa probé cambiar el cable.',
    });
  });

  it('tolerates separators, bullets, bold and any case', () => {
    const text = [
      '- NOMBRE Y APELLIDO = Ana Gómez',
      '• **Ubicación física**: Anexo 2',
      '__Número telefónico__ - 4455-6677',
      'correo electronico: <ana@example.com>',
    ].join('\n');
    expect(extractRequesterFields(text)).toEqual({
      name: 'Ana Gómez',
      location: 'Anexo 2',
      phone: '4455-6677',
      email: 'ana@example.com',
    });
  });

  it('reads English labels', () => {
    const text = [
      'Full name: John Smith',
      'Department: Finance',
      'Physical location: Building B',
      'Telephone number: +54 381 555 0101',
      'E-mail: JOHN@EXAMPLE.ORG',
      'Description: Laptop will not boot',
      'after the update.',
    ].join('\n');
    expect(extractRequesterFields(text)).toEqual({
      name: 'John Smith',
      organization: 'Finance',
      location: 'Building B',
      phone: '+54 381 555 0101',
      email: 'john@example.org',
      description: 'Laptop will not boot\nafter the update.',
    });
  });

  it('stops a description at the next label, and takes a lone label’s value from the next line', () => {
    const text = [
      'Descripción: No imprime.',
      'Muestra error 50.',
      'Nombre:',
      'Luis Díaz',
      'Oficina: Mesa de entradas',
    ].join('\n');
    expect(extractRequesterFields(text)).toEqual({
      description: 'No imprime.\nMuestra error 50.',
      name: 'Luis Díaz',
      organization: 'Mesa de entradas',
    });
  });

  it('leaves out invalid e-mails, number-less phones and empty values', () => {
    const text = ['Correo electrónico: no tengo', 'Teléfono: no', 'Nombre y apellido:', 'Organismo: Catastro'].join(
      '\n',
    );
    expect(extractRequesterFields(text)).toEqual({ organization: 'Catastro' });
  });

  it('needs a separator after the label', () => {
    expect(extractRequesterFields('Nombre de la impresora HP\nDescripción del problema abajo')).toEqual({});
  });

  it('keeps the first occurrence of a label', () => {
    expect(extractRequesterFields('Nombre: Uno\nNombre: Dos')).toEqual({ name: 'Uno' });
  });

  it('caps lengths', () => {
    const fields = extractRequesterFields(`Nombre: ${'a'.repeat(300)}\nDescripción: ${'b'.repeat(30_000)}`);
    expect(fields.name).toHaveLength(200);
    expect(fields.description).toHaveLength(20_000);
  });

  it('never throws and only ever returns known, trimmed, capped fields', () => {
    const labels = fc.constantFrom(
      'Nombre: ',
      'Correo: ',
      'Descripción:\n',
      'Teléfono - ',
      '> Nombre: ',
      '**Ubicacion**: ',
    );
    const text = fc.array(fc.oneof(fc.string(), labels), { maxLength: 20 }).map((parts) => parts.join(''));
    let checked = 0;
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'grapheme', maxLength: 200 })), (t) => {
        const fields = extractRequesterFields(t);
        for (const [key, value] of Object.entries(fields)) {
          checked++;
          expect(['name', 'organization', 'location', 'phone', 'email', 'description']).toContain(key);
          expect(value).toBe(value.trim());
          expect(value.length).toBeGreaterThan(0);
          expect(value.length).toBeLessThanOrEqual(key === 'description' ? 20_000 : 500);
        }
      }),
      { seed: 20_260_101, numRuns: 200 },
    );
    // The property held over real fields, not over empty results (fixed seed: the same inputs every run).
    expect(checked).toBeGreaterThanOrEqual(20);
  });
});
