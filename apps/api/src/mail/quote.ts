/**
 * Splits a plain-text reply from the earlier conversation quoted below it, so the ticket shows what is new and folds
 * the rest away (the full original is always kept elsewhere). Heuristic by nature: it only cuts at markers mail
 * clients actually write, and when in doubt keeps everything as the reply.
 */

export interface SplitText {
  reply: string;
  quoted: string | null;
}

// Attribution lines ("On Mon, 1 Jan 2024, Ana <a@x> wrote:") in the languages our users' clients speak.
const ATTRIBUTION_START = /^\s*(?:on|el|em|le|am)\s\S/i;
const ATTRIBUTION_END = /\b(?:wrote|escribió|escribio|escreveu|a écrit|schrieb)\s*:\s*$/i;
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(?:original message|mensaje original|mensagem original|message d'origine|ursprüngliche nachricht)\s*-{2,}\s*$/i;
const FORWARDED =
  /^\s*(?:-{3,}\s*(?:forwarded message|mensaje reenviado|mensagem encaminhada)\s*-{3,}|begin forwarded message:)\s*$/i;
// Outlook's header block, sometimes in bold (`*From:*`): a From/De line, then Sent/Date/Enviado/Fecha.
const OUTLOOK_FROM = /^\s*\*?(?:from|de)\*?\s*:/i;
const OUTLOOK_DATE = /^\s*\*?(?:sent|date|enviado|fecha)\*?\s*:/i;
const UNDERSCORES = /^\s*_{10,}\s*$/;
const QUOTED = /^\s*>/;
// An attribution longer than this is prose that happens to start with "On" and end with "wrote:".
const MAX_ATTRIBUTION = 300;

const blank = (line: string | undefined): boolean => (line ?? '').trim() === '';

/**
 * Whether line i starts an attribution, possibly wrapped over two lines. Clients always put a date in it, so a digit
 * is required: that keeps prose like "On second thought, she wrote:" in the reply.
 */
function attributionAt(lines: string[], i: number): boolean {
  const line = lines[i] ?? '';
  if (!ATTRIBUTION_START.test(line)) return false;
  const next = lines[i + 1] ?? '';
  const attribution = ATTRIBUTION_END.test(line) ? line : ATTRIBUTION_END.test(next) ? `${line} ${next}` : null;
  return attribution !== null && attribution.length <= MAX_ATTRIBUTION && /\d/.test(attribution);
}

function outlookAt(lines: string[], i: number): boolean {
  return OUTLOOK_FROM.test(lines[i] ?? '') && OUTLOOK_DATE.test(lines[i + 1] ?? '');
}

/** Where a trailing run of `>` lines (blank lines allowed inside) starts, or -1. */
function trailingQuoteStart(lines: string[]): number {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (QUOTED.test(lines[i] ?? '')) start = i;
    else if (!blank(lines[i])) break;
  }
  return start;
}

export function splitQuoted(text: string): SplitText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let cut = -1;
  for (let i = 0; i < lines.length && cut < 0; i++) {
    const line = lines[i] ?? '';
    if (attributionAt(lines, i) || ORIGINAL_MESSAGE.test(line)) cut = i;
    else if (outlookAt(lines, i)) {
      cut = i;
      // Outlook draws a rule of underscores above its header block: it belongs to the quote.
      let above = i - 1;
      while (above >= 0 && blank(lines[above])) above--;
      if (above >= 0 && UNDERSCORES.test(lines[above] ?? '')) cut = above;
    } else if (FORWARDED.test(line)) cut = i;
  }
  if (cut < 0) cut = trailingQuoteStart(lines);

  const whole: SplitText = { reply: text.trim(), quoted: null };
  if (cut < 0) return whole;
  const reply = lines.slice(0, cut).join('\n').trim();
  // Nothing above the marker: a pure forward or a bare quote. Folding it would leave an empty message.
  if (reply === '') return whole;
  return { reply, quoted: lines.slice(cut).join('\n').trim() };
}
