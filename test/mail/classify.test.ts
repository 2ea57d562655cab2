import { testEnv } from '@mesa/api/env';
import {
  automatedReason,
  type BounceInput,
  detectBounce,
  isOwnMail,
  LOOP_HEADER,
  ourMessageId,
  ticketNumberFromOurMessageId,
} from '@mesa/api/mail/classify';
import { parseMail } from '@mesa/api/mail/parse';
import { describe, expect, it } from 'vitest';
import { composeMail, fixture, rawMail } from '../support/mail-factory';

const person = 'ana@example.com';

describe('automatedReason', () => {
  it('is null for a person writing', () => {
    expect(automatedReason({ subject: ['Impresora'], 'auto-submitted': ['no'] }, person)).toBeNull();
    expect(automatedReason({ precedence: ['first-class'] }, person)).toBeNull();
    expect(automatedReason({ 'return-path': ['<ana@example.com>'] }, person)).toBeNull();
  });

  it('names each automation signal', () => {
    const cases: [Record<string, string[]>, string][] = [
      [{ 'auto-submitted': ['auto-replied'] }, 'auto-submitted:auto-replied'],
      [{ 'auto-submitted': ['Auto-Generated; foo=bar'] }, 'auto-submitted:auto-generated'],
      [{ 'x-autoreply': ['yes'] }, 'x-autoreply'],
      [{ 'x-autorespond': ['x'] }, 'x-autorespond'],
      [{ 'x-autoresponse': ['x'] }, 'x-autoresponse'],
      [{ precedence: ['bulk'] }, 'precedence:bulk'],
      [{ precedence: ['Junk'] }, 'precedence:junk'],
      [{ precedence: ['list'] }, 'precedence:list'],
      [{ 'x-precedence': ['auto_reply'] }, 'x-precedence:auto_reply'],
      [{ 'x-auto-response-suppress': ['OOF'] }, 'x-auto-response-suppress'],
      [{ 'x-auto-response-suppress': ['All'] }, 'x-auto-response-suppress'],
      [{ 'x-loop': ['helpdesk@example.com'] }, 'x-loop'],
      [{ 'list-id': ['<anuncios.example.com>'] }, 'list-id'],
      [{ 'list-unsubscribe': ['<mailto:u@example.com>'] }, 'list-unsubscribe'],
      [{ 'return-path': ['< >'] }, 'return-path:empty'],
      [{ 'content-type': ['multipart/report; report-type=delivery-status; boundary=x'] }, 'dsn'],
      [{ 'x-failed-recipients': ['nobody@example.com'] }, 'x-failed-recipients'],
    ];
    for (const [headers, reason] of cases) expect(automatedReason(headers, person), reason).toBe(reason);
  });

  it('recognises robot senders, with tags and suffixes', () => {
    expect(automatedReason({}, 'MAILER-DAEMON@mx.example.com')).toBe('sender:mailer-daemon');
    expect(automatedReason({}, 'postmaster@example.com')).toBe('sender:postmaster');
    expect(automatedReason({}, 'noreply@example.com')).toBe('sender:noreply');
    expect(automatedReason({}, 'no-reply+abc@example.com')).toBe('sender:noreply');
    expect(automatedReason({}, 'do-not-reply@example.com')).toBe('sender:donotreply');
    expect(automatedReason({}, 'donotreply@example.com')).toBe('sender:donotreply');
    expect(automatedReason({}, 'noreplyhelp@example.com')).toBeNull();
    expect(automatedReason({}, 'postmasters@example.com')).toBeNull();
    expect(automatedReason({}, null)).toBeNull();
    expect(automatedReason({}, 'cron@srv.example.com')).toBe('sender:cron');
    expect(automatedReason({}, 'root@srv.example.com')).toBe('sender:root');
    expect(automatedReason({}, 'daemon@fax.example.com')).toBe('sender:daemon');
    expect(automatedReason({}, 'bounces+123@lists.example.com')).toBe('sender:bounce');
    expect(automatedReason({}, 'bounce@example.com')).toBe('sender:bounce');
    expect(automatedReason({}, 'root-alerts@example.com')).toBe('sender:root');
    expect(automatedReason({}, 'rootkit-team@example.com')).toBeNull();
    expect(automatedReason({}, 'roots@example.com')).toBeNull();
    expect(automatedReason({}, 'crondall@example.com')).toBeNull();
  });

  it('names machine signals that carry no auto-submitted header', () => {
    const cases: [Record<string, string[]>, string][] = [
      [{ 'x-cron-env': ['<SHELL=/bin/sh>'] }, 'x-cron-env'],
      [{ 'x-jira-fingerprint': ['4b3c2a1f'] }, 'tracker:x-jira-fingerprint'],
      [{ 'x-redmine-project': ['ops'] }, 'tracker:x-redmine-project'],
      [{ 'x-github-reason': ['mention'] }, 'tracker:x-github-reason'],
      [{ 'feedback-id': ['1.eu-west-1.abc:AmazonSES'] }, 'feedback-id'],
      [{ 'x-mailer': ['MailChimp Mailer - **CID7f3a**'] }, 'x-mailer:mailchimp'],
      [{ 'x-mailer': ['phpList v3.6.12'] }, 'x-mailer:phplist'],
      [{ 'x-spam-flag': ['YES'] }, 'spam:x-spam-flag'],
      [{ 'x-spam-status': ['Yes, score=9.1 required=5.0'] }, 'spam:x-spam-status'],
      [{ 'x-spam-score': ['5.0'] }, 'spam:score'],
      [{ 'x-spam-status': ['No, score=6.2 required=7.0'] }, 'spam:score'],
    ];
    for (const [headers, reason] of cases) expect(automatedReason(headers, person), reason).toBe(reason);
    expect(cases).toHaveLength(11);
  });

  it('leaves people and clean filter verdicts alone', () => {
    expect(automatedReason({ 'x-mailer': ['Microsoft Outlook 16.0'] }, person)).toBeNull();
    expect(automatedReason({ 'x-spam-flag': ['NO'], 'x-spam-score': ['4.9'] }, person)).toBeNull();
    expect(automatedReason({ 'x-spam-status': ['No, score=-0.1 required=5.0'] }, person)).toBeNull();
  });

  it('uses the configured spam threshold', () => {
    expect(automatedReason({ 'x-spam-score': ['7.3'] }, person, { spamScore: 8 })).toBeNull();
    expect(automatedReason({ 'x-spam-score': ['8'] }, person, { spamScore: 8 })).toBe('spam:score');
  });

  it('reads the threshold from MAIL_SPAM_SCORE (default 5, refused when negative)', async () => {
    const raw = fixture('spam-score-only.eml');
    expect(testEnv().MAIL_SPAM_SCORE).toBe(5);
    expect((await parseMail(raw, { spamScore: testEnv().MAIL_SPAM_SCORE })).automated).toBe('spam:score');
    const lenient = testEnv({ MAIL_SPAM_SCORE: '8' }).MAIL_SPAM_SCORE;
    expect((await parseMail(raw, { spamScore: lenient })).automated).toBeNull();
    expect(() => testEnv({ MAIL_SPAM_SCORE: '-1' })).toThrow(/MAIL_SPAM_SCORE/);
  });

  it('calls a sender that does not parse as a mailbox invalid', () => {
    expect(automatedReason({}, '"millions lottery spain transfer"@example.com>')).toBe('sender:invalid');
    expect(automatedReason({}, '"broken <<joe@"@example..com')).toBe('sender:invalid');
    expect(automatedReason({}, 'ana.gomez+soporte@example.com')).toBeNull();
  });

  it('classifies the out-of-office fixture and a composed list mail', async () => {
    expect((await parseMail(fixture('out-of-office.eml'))).automated).toBe('auto-submitted:auto-replied');
    const list = await parseMail(
      await composeMail({ text: 'Boletín', headers: { 'List-Unsubscribe': '<https://example.com/u>' } }),
    );
    expect(list.automated).toBe('list-unsubscribe');
    expect((await parseMail(await composeMail({ text: 'Hola' }))).automated).toBeNull();
  });
});

