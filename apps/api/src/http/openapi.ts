import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, ErrorCode } from '@mesa/core';
import { z } from 'zod';
import type { AppEnv } from './context';
import { zodDetails } from './errors';

/** Every router validates with the core schemas and fails with the one error shape. */
export const router = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new AppError(ErrorCode.VALIDATION_FAILED, 'invalid input', zodDetails(result.error));
    },
  });

export const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string(),
  }),
});

const errorContent = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

/** The error responses every route can give, for the OpenAPI document. */
export const errorResponses = {
  400: errorContent('Bad input (VALIDATION_FAILED, MALFORMED_JSON, BAD_CURSOR, INVALID_TOKEN)'),
  401: errorContent('Not logged in (UNAUTHENTICATED, INVALID_CREDENTIALS)'),
  403: errorContent('Not allowed (FORBIDDEN, TRANSITION_NOT_ALLOWED, EMAIL_NOT_VERIFIED)'),
  404: errorContent('Not found or not visible to the caller'),
  409: errorContent('Conflict (VERSION_CONFLICT, EMAIL_TAKEN)'),
  413: errorContent('Request body too large'),
  422: errorContent('Refused by a business rule (INVALID_TRANSITION, REFERENCE_NOT_FOUND)'),
  429: errorContent('Too many attempts'),
} as const;

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
