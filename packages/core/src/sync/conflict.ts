/** Structural equality for the JSON-like values ticket fields hold (arrays for cc, plain objects, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

export interface FieldConflict {
  field: string;
  /** The current value the write replaces, which the writer had not seen. */
  overwritten: unknown;
  /** What the writer believed the value was. */
  seen: unknown;
  /** What the write put in its place. */
  value: unknown;
}

/**
 * Fields this write changes whose current value differs from what the writer last saw: the write still wins
 * (last write wins per field), but history must record the overwritten value with a conflict mark.
 * Only fields present in both `changes` and `seen` are checked; a write that equals the current value is no conflict.
 */
export function fieldConflicts(
  seen: Record<string, unknown>,
  current: Record<string, unknown>,
  changes: Record<string, unknown>,
): FieldConflict[] {
  const out: FieldConflict[] = [];
  for (const field of Object.keys(changes)) {
    if (!Object.hasOwn(seen, field)) continue;
    const was = current[field];
    if (deepEqual(seen[field], was) || deepEqual(changes[field], was)) continue;
    out.push({ field, overwritten: was, seen: seen[field], value: changes[field] });
  }
  return out;
}

/**
 * Flattens nested objects one level into dotted keys (`requester.name`), so per-field last-write-wins and
 * conflict marking work on the requester's sub-fields. Arrays stay whole values.
 */
export function flattenFields(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) out[`${key}.${sub}`] = v;
      }
    } else if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}