describe('our Message-IDs', () => {
  it('have our format and carry the ticket number', () => {
    const id = ourMessageId('mesa.test', 'T-000042');
    expect(id).toMatch(/^mesa\.T-000042\.[a-z0-9]+@mesa\.test$/);
    expect(ourMessageId('mesa.test')).toMatch(/^mesa\.x\.[a-z0-9]+@mesa\.test$/);
    expect(ourMessageId('mesa.test', 'T-000042')).not.toBe(id);
    expect(ticketNumberFromOurMessageId(id, 'mesa.test')).toBe('T-000042');
    expect(ticketNumberFromOurMessageId(`<${id}>`, 'MESA.TEST')).toBe('T-000042');
  });

  it('give no ticket number for other domains, formats or the x placeholder', () => {
    expect(ticketNumberFromOurMessageId('mesa.T-000042.abc@other.test', 'mesa.test')).toBeNull();
    expect(ticketNumberFromOurMessageId(ourMessageId('mesa.test'), 'mesa.test')).toBeNull();
    expect(ticketNumberFromOurMessageId('mesa.T-42.abc@mesa.test', 'mesa.test')).toBeNull();
    expect(ticketNumberFromOurMessageId('CAF123@mail.gmail.com', 'mesa.test')).toBeNull();
  });
});

