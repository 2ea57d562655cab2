import { parseMail } from '@mesa/api/mail/parse';
import { repairRawMail } from '@mesa/api/mail/raw-repair';
import { describe, expect, it } from 'vitest';
import { composeMail, fixture } from '../support/mail-factory';

/** Header bytes as some mailers send them: raw, in a legacy charset, without RFC 2047 encoded words. */
const withRawHeaders = (from: Buffer, subject: Buffer, contentType?: string) =>
  Buffer.concat([
    Buffer.from('From: '),
    from,
    Buffer.from(' <sender@example.jp>\r\nTo: soporte@mesa.test\r\nSubject: '),
    subject,
    Buffer.from(`\r\nMIME-Version: 1.0\r\n${contentType ? `Content-Type: ${contentType}\r\n` : ''}\r\nhola\r\n`),
  ]);

// ツール and 山田 in Shift_JIS; José and dañada in Windows-1252.
const SJIS_TOOL = Buffer.from('8363815b838b', 'hex');
const SJIS_YAMADA = Buffer.from('8e529363', 'hex');

describe('repairRawMail', () => {
  it('returns ordinary mail untouched (the same buffer)', async () => {
    for (const raw of [
      await composeMail({ subject: 'Año nuevo, ¿qué tal?' }),
      fixture('windows-1252-attachment.eml'),
    ]) {
      expect(repairRawMail(raw)).toBe(raw);
    }
  });

  it('decodes raw 8-bit headers with no declared charset by detection, never as U+FFFD', async () => {
    const sjis = await parseMail(withRawHeaders(SJIS_YAMADA, SJIS_TOOL));
    expect([sjis.subject, sjis.from?.name]).toEqual(['ツール', '山田']);
    const cp1252 = await parseMail(
      withRawHeaders(Buffer.from('Jos\xe9', 'latin1'), Buffer.from('Impresora da\xf1ada', 'latin1')),
    );
    expect([cp1252.subject, cp1252.from?.name]).toEqual(['Impresora dañada', 'José']);
  });

  it('prefers the charset the message declares', async () => {
    const mail = await parseMail(withRawHeaders(SJIS_YAMADA, SJIS_TOOL, 'text/plain; charset=Shift_JIS'));
    expect([mail.subject, mail.from]).toEqual(['ツール', { address: 'sender@example.jp', name: '山田' }]);
  });
});
