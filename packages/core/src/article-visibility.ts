import { type ArticleKind, articleKinds, isStaff, type Role } from './schemas/enums';

/**
 * "A customer may see this article", written once. REST reads, sync pulls, attachment bytes and the
 * mail sent to customers all use these (the API's SQL forms are generated from
 * `customerArticleKinds`); the NOTIFY trigger's copy is tied to them by a test over every kind.
 */

/** The conversation: every kind but internal notes. */
export const customerArticleKinds: readonly ArticleKind[] = articleKinds.filter((k) => k !== 'internal_note');

export const mayReadArticle = (role: Role, kind: ArticleKind): boolean =>
  isStaff(role) || customerArticleKinds.includes(kind);

/**
 * A file follows its article; one on no article (a ticket's photo, a signature) is the ticket's own
 * and is seen by whoever sees the ticket.
 */
export const mayReadAttachment = (role: Role, articleKind: ArticleKind | null): boolean =>
  articleKind === null || mayReadArticle(role, articleKind);

/**
 * A ticket's history (every field change, who made it, conflict marks, internal notes' events) is the
 * staff's working record: the REST history and the sync pull both ask this. Customers follow their
 * ticket through its state and the conversation.
 */
export const mayReadHistory = (role: Role): boolean => isStaff(role);
