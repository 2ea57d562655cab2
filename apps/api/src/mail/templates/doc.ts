import type { Language } from '@mesa/core';

/** One piece of a mail body, rendered both as plain text and as HTML from the same data. */
export type Block =
  | { kind: 'p'; text: string }
  /** Someone's words (a reply, a description): kept as written, set apart from our own text. */
  | { kind: 'quote'; text: string }
  | { kind: 'facts'; rows: Array<[label: string, value: string]> }
  | { kind: 'link'; label: string; href: string };

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export interface Doc {
  lang: Language;
  subject: string;
  blocks: Block[];
  /** Sender name closing the mail. */
  signature: string;
  /** The body marker line the text ends with (ticket mails only). */
  marker: string | null;
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every interpolated value goes through here: ticket subjects and replies are user input. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => entities[c] ?? c);

const htmlLines = (s: string): string => escapeHtml(s).replace(/\r?\n/g, '<br>\n');

/** Only http(s) links become anchors; anything else is shown as text. */
const safeHref = (href: string): boolean => /^https?:\/\//i.test(href);

function textBlock(b: Block): string {
  switch (b.kind) {
    case 'p':
      return b.text;
    case 'quote':
      return b.text.trim();
    case 'facts':
      return b.rows.map(([label, value]) => `${label}: ${value}`).join('\n');
    case 'link':
      return `${b.label}: ${b.href}`;
  }
}

const muted = 'color:#666;font-size:12px';

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'p':
      return `<p>${htmlLines(b.text)}</p>`;
    case 'quote':
      return `<div style="border-left:3px solid #ccc;margin:12px 0;padding:4px 12px;white-space:pre-wrap">${escapeHtml(b.text.trim())}</div>`;
    case 'facts': {
      const rows = b.rows
        .map(
          ([l, v]) => `<tr><td style="${muted};padding-right:12px">${escapeHtml(l)}</td><td>${escapeHtml(v)}</td></tr>`,
        )
        .join('');
      return `<table style="border-collapse:collapse;margin:12px 0">${rows}</table>`;
    }
    case 'link':
      return safeHref(b.href)
        ? `<p><a href="${escapeHtml(b.href)}">${escapeHtml(b.label)}</a></p>`
        : `<p>${escapeHtml(b.label)}: ${escapeHtml(b.href)}</p>`;
  }
}

export function renderDoc(doc: Doc): Rendered {
  const text = [...doc.blocks.map(textBlock), `-- \n${doc.signature}`, ...(doc.marker ? [doc.marker] : [])];
  const html = [
    '<!doctype html>',
    `<html lang="${doc.lang}"><head><meta charset="utf-8"><title>${escapeHtml(doc.subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#222">',
    ...doc.blocks.map(htmlBlock),
    `<p style="${muted}">${escapeHtml(doc.signature)}</p>`,
    ...(doc.marker ? [`<p style="color:#aaa;font-size:11px">${escapeHtml(doc.marker)}</p>`] : []),
    '</body></html>',
  ];
  return { subject: doc.subject, text: `${text.join('\n\n')}\n`, html: `${html.join('\n')}\n` };
}

/** The body of one template before rendering. */
export interface Draft {
  subject: string;
  blocks: Block[];
}

export const pick = <T>(lang: Language, es: T, en: T): T => (lang === 'es' ? es : en);
