import { AppError, ErrorCode } from '@mesa/core';
import { ApiError } from '../api';
import { t } from '../i18n';

interface Issue {
  path: string;
  code?: string;
}

/** The fields a validation error names (zod's issue paths, as core's mutators and the API report them). */
export function invalidPaths(error: unknown): string[] {
  if (!(error instanceof AppError || error instanceof ApiError) || error.code !== ErrorCode.VALIDATION_FAILED)
    return [];
  const issues = (error.details as { issues?: Issue[] } | undefined)?.issues ?? [];
  return [...new Set(issues.map((i) => i.path).filter(Boolean))];
}

/**
 * A validation error restated with the form's own labels ("Check these fields: Requester's name"), so the
 * user knows where to look; null when the error names none of the form's fields.
 */
export function namingFields(error: unknown, labels: Record<string, string>): ApiError | null {
  const named = invalidPaths(error).filter((p) => p in labels);
  if (named.length === 0) return null;
  const message = t('form.checkFields', { fields: named.map((p) => labels[p]).join(', ') });
  return new ApiError({ code: 'VALIDATION_FAILED', message, status: 0, details: (error as AppError).details });
}
