/**
 * Raw RFC 5322 bytes → ParsedMail: the one parser both the IMAP reader and the SMTP listener feed.
 * Pure (no database, no network); the HTML is sanitized here so nobody downstream ever sees the original.
 */

import { parseTicketNumber } from '@mesa/core';
import type { Config, DOMPurify } from 'dompurify';
import { type AddressObject, type EmailAddress, simpleParser } from 'mailparser';
import { automatedReason, bareMessageId, type ClassifyOptions, detectBounce, type HeaderMap } from './classify';
import { repairRawMail } from './raw-repair';
import type { Address, ParsedAttachment, ParsedMail } from './types';

/** Opens the marker outgoing mail puts at the bottom of its text, for providers that rewrite our Message-IDs. */
export const MARKER_PREFIX = '[mesa:';

/** The marker line for a ticket, e.g. `[mesa:T-000042]`. */
export const bodyMarker = (ticketNumber: string): string => `${MARKER_PREFIX}${ticketNumber}]`;

const MARKER = /\[mesa:(T-\d{6,})\]/i;

/** The ticket number of the first well-formed marker in the given bodies, or null. */
export function findMarker(...bodies: (string | null)[]): string | null {
  for (const body of bodies) {
    const number = body ? MARKER.exec(body)?.[1]?.toUpperCase() : undefined;
    if (number && parseTicketNumber(number) !== null) return number;
  }
  return null;
}

const PURIFY: Config = {
  // DOMPurify already drops script, iframe, object and embed. Forms would let a mail phish from inside our UI, and a
  // <style> element would restyle the app around it (inline style attributes stay).
  FORBID_TAGS: [
    'style',
    'form',
    'input',
    'button',
    'select',
    'option',
    'optgroup',
    'textarea',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'base',
    'meta',
    'link',
  ],
  FORBID_ATTR: ['action', 'formaction'],
};

// One jsdom window for the life of the process: building one costs tens of milliseconds, sanitizing well under one.
// Loaded on first use, so importing this module (for rewriteCidLinks, bodyMarker…) never pays for jsdom.
let purifier: Promise<DOMPurify> | null = null;
const getPurifier = (): Promise<DOMPurify> => {
  if (!purifier) {
    purifier = Promise.all([import('jsdom'), import('dompurify')]).then(([{ JSDOM }, { default: createDOMPurify }]) =>
      createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]),
    );
    // A failed load (say, a jsdom too new for this Node) is retried on the next message rather than cached.
    purifier.catch(() => {
      purifier = null;
    });
  }
  return purifier;
};

/** The little of the DOM we walk (the API package compiles without the DOM lib). */
interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<DomNode>;
}

const BLOCKS = new Set(
  'P DIV TABLE TR UL OL DL DT DD H1 H2 H3 H4 H5 H6 PRE SECTION ARTICLE HEADER FOOTER ADDRESS HR CENTER'.split(' '),
);

const tidyText = (text: string): string =>
  text
    .split('\n')
    .map((line) => line.replace(/^[ \t]+|[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** Plain text of sanitized HTML: blocks on their own lines, list items dashed, blockquotes `>`-quoted. */
function domText(node: DomNode, pre = false): string {
  if (node.nodeType === 3) return pre ? (node.nodeValue ?? '') : (node.nodeValue ?? '').replace(/\s+/g, ' ');
  if (node.nodeType !== 1 && node.nodeType !== 11) return '';
  const name = node.nodeName.toUpperCase();
  if (name === 'BR') return '\n';
  let inner = '';
  for (let i = 0; i < node.childNodes.length; i++)
    inner += domText(node.childNodes[i] as DomNode, pre || name === 'PRE');
  if (name === 'LI') return `\n- ${inner.trim()}\n`;
  if (name === 'TD' || name === 'TH') return `${inner} `;
  if (name === 'BLOCKQUOTE') {
    const quoted = tidyText(inner)
      .split('\n')
      .map((line) => (line ? `> ${line}` : '>'));
    return `\n${quoted.join('\n')}\n`;
  }
  return BLOCKS.has(name) ? `\n${inner}\n` : inner;
}

/**
 * Sanitizes HTML: scripts, event handlers, frames, forms, styles and `javascript:` URLs go; `cid:` links stay.
 * `text()` gives the plain text of what is left, for mail that has no usable text part.
 */
export async function sanitizeHtml(html: string): Promise<{ html: string; text: () => string }> {
  const body = (await getPurifier()).sanitize(html, { ...PURIFY, RETURN_DOM: true }) as unknown as DomNode & {
    innerHTML: string;
  };
  return { html: body.innerHTML, text: () => tidyText(domText(body)) };
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const decodeCid = (cid: string): string => {
  try {
    return decodeURIComponent(cid);
  } catch {
    return cid;
  }
};

/**
 * Replaces `cid:` URLs in src attributes with what `urlFor` returns for the content id (brackets stripped, URL
 * escapes decoded); links it returns null for are left alone.
 */
export function rewriteCidLinks(html: string, urlFor: (contentId: string) => string | null): string {
  return html.replace(
    /(\ssrc\s*=\s*)(?:"cid:([^"]*)"|'cid:([^']*)'|cid:([^\s"'>]+))/gi,
    (whole, lead: string, dq?: string, sq?: string, bare?: string) => {
      const url = urlFor(bareMessageId(decodeCid(dq ?? sq ?? bare ?? '')));
      return url === null ? whole : `${lead}"${escapeAttr(url)}"`;
    },
  );
}

/** Every header line, unfolded, by lower-case name; values are raw (encoded words are not decoded). */
function headerMap(lines: ReadonlyArray<{ key: string; line: string }>): HeaderMap {
  const map: HeaderMap = {};
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const value = (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n(?=[ \t])/g, '').trim();
    const name = key.toLowerCase();
    map[name] = [...(map[name] ?? []), value];
  }
  return map;
}

/** Message-IDs in a header value, brackets stripped; tolerates ids without brackets and any separators. */
function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>]+)>/g)].map((m) => (m[1] ?? '').replace(/\s+/g, ''));
  const ids = bracketed.length > 0 ? bracketed : value.split(/[\s,]+/).filter((t) => t.includes('@'));
  return [...new Set(ids.filter((id) => id.length > 0))];
}

