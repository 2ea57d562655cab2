/**
 * Repairs raw messages that mailparser would otherwise misread, before it sees them. Pure; returns the input buffer
 * untouched when nothing needs repair (nearly always), so the cost on ordinary mail is one scan of the header block.
 *
 * - Raw 8-bit header bytes (no RFC 2047 encoded words), in the message's headers and its parts', are decoded with
 *   the declared charsets, else a detected one, and re-written as UTF-8: mailparser reads them as UTF-8 or Latin-1
 *   and a Shift_JIS subject or file name turns into U+FFFD.
 * - A part without Content-Type after the first part of a multipart/mixed is an attachment named `file`: mailparser
 *   would take it for more body text (binary junk in the ticket's description).
 * - A multipart without a boundary cannot be split: its bytes are kept as one attachment named `file` rather than
 *   read as an empty body.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

/** The name a part gets when its sender gave none and nothing says what it is. */
export const UNNAMED_PART = 'file';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (bytes: Buffer): boolean => {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};
const has8bit = (bytes: Buffer): boolean => {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
};

/** End of the header block (index of the blank line's first byte) and the length of that blank line. */
function headerEnd(raw: Buffer, from = 0): { end: number; sep: number } {
  const crlf = raw.indexOf('\r\n\r\n', from, 'latin1');
  const lf = raw.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, sep: 4 };
  if (lf >= 0) return { end: lf, sep: 2 };
  return { end: raw.length, sep: 0 };
}

const CHARSET = /charset\s*=\s*"?([A-Za-z0-9_.:+-]+)"?/gi;
const PLAIN = new Set(['us-ascii', 'ascii', 'utf-8', 'utf8']);

/** Charsets the message declares in any Content-Type (body parts included), in order, usable by iconv-lite. */
function declaredCharsets(raw: Buffer): string[] {
  // Content-Type parameters are ASCII; a latin1 view keeps byte offsets and never throws.
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const out = new Set<string>();
  for (const m of text.matchAll(CHARSET)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!PLAIN.has(name) && iconv.encodingExists(name)) out.add(name);
  }
  return [...out];
}

/** How to read bytes that are not UTF-8: the first declared charset that decodes them cleanly, else the best detected. */
function pickCharset(bytes: Buffer, declared: string[]): string {
  for (const charset of declared) if (!iconv.decode(bytes, charset).includes('\uFFFD')) return charset;
  for (const { name } of chardet.analyse(bytes)) {
    if (iconv.encodingExists(name) && !iconv.decode(bytes, name).includes('\uFFFD')) return name;
  }
  // Latin-1 maps every byte to a character: a wrong guess stays readable and reversible, U+FFFD would lose the bytes.
  return 'latin1';
}

/** The header block with every raw 8-bit line that is not UTF-8 re-written as UTF-8. */
function repairHeaderBytes(raw: Buffer): Buffer {
  const { end } = headerEnd(raw);
  const head = raw.subarray(0, end);
  if (!has8bit(head) || isUtf8(head)) return raw;
  const lines: Buffer[] = [];
  let start = 0;
  while (start < head.length) {
    const nl = head.indexOf(0x0a, start);
    const stop = nl < 0 ? head.length : nl + 1;
    lines.push(head.subarray(start, stop));
    start = stop;
  }
  const foreign = (l: Buffer) => has8bit(l) && !isUtf8(l);
  // One charset for the whole header block, chosen from all its 8-bit lines: a detector needs as much text as there is.
  const charset = pickCharset(Buffer.concat(lines.filter(foreign)), declaredCharsets(raw));
  const fixed = lines.map((l) => (foreign(l) ? Buffer.from(iconv.decode(l, charset), 'utf8') : l));
  return Buffer.concat([...fixed, raw.subarray(end)]);
}

const HIGH = /[\x80-\xff]/;

/**
 * The header blocks of MIME parts (after each delimiter line of any boundary the message declares) with raw 8-bit
 * lines that are not UTF-8 re-written as UTF-8: an attachment name in Shift_JIS fares as badly as a subject.
 */
