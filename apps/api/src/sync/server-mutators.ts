import { attachmentOf, type ParsedMutation } from '@mesa/core';
import type { Db } from '../db/client';
import type { Actor } from '../http/context';
import type { Reference } from '../services/reference-service';
import { addArticle } from '../services/ticket-articles';
import { addAttachmentMeta } from '../services/ticket-attachments';
import { assignTicket, changeStatus, changeTicket } from '../services/ticket-commands';
import { createTicket } from '../services/ticket-create';

/** The server half of each mutator: the same services, access rules and state machine as REST; nothing here writes. */
export async function applyOnServer(db: Db, reference: Reference, actor: Actor, m: ParsedMutation): Promise<void> {
  switch (m.name) {
    case 'updateTicketFields@1':
      await changeTicket(db, reference, actor, { id: m.args.ticketId }, m.args.changes, { seen: m.args.seen });
      return;
    case 'changeStatus@1':
      await changeStatus(db, actor, { id: m.args.ticketId }, m.args.to, m.args.note);
      return;
    case 'addNote@1': {
      const { id, ticketId, ...input } = m.args;
      await addArticle(db, actor, { id: ticketId }, input, id);
      return;
    }
    case 'addAttachment@1':
    case 'captureSignature@1':
      await addAttachmentMeta(db, actor, attachmentOf(m));
      return;
    case 'createTicket@1': {
      const { id, ...input } = m.args;
      await createTicket(db, reference, actor, input, { id });
      return;
    }
    case 'assignTicket@1': {
      const { ticketId, noteId, ...input } = m.args;
      await assignTicket(db, actor, { id: ticketId }, input, noteId);
      return;
    }
  }
}
