import { z } from 'zod';
import { optionalText, storableText } from './common';
import { articleKindSchema, ticketStatusSchema } from './enums';

/** The most one note may book: a day. */
export const MAX_NOTE_MINUTES = 1440;

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
  /** Minutes this note's work took; rows synced before the field existed lack it. */
  timeSpentMinutes: z.number().int().nullable().optional(),
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
  /** Time the work took, in minutes: an increment, so notes from two devices add up. */
  timeSpentMinutes: z.number().int().min(1).max(MAX_NOTE_MINUTES).optional(),
});
export type CreateArticleInput = z.infer<typeof createArticleInput>;