describe('isOwnMail', () => {
  it('spots our loop header or our Message-ID on our domain', () => {
    expect(LOOP_HEADER).toBe('X-Mesa-Loop');
    expect(isOwnMail({ 'x-mesa-loop': ['mesa.test'] }, 'mesa.test', 'a@b')).toBe(true);
    expect(isOwnMail({}, 'mesa.test', '<mesa.T-000042.abc123@mesa.test>')).toBe(true);
    expect(isOwnMail({}, 'mesa.test', 'mesa.x.abc123@Mesa.Test')).toBe(true);
  });

  it('is false for anyone else, including replies to our mail', () => {
    expect(isOwnMail({}, 'mesa.test', null)).toBe(false);
    expect(isOwnMail({}, 'mesa.test', 'mesa.T-000042.abc@elsewhere.test')).toBe(false);
    expect(isOwnMail({}, 'mesa.test', 'abc@mesa.test')).toBe(false);
    expect(isOwnMail({ 'in-reply-to': ['<mesa.T-000042.abc@mesa.test>'] }, 'mesa.test', 'x@example.com')).toBe(false);
  });

  it('recognises our own notification parsed back', async () => {
    const raw = await composeMail({
      messageId: ourMessageId('mesa.test', 'T-000042'),
      headers: { [LOOP_HEADER]: 'mesa.test' },
      text: 'Notificación',
    });
    const mail = await parseMail(raw);
    expect(isOwnMail(mail.headers, 'mesa.test', mail.messageId)).toBe(true);
  });
});

