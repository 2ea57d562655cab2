import { createHash } from 'node:crypto';
import { bodyMarker, MARKER_PREFIX, parseMail, rewriteCidLinks } from '@mesa/api/mail/parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeMail, fixture, rawMail } from '../support/mail-factory';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('parseMail: charsets and headers', () => {
  it('decodes Windows-1252 Spanish mail, its encoded subject and accented attachment name', async () => {
    const raw = fixture('windows-1252-attachment.eml');
    const mail = await parseMail(raw);
    expect(mail.subject).toBe('Impresora dañada ¿quién la repara?');
    expect(mail.from).toEqual({ address: 'jose.munoz@example.com', name: 'José Muñoz' });
    expect(mail.text).toBe(
      'Buenos días,\n\nLa impresora del 3er piso está dañada. ¿Pueden revisarla?\nEl repuesto cuesta 45 €.\n\nGracias,\nJosé Muñoz\n',
    );
    expect(mail.html).toBeNull();
    expect(mail.messageId).toBe('20240301093000.4711@example.com');
    expect(mail.date?.toISOString()).toBe('2024-03-01T12:30:00.000Z');
    expect(mail.size).toBe(raw.length);
    expect(mail.automated).toBeNull();
    expect(mail.bounce).toBeNull();
    expect(mail.attachments).toHaveLength(1);
    const [pdf] = mail.attachments;
    expect(pdf?.filename).toBe('Informe técnico mañana.pdf');
    expect(pdf?.contentType).toBe('application/pdf');
    expect(pdf?.size).toBe(83);
    expect(pdf?.content.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(pdf?.sha256).toBe('78a89c6ac3d0fb6e94ff83c65f0bcc6e0ab50baf3ad1ff0f4c4cc47da4eab656');
    expect(pdf?.sha256).toBe(sha256(pdf?.content ?? Buffer.alloc(0)));
    expect(pdf?.inline).toBe(false);
    expect(pdf?.contentId).toBeNull();
  });

  it('decodes 8-bit ISO-8859-1 bodies and Windows-1252 euro signs', async () => {
    const latin1 = rawMail(
      [
        'From: a@example.com',
        'Subject: =?ISO-8859-1?B?wXJlYSBkZSBpbmZvcm3hdGljYQ==?=',
        'Content-Type: text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding: 8bit',
        '',
        '\xbfMa\xf1ana? Cami\xf3n n\xba 5',
      ],
      'latin1',
    );
    const a = await parseMail(latin1);
    expect(a.subject).toBe('Área de informática');
    expect(a.text.trim()).toBe('¿Mañana? Camión nº 5');

    const cp1252 = rawMail(
      [
        'From: a@example.com',
        'Content-Type: text/plain; charset=windows-1252',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Cuesta 10 \x80 \x93ok\x94',
      ],
      'latin1',
    );
    expect((await parseMail(cp1252)).text.trim()).toBe('Cuesta 10 € “ok”');
  });

  it('strips brackets from Message-IDs and reads References oldest first, however they are separated', async () => {
    const raw = rawMail([
      'From: a@example.com',
      'Message-ID: <m1@example.com>',
      "In-Reply-To: <p3@example.com> (Ana's message of today)",
      'References: <p1@example.com>',
      '  <p2@example.com>,<p3@example.com>',
      '\t<p3@example.com>',
      '',
      'x',
    ]);
    const mail = await parseMail(raw);
    expect(mail.messageId).toBe('m1@example.com');
    expect(mail.inReplyTo).toBe('p3@example.com');
    expect(mail.references).toEqual(['p1@example.com', 'p2@example.com', 'p3@example.com']);
  });

  it('lower-cases addresses and flattens groups', async () => {
    const raw = rawMail([
      'From: "Ana" <Ana@Example.COM>',
      'To: Equipo: Luis@Example.com, "Eva" <eva@example.com>;, soporte@mesa.test',
      'Cc: Otro <OTRO@example.com>',
      'Reply-To: respuestas@example.com',
      '',
      'x',
    ]);
    const mail = await parseMail(raw);
    expect(mail.from).toEqual({ address: 'ana@example.com', name: 'Ana' });
    expect(mail.to).toEqual([
      { address: 'luis@example.com', name: '' },
      { address: 'eva@example.com', name: 'Eva' },
      { address: 'soporte@mesa.test', name: '' },
    ]);
    expect(mail.cc).toEqual([{ address: 'otro@example.com', name: 'Otro' }]);
    expect(mail.replyTo).toEqual([{ address: 'respuestas@example.com', name: '' }]);
  });

  it('gives null for a missing or blank subject, and an id without brackets as is', async () => {
    const mail = await parseMail(fixture('no-subject.eml'));
    expect(mail.subject).toBeNull();
    expect(mail.messageId).toBe('no-brackets-123@example.com');
    expect(mail.text).toBe('No me anda el correo.\n');
    const blank = await parseMail(rawMail(['From: a@example.com', 'Subject:    ', '', 'x']));
    expect(blank.subject).toBeNull();
    expect(blank.messageId).toBeNull();
    expect(blank.date).toBeNull();
    expect((await parseMail(rawMail(['From: a@example.com', 'Date: someday soon', '', 'x']))).date).toBeNull();
  });

  it('keeps every header line by lower-case name, unfolded', async () => {
    const mail = await parseMail(
      rawMail(['From: a@example.com', 'Received: one', 'Received: two', 'X-Long: part one', '\tpart two', '', 'x']),
    );
    expect(mail.headers.received).toEqual(['one', 'two']);
    expect(mail.headers['x-long']).toEqual(['part one\tpart two']);
    expect(mail.headers.from).toEqual(['a@example.com']);
  });

  it('reads in-reply-to and references from the out-of-office fixture', async () => {
    const mail = await parseMail(fixture('out-of-office.eml'));
    expect(mail.inReplyTo).toBe('mesa.T-000042.k3j5abc@mesa.test');
    expect(mail.references).toEqual(['mesa.T-000042.k3j5abc@mesa.test']);
    expect(mail.subject).toBe('Respuesta automática: [T-000042] Impresora dañada');
    expect(mail.headers['x-auto-response-suppress']).toEqual(['All']);
  });
});

