import { AppError, ErrorCode, numberRangeAt } from '@mesa/core';
import type { z } from 'zod';
import { zodDetails } from './errors';

/**
 * Validation for bodies whose numbers have documented ranges (settings): when every problem is a number
 * outside its range, the answer is 422 VALUE_OUT_OF_RANGE naming the first such field and its whole range
 * (from the schema's own .min/.max); anything else is the usual 400 VALIDATION_FAILED.
 */
export const rangeCheckedHook =
  (schema: z.ZodType) =>
  (result: { success: true } | { success: false; error: z.ZodError }): undefined => {
    if (result.success) return undefined;
    const ranges = result.error.issues.map((i) =>
      (i.code === 'too_big' || i.code === 'too_small') && (i.origin === 'number' || i.origin === 'int')
        ? { field: i.path.join('.'), range: numberRangeAt(schema, i.path) }
        : null,
    );
    const first = ranges[0];
    if (first?.range && ranges.every((r) => r?.range)) {
      throw new AppError(ErrorCode.VALUE_OUT_OF_RANGE, 'number out of range', { field: first.field, ...first.range });
    }
    throw new AppError(ErrorCode.VALIDATION_FAILED, 'invalid input', zodDetails(result.error));
  };