describe('detectBounce', () => {
  const base: BounceInput = { headers: {}, from: person, subject: 'Hola', text: 'Hola', attachments: [] };

  it('links the DSN fixture to the embedded message and its failed recipient', async () => {
    const mail = await parseMail(fixture('bounce-dsn.eml'));
    expect(mail.automated).toBe('dsn');
    expect(mail.bounce).toEqual({
      originalMessageId: 'mesa.T-000042.abc123@mesa.test',
      failedRecipients: ['nobody@example.com'],
    });
    expect(ticketNumberFromOurMessageId(mail.bounce?.originalMessageId ?? '', 'mesa.test')).toBe('T-000042');
    // The embedded message carries our loop header, the bounce itself does not: it must not be dropped as ours.
    expect(isOwnMail(mail.headers, 'mesa.test', mail.messageId)).toBe(false);
  });

  it('is null for people and for auto-replies', async () => {
    expect(detectBounce(base)).toBeNull();
    expect((await parseMail(fixture('out-of-office.eml'))).bounce).toBeNull();
  });

  it('reads X-Failed-Recipients and a message pasted in the body (Exim style)', () => {
    const bounce = detectBounce({
      ...base,
      headers: { 'x-failed-recipients': ['Nobody@Example.com, other@example.com'] },
      from: 'mailer-daemon@mx.example.com',
      subject: 'Mail delivery failed: returning message to sender',
      text: 'A message could not be delivered.\n\n------ This is a copy of the message\n\nMessage-ID: <mesa.T-000007.zz@mesa.test>\nSubject: x',
    });
    expect(bounce).toEqual({
      originalMessageId: 'mesa.T-000007.zz@mesa.test',
      failedRecipients: ['nobody@example.com', 'other@example.com'],
    });
  });

  it('takes a robot sender with a failure subject, in Spanish or German too', () => {
    for (const subject of [
      'No se pudo entregar: Impresora',
      'Unzustellbar: Drucker',
      'Returned mail: see transcript',
    ]) {
      expect(detectBounce({ ...base, from: 'postmaster@example.com', subject }), subject).toEqual({
        originalMessageId: null,
        failedRecipients: [],
      });
    }
    expect(detectBounce({ ...base, from: 'postmaster@example.com', subject: 'Mailbox quota policy' })).toBeNull();
  });

  it('reads the original Message-ID from text/rfc822-headers', () => {
    const headersPart = Buffer.from('From: soporte@mesa.test\r\nMessage-ID:\r\n <mesa.T-000009.q1@mesa.test>\r\n\r\n');
    const bounce = detectBounce({
      ...base,
      headers: { 'content-type': ['multipart/report; report-type=delivery-status; boundary=b'] },
      attachments: [{ contentType: 'text/rfc822-headers', content: headersPart }],
    });
    expect(bounce?.originalMessageId).toBe('mesa.T-000009.q1@mesa.test');
  });

  it('treats delay and success reports as status updates, not bounces', () => {
    const report = (action: string) =>
      Buffer.from(
        `Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@example.com\nAction: ${action}\nStatus: 4.4.7\n`,
      );
    const input = (action: string): BounceInput => ({
      ...base,
      from: 'mailer-daemon@googlemail.com',
      subject: 'Delivery Status Notification (Delay)',
      headers: { 'content-type': ['multipart/report; report-type=delivery-status; boundary=b'] },
      attachments: [{ contentType: 'message/delivery-status', content: report(action) }],
    });
    expect(detectBounce(input('delayed'))).toBeNull();
    expect(detectBounce(input('delivered'))).toBeNull();
    expect(detectBounce(input('failed'))?.failedRecipients).toEqual(['a@example.com']);
  });

  it('does not take a read receipt (multipart/report of another type) for a bounce', () => {
    const mdn = detectBounce({
      ...base,
      headers: { 'content-type': ['multipart/report; report-type=disposition-notification; boundary=b'] },
    });
    expect(mdn).toBeNull();
  });

  it('parses a composed bounce with an embedded message end to end', async () => {
    const original = await composeMail({ messageId: 'mesa.T-000042.zz9@mesa.test', text: 'hola' });
    const raw = rawMail([
      'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
      'To: soporte@mesa.test',
      'Subject: Delivery Status Notification (Failure)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      "Your message wasn't delivered to x@example.com",
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; googlemail.com',
      '',
      'Final-Recipient: rfc822; X@Example.com',
      'Action: failed',
      'Status: 5.1.1',
      '--b',
      'Content-Type: message/rfc822',
      '',
      original.toString('utf8'),
      '--b--',
      '',
    ]);
    const mail = await parseMail(raw);
    expect(mail.bounce).toEqual({
      originalMessageId: 'mesa.T-000042.zz9@mesa.test',
      failedRecipients: ['x@example.com'],
    });
  });
});
