import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, ErrorCode, type ErrorStatus, errorStatus } from '@mesa/core';
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

const allCodes = Object.values(ErrorCode) as ErrorCode[];

const errorSchemaOf = (codes: readonly ErrorCode[]) =>
  z.object({
    error: z.object({
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  });

export const errorSchema = errorSchemaOf(allCodes);

/** What each status means to a caller; the codes under it come from core's one code → status map. */
const statusMeaning: Record<ErrorStatus, string> = {
  400: 'Bad input',
  401: 'Not logged in',
  403: 'Not allowed',
  404: 'Not found or not visible to the caller',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request body too large',
  422: 'Refused by a business rule',
  426: 'Client upgrade required',
  429: 'Too many attempts',
  500: 'Internal error',
  503: 'Service unavailable',
};

/**
 * The error responses every route can give, for the OpenAPI document: one per status of core's map, each
 * listing (and typing) exactly the codes that answer with it, so a new code documents itself.
 */
export const errorResponses = Object.fromEntries(
  (Object.keys(statusMeaning).map(Number) as ErrorStatus[])
    .map((status) => [status, allCodes.filter((c) => errorStatus[c] === status)] as const)
    .filter(([, codes]) => codes.length > 0)
    .map(([status, codes]) => [
      status,
      {
        description: `${statusMeaning[status]} (${codes.join(', ')})`,
        content: { 'application/json': { schema: errorSchemaOf(codes) } },
      },
    ]),
) as Record<ErrorStatus, { description: string; content: { 'application/json': { schema: typeof errorSchema } } }>;

export const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