function addresses(header: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = [];
  const visit = (entry: EmailAddress) => {
    if (entry.group) entry.group.forEach(visit);
    else if (entry.address) out.push({ address: entry.address.trim().toLowerCase(), name: entry.name.trim() });
  };
  for (const object of header ? [header].flat() : []) object.value.forEach(visit);
  return out;
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
  'message/delivery-status': 'txt',
  'text/rfc822-headers': 'txt',
};

/** The name to store a part under: the sender's name without any path, or `attachment-<n>.<ext>`. */
function fileName(original: string | undefined, contentType: string, index: number): string {
  // Path parts and control characters never belong in a stored name; everything else (accents, spaces) stays.
  const name =
    (original ?? '')
      .split(/[/\\]/)
      .pop()
      ?.replace(/\p{Cc}/gu, '')
      .trim() ?? '';
  if (name && name !== '.' && name !== '..') return name;
  return `attachment-${index + 1}.${EXTENSIONS[contentType.toLowerCase()] ?? 'bin'}`;
}

/**
 * The Date header, or null when missing or unreadable: mailparser substitutes the current time for a date it cannot
 * parse, which would make garbage look like a fresh message.
 */
function sentAt(header: string | undefined, parsed: Date | undefined): Date | null {
  if (!header || !parsed || Number.isNaN(parsed.getTime())) return null;
  const substituted = Math.abs(parsed.getTime() - Date.now()) < 5_000 && Number.isNaN(Date.parse(header));
  return substituted ? null : parsed;
}

/** How parseMail drives mailparser (bench/mail-intake uses the same, so its baseline is this parse). */
export const MAILPARSER_OPTIONS = {
  keepCidLinks: true,
  checksumAlgo: 'sha256',
  // Delivery reports and embedded messages stay attachments, where bounce detection reads them.
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  // Bigger HTML is kept (sanitized) but not converted to text: the conversion is the slow part.
  maxHtmlLengthToParse: 5_000_000,
} as const;

export async function parseMail(raw: Buffer, options: ClassifyOptions = {}): Promise<ParsedMail> {
  const mail = await simpleParser(repairRawMail(raw), MAILPARSER_OPTIONS);
  const headers = headerMap(mail.headerLines);
  const rawHtml = typeof mail.html === 'string' ? mail.html : null;
  const clean = rawHtml === null ? null : await sanitizeHtml(rawHtml);

  const attachments: ParsedAttachment[] = mail.attachments.map((a, i) => {
    const contentId = a.cid ? bareMessageId(a.cid) : null;
    return {
      filename: fileName(a.filename, a.contentType, i),
      contentType: a.contentType,
      content: a.content,
      size: a.size,
      sha256: a.checksum,
      contentId,
      inline: a.related === true || Boolean(contentId && rawHtml?.includes(`cid:${contentId}`)),
    };
  });

  const subject = mail.subject?.replace(/\s+/g, ' ').trim() || null;
  const from = addresses(mail.from)[0] ?? null;
  // mailparser only converts HTML to text for some layouts (not an HTML part inside multipart/related), and some
  // clients send an empty text alternative: then the text comes from the sanitized HTML.
  const parsedText = (mail.text ?? '').replace(/\r\n/g, '\n');
  const text = parsedText.trim() === '' && clean ? clean.text() : parsedText;
  const date = sentAt(headers.date?.[0], mail.date);

  return {
    messageId: messageIds(headers['message-id']?.[0])[0] ?? null,
    inReplyTo: messageIds(headers['in-reply-to']?.[0])[0] ?? null,
    references: messageIds(headers.references?.join(' ')),
    subject,
    date,
    from,
    replyTo: addresses(mail.replyTo),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    text,
    html: clean?.html ?? null,
    attachments,
    headers,
    automated: automatedReason(headers, from?.address ?? null, options),
    bounce: detectBounce({ headers, from: from?.address ?? null, subject, text, attachments }),
    markerTicketNumber: findMarker(text, rawHtml),
    size: raw.length,
  };
}