describe('parseMail: HTML', () => {
  // The first HTML mail loads jsdom, an import that takes seconds on a loaded machine: paid here, under the
  // hook's own timeout, so each test's limit covers parsing alone.
  beforeAll(() => parseMail(fixture('html-inline-image.eml')), 60_000);

  it('sanitizes the HTML fixture, keeps cid: images and derives text from the HTML', async () => {
    const mail = await parseMail(fixture('html-inline-image.eml'));
    const html = mail.html ?? '';
    for (const bad of [
      '<script',
      'onclick',
      'onerror',
      'javascript:',
      '<iframe',
      '<form',
      '<input',
      '<object',
      '<style',
    ]) {
      expect(html.toLowerCase()).not.toContain(bad);
    }
    expect(html).toContain('<img src="cid:logo@x" alt="logo">');
    expect(html).toContain('<a href="https://intranet.example.com/">intranet</a>');
    expect(html).toContain('<b>Comunicación</b>');
    expect(mail.text).toBe('El logo de la intranet no se ve:\nver detalle intranet\nGracias, Comunicación');
    expect(mail.attachments).toEqual([
      expect.objectContaining({
        filename: 'logo.png',
        contentType: 'image/png',
        contentId: 'logo@x',
        inline: true,
        size: 70,
        sha256: '6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0',
      }),
    ]);
  });

  it('derives structured text from HTML-only mail: paragraphs, lists, quotes', async () => {
    const mail = await parseMail(
      await composeMail({
        html: '<div>Hola<br>equipo</div><ul><li>uno</li><li>dos</li></ul><blockquote><p>cita</p></blockquote>',
      }),
    );
    expect(mail.text).toContain('Hola\nequipo');
    expect(mail.text).toContain('uno');
    expect(mail.text).toContain('dos');
    expect(mail.text).not.toContain('<');
  });

  it('keeps a text part as is when there is one next to the HTML', async () => {
    const mail = await parseMail(await composeMail({ text: 'Texto plano', html: '<p>Texto <b>rico</b></p>' }));
    expect(mail.text).toBe('Texto plano');
    expect(mail.html).toBe('<p>Texto <b>rico</b></p>');
  });

  it('names attachments without a name and flags only cid-referenced parts inline', async () => {
    const mail = await parseMail(
      await composeMail({
        html: '<p><img src="cid:foto@ana"></p>',
        attachments: [
          { content: Buffer.from([1, 2, 3]), contentType: 'application/octet-stream', filename: false },
          { filename: 'foto.jpg', content: Buffer.from('jpeg'), contentType: 'image/jpeg', cid: 'foto@ana' },
          { filename: 'Año 2024 ñandú.txt', content: 'hola' },
        ],
      }),
    );
    // Unnamed parts are numbered by their place among the attachments (MIME order: the related image comes first).
    const unnamed = mail.attachments.findIndex((a) => a.sha256 === sha256(Buffer.from([1, 2, 3])));
    expect(unnamed).toBeGreaterThanOrEqual(0);
    expect(mail.attachments[unnamed]?.filename).toBe(`attachment-${unnamed + 1}.bin`);
    const byName = Object.fromEntries(mail.attachments.map((a) => [a.filename, a]));
    expect(byName['foto.jpg']).toMatchObject({ inline: true, contentId: 'foto@ana' });
    expect(byName['Año 2024 ñandú.txt']).toMatchObject({ inline: false, contentId: null, size: 4 });
    expect(mail.attachments).toHaveLength(3);
  });
});

