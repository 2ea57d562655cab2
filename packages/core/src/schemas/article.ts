import { z } from 'zod';
import { optionalText, storableText } from './common';
import { articleKindSchema, ticketStatusSchema } from './enums';

export const articleSchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  kind: articleKindSchema,
  authorId: z.string().nullable(),
  authorName: z.string().nullable(),
  body: z.string(),
  nextStatus: ticketStatusSchema.nullable(),
  realProblem: z.string().nullable(),
  realSolution: z.string().nullable(),
  createdAt: z.string(),
});
export type Article = z.infer<typeof articleSchema>;

/**
 * Seed 001: an agent's note can set the next state ("Siguiente Estado: Atendido")
 * and record the real problem and the real solution.
 */
export const createArticleInput = z.strictObject({
  kind: z.enum(['public_reply', 'internal_note']),
  body: storableText().trim().min(1).max(50_000),
  nextStatus: ticketStatusSchema.optional(),
  realProblem: optionalText(5000).optional(),
  realSolution: optionalText(5000).optional(),
});
export type CreateArticleInput = z.infer<typeof createArticleInput>;
