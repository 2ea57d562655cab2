import { mayReadAttachment } from './article-visibility';
import { AppError, ErrorCode } from './errors';
import { type ArticleKind, isStaff, type Role } from './schemas/enums';

/**
 * Who may write what on a ticket's conversation, written once: the device's optimistic apply and the
 * server's services run these same checks, so a note the device accepts is one the server accepts.
 */

/** Seed 001: staff notes may set the next state, record the real problem and solution and the time spent; nobody else's. */
export const staffOnlyArticleFields = ['nextStatus', 'realProblem', 'realSolution', 'timeSpentMinutes'] as const;

export interface ArticleDraft {
  kind: ArticleKind;
  nextStatus?: unknown;
  realProblem?: unknown;
  realSolution?: unknown;
  timeSpentMinutes?: unknown;
}

/**
 * Customers write public replies only: never an internal note, never the staff fields. Throws
 * FORBIDDEN naming the refused fields.
 */
export function assertMayWriteArticle(role: Role, draft: ArticleDraft): void {
  if (isStaff(role)) return;
  const refused: string[] = staffOnlyArticleFields.filter((f) => draft[f] !== undefined);
  if (draft.kind !== 'public_reply') refused.push('kind');
  if (refused.length > 0) throw new AppError(ErrorCode.FORBIDDEN, 'staff-only fields', { fields: refused });
}

/**
 * A file goes only where its uploader could read it: a customer never attaches to an internal note
 * (they could not see the note, and the file would reach staff as if part of it).
 */
export function assertMayAttachTo(role: Role, articleKind: ArticleKind): void {
  if (!mayReadAttachment(role, articleKind)) throw new AppError(ErrorCode.FORBIDDEN);
}