describe('rewriteCidLinks', () => {
  it('replaces cid: sources the callback knows and leaves the rest', () => {
    const html =
      '<img src="cid:logo@x"><img src=\'cid:%3Cfirma%40x%3E\'><img src=cid:otro@x><a href="cid:logo@x">l</a>';
    const urls: Record<string, string> = { 'logo@x': '/api/att/1?a=1&b=2', 'firma@x': '/api/att/2' };
    expect(rewriteCidLinks(html, (id) => urls[id] ?? null)).toBe(
      '<img src="/api/att/1?a=1&amp;b=2"><img src="/api/att/2"><img src=cid:otro@x><a href="cid:logo@x">l</a>',
    );
  });

  it('works on parsed, sanitized HTML', async () => {
    const mail = await parseMail(fixture('html-inline-image.eml'));
    const html = rewriteCidLinks(mail.html ?? '', (id) => (id === 'logo@x' ? '/files/logo' : null));
    expect(html).toContain('<img src="/files/logo" alt="logo">');
    expect(html).not.toContain('cid:');
  });
});

describe('body marker', () => {
  it('is a short bracketed line', () => {
    expect(bodyMarker('T-000042')).toBe('[mesa:T-000042]');
    expect(bodyMarker('T-000042').startsWith(MARKER_PREFIX)).toBe(true);
  });

  it('is found in quoted text or in HTML only', async () => {
    const text = await parseMail(await composeMail({ text: `Gracias\n\n> Hola\n> ${bodyMarker('T-000042')}` }));
    expect(text.markerTicketNumber).toBe('T-000042');
    const html = await parseMail(
      await composeMail({
        text: 'sin marca',
        html: `<p>x</p><div style="display:none">${bodyMarker('T-1234567')}</div>`,
      }),
    );
    expect(html.markerTicketNumber).toBe('T-1234567');
  });

  it('ignores malformed markers', async () => {
    const mail = await parseMail(await composeMail({ text: '[mesa:T-42] [mesa:T-000000] [mesa: T-000042]' }));
    expect(mail.markerTicketNumber).toBeNull();
  });
});
