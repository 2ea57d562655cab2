/**
 * The requester fields people type into a mail when the organisation's instructions ask them to ("Nombre y
 * apellido: …", "Ubicación física: …"). Forgiving about how they write the labels, strict about what is kept.
 */

export interface RequesterFields {
  name?: string;
  organization?: string;
  location?: string;
  phone?: string;
  email?: string;
  description?: string;
}

type Field = keyof RequesterFields;

const MAX_LENGTH: Record<Field, number> = {
  name: 200,
  organization: 500,
  location: 500,
  phone: 500,
  email: 500,
  description: 20_000,
};

// Labels as written after folding: lower case, accents removed. Longer spellings first so they win the alternation.
const LABELS: [Field, string][] = [
  ['name', 'nombres? y apellidos?|apellidos? y nombres?|nombre completo|nombre|full name|your name|name'],
  [
    'organization',
    '(?:organismo|gerencia|oficina|dependencia)(?:\\s*[/,]\\s*(?:organismo|gerencia|oficina|dependencia))*|organi[sz]ation|office|department|company',
  ],
  ['location', 'ubicacion fisica|ubicacion|physical location|location'],
  [
    'phone',
    '(?:numero|nro\\.?|n[°º]|no\\.?)\\s*(?:de\\s+)?telef(?:onico|ono)|telefono(?: celular| movil| fijo| de contacto)?|celular|(?:tele)?phone(?: number)?|tel\\.?',
  ],
  ['email', 'correo electronico|correo|e-?mail'],
  ['description', 'descripcion(?: del (?:problema|pedido|incidente))?|description|detalle'],
];

// Optional bullets or emphasis, the label, optional closing emphasis, a separator, optional emphasis, the value.
const LABEL_LINE = new RegExp(
  `^[\\s*•·\\-–—+#_]*(?:${LABELS.map(([field, label]) => `(?<${field}>${label})`).join('|')})\\s*(?:\\*\\*|\\*|__)?\\s*[:=\\-–—]\\s*(?:\\*\\*|\\*|__)?\\s*`,
  'i',
);

/** Lower case without accents, the same length as the input so match offsets apply to the original line. */
function fold(line: string): string {
  let out = '';
  for (const ch of line) {
    const f = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    out += f.length === ch.length ? f : ch;
  }
  return out;
}

const QUOTED = /^\s*>/;
const SIGNATURE = /^-- ?$/;

/** The field a line is labelled with and the value after the label, or null for an ordinary line. */
function labelled(line: string): { field: Field; value: string } | null {
  const m = LABEL_LINE.exec(fold(line));
  if (!m?.groups) return null;
  const field = (Object.keys(MAX_LENGTH) as Field[]).find((f) => m.groups?.[f] !== undefined);
  return field ? { field, value: line.slice(m[0].length) } : null;
}

/** Strips emphasis left around a value (`**Juan**`) and surrounding whitespace. */
const clean = (value: string): string =>
  value
    .replace(/^(?:\*\*|\*|__)\s*/, '')
    .replace(/\s*(?:\*\*|\*|__)$/, '')
    .trim();

const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:".]+$/;

function normalize(field: Field, value: string): string | null {
  let v = field === 'description' ? value.trim() : clean(value).replace(/\s+/g, ' ');
  if (field === 'email') {
    v = v
      .replace(/^mailto:/i, '')
      .replace(/^<(.*)>$/, '$1')
      .toLowerCase();
    if (!EMAIL.test(v)) return null;
  }
  // "Número telefónico: no tengo" is not a phone number.
  if (field === 'phone' && (v.match(/\d/g)?.length ?? 0) < 3) return null;
  if (!v) return null;
  return v.length > MAX_LENGTH[field] ? v.slice(0, MAX_LENGTH[field]).trim() : v;
}

/** The raw value of the label on line i: the rest of that line, running on to the next label for a description. */
function valueAt(lines: string[], i: number, field: Field, first: string): string {
  if (field === 'description') {
    const parts = [first];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (labelled(line) || SIGNATURE.test(line)) break;
      parts.push(line);
    }
    return parts.join('\n');
  }
  if (clean(first) !== '') return first;
  // A label alone on its line: the value is on the next line, or the one after a blank line.
  for (let j = i + 1; j < lines.length && j <= i + 2; j++) {
    const line = lines[j] ?? '';
    if (line.trim() === '') continue;
    return labelled(line) || SIGNATURE.test(line) ? '' : line;
  }
  return '';
}

export function extractRequesterFields(text: string): RequesterFields {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((line) => !QUOTED.test(line));
  const found: RequesterFields = {};
  for (let i = 0; i < lines.length; i++) {
    const hit = labelled(lines[i] ?? '');
    // The first occurrence of a label wins; a later one is usually quoted history or a template example.
    if (!hit || found[hit.field] !== undefined) continue;
    const value = normalize(hit.field, valueAt(lines, i, hit.field, hit.value));
    if (value !== null) found[hit.field] = value;
  }
  return found;
}
