import type { z } from 'zod';

export interface NumberRange {
  min: number;
  max: number;
}

type Walkable = {
  shape?: Record<string, unknown>;
  minValue?: number | null;
  maxValue?: number | null;
  _zod: { def: { type: string; innerType?: unknown; valueType?: unknown; element?: unknown; in?: unknown } };
};

/**
 * The .min/.max of the number a schema holds at `path` (a zod issue's path), or null when that is not a
 * bounded number. Lets an error name a field's whole range from the one schema that defines it.
 */
export function numberRangeAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): NumberRange | null {
  let at = schema as unknown as Walkable | undefined;
  const keys = [...path];
  while (at) {
    const def = at._zod.def;
    if (['optional', 'nullable', 'default', 'readonly', 'catch', 'prefault'].includes(def.type)) {
      at = def.innerType as Walkable;
    } else if (def.type === 'pipe') {
      at = def.in as Walkable;
    } else if (keys.length === 0) {
      if (def.type !== 'number') return null;
      const { minValue, maxValue } = at;
      return typeof minValue === 'number' && typeof maxValue === 'number' && Number.isFinite(minValue + maxValue)
        ? { min: minValue, max: maxValue }
        : null;
    } else {
      const key = keys.shift() as PropertyKey;
      if (def.type === 'object') at = at.shape?.[String(key)] as Walkable | undefined;
      else if (def.type === 'record') at = def.valueType as Walkable;
      else if (def.type === 'array') at = def.element as Walkable;
      else return null;
    }
  }
  return null;
}