function repairPartHeaders(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  if (!HIGH.test(text)) return raw;
  const boundaries = new Set(
    [...text.matchAll(/boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/gi)].map((m) => `--${m[1] ?? m[2] ?? ''}`),
  );
  if (boundaries.size === 0) return raw;
  const declared = declaredCharsets(raw);
  const pieces: Buffer[] = [];
  let cursor = 0;
  for (const m of text.matchAll(/(?:^|\n)(--[^\r\n]*)\r?\n/g)) {
    if (!boundaries.has((m[1] ?? '').trimEnd())) continue;
    const start = (m.index ?? 0) + m[0].length;
    // A part that opens with a blank line has no headers to repair.
    if (start < cursor || raw[start] === 0x0a || (raw[start] === 0x0d && raw[start + 1] === 0x0a)) continue;
    const { end } = headerEnd(raw, start);
    const head = raw.subarray(start, end);
    if (!HIGH.test(text.slice(start, end)) || isUtf8(head)) continue;
    const own = /charset\s*=\s*"?([A-Za-z0-9_.:+-]+)/i.exec(text.slice(start, end))?.[1]?.toLowerCase();
    const charset = pickCharset(head, own && iconv.encodingExists(own) ? [own, ...declared] : declared);
    const fixed = head
      .toString('latin1')
      .split(/(?<=\n)/)
      .map((line) => {
        const bytes = Buffer.from(line, 'latin1');
        return HIGH.test(line) && !isUtf8(bytes) ? Buffer.from(iconv.decode(bytes, charset), 'utf8') : bytes;
      });
    pieces.push(raw.subarray(cursor, start), ...fixed);
    cursor = end;
  }
  if (cursor === 0) return raw;
  pieces.push(raw.subarray(cursor));
  return Buffer.concat(pieces);
}

/** The top-level Content-Type header of a header block, unfolded, or null. */
function contentTypeOf(head: string): string | null {
  const m = /^content-type:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(head);
  return m ? (m[1] ?? '').replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}

const boundaryOf = (contentType: string): string | null =>
  /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType)?.slice(1).find(Boolean) ?? null;

const ATTACHMENT_HEADERS = (eol: string) =>
  `Content-Type: application/octet-stream; name="${UNNAMED_PART}"${eol}` +
  `Content-Disposition: attachment; filename="${UNNAMED_PART}"${eol}`;

/** Gives parts after the first of a multipart/mixed that have no Content-Type the headers of an attachment. */
function repairUntypedParts(raw: Buffer, boundary: string, bodyStart: number): Buffer {
  const text = raw.toString('latin1');
  const delimiter = `--${boundary}`;
  const pieces: string[] = [];
  let cursor = 0;
  let index = 0;
  let changed = false;
  let at = text.indexOf(delimiter, bodyStart);
  while (at >= 0) {
    const lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) break;
    const line = text.slice(at, lineEnd).replace(/\r$/, '');
    // Delimiters open a line; the closing one ends the multipart; a longer line that starts with one is content.
    const atLineStart = at === 0 || text[at - 1] === '\n';
    if (atLineStart && line.trimEnd() === `${delimiter}--`) break;
    if (atLineStart && line.trimEnd() === delimiter) {
      const partStart = lineEnd + 1;
      const blank = text.slice(partStart).search(/\r?\n\r?\n|^\r?\n/);
      const head = blank < 0 ? text.slice(partStart) : text.slice(partStart, partStart + blank);
      if (index > 0 && contentTypeOf(head) === null) {
        const eol = text[lineEnd - 1] === '\r' ? '\r\n' : '\n';
        pieces.push(text.slice(cursor, partStart), ATTACHMENT_HEADERS(eol));
        cursor = partStart;
        changed = true;
      }
      index++;
    }
    at = text.indexOf(delimiter, lineEnd);
  }
  if (!changed) return raw;
  pieces.push(text.slice(cursor));
  return Buffer.from(pieces.join(''), 'latin1');
}

/** Replaces a boundary-less multipart's Content-Type with an attachment's, keeping every body byte. */
function repairBoundaryless(raw: Buffer, end: number): Buffer {
  const head = raw.subarray(0, end).toString('latin1');
  const eol = head.includes('\r\n') ? '\r\n' : '\n';
  const rest = head
    .replace(/^content-type:.*(?:\r?\n[ \t].*)*(?:\r?\n|$)/im, '')
    .replace(/^content-disposition:.*(?:\r?\n[ \t].*)*(?:\r?\n|$)/im, '')
    .replace(/(?:\r?\n)+$/, '');
  const fixed = `${rest}${eol}${ATTACHMENT_HEADERS(eol).replace(/\r?\n$/, '')}`;
  return Buffer.concat([Buffer.from(fixed, 'latin1'), raw.subarray(end)]);
}

/** The raw message with the repairs above applied (the same buffer when none was needed). */
export function repairRawMail(input: Buffer): Buffer {
  const raw = repairPartHeaders(repairHeaderBytes(input));
  const { end, sep } = headerEnd(raw);
  const contentType = contentTypeOf(raw.subarray(0, end).toString('latin1'));
  if (!contentType || !/^multipart\//i.test(contentType)) return raw;
  const boundary = boundaryOf(contentType);
  if (!boundary) return repairBoundaryless(raw, end);
  if (!/^multipart\/mixed/i.test(contentType)) return raw;
  return repairUntypedParts(raw, boundary, end + sep);
}
