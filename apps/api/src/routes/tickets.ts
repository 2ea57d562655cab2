import { createRoute } from '@hono/zod-openapi';
import {
  assignTicketInput,
  closeTicketInput,
  createTicketInput,
  listOf,
  reopenTicketInput,
  ticketListQuery,
  ticketNumberSchema,
  ticketSchema,
  updateTicketInput,
} from '@mesa/core';
import { z } from 'zod';
import { listSlots } from '../db/work-slots';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { requireActor } from '../services/access';
import { assignTicket, closeTicket, deleteTicket, reopenTicket, updateTicket } from '../services/ticket-commands';
import { createTicket } from '../services/ticket-create';
import { getTicket, listTickets } from '../services/ticket-query';

const tags = ['tickets'];
// People type numbers in any case (t-000042); the canonical form is upper case.
export const numberParam = z.strictObject({
  number: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), ticketNumberSchema),
});

export function ticketRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/tickets',
        tags,
        summary: 'Open a ticket (customer on the web; staff for a customer, e.g. a phone call)',
        request: { body: jsonBody(createTicketInput) },
        responses: { 201: json(ticketSchema, 'Created'), ...errorResponses },
      }),
      async (c) =>
        c.json(await createTicket(db, deps.reference, requireActor(c.get('actor')), c.req.valid('json')), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/tickets',
        tags,
        summary: 'Tickets in the caller’s scope, first come first served within priority',
        request: { query: ticketListQuery },
        responses: { 200: json(listOf(ticketSchema)), ...errorResponses },
      }),
      async (c) => {
        const actor = requireActor(c.get('actor'));
        const query = c.req.valid('query');
        // A list scans many rows (a search, all of them): a few at once, the rest wait for a slot, not a connection.
        return c.json(await listSlots(db).run(() => listTickets(db, actor, query)), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/tickets/{number}',
        tags,
        summary: 'One ticket by its number (410 TICKET_DELETED once deleted)',
        request: { params: numberParam },
        responses: { 200: json(ticketSchema), ...errorResponses },
      }),
      async (c) => c.json(await getTicket(db, requireActor(c.get('actor')), c.req.valid('param').number), 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/tickets/{number}',
        tags,
        summary: 'Delete a ticket (supervisors and admins); devices drop it on their next sync',
        request: { params: numberParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      async (c) => {
        await deleteTicket(db, requireActor(c.get('actor')), c.req.valid('param').number);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/tickets/{number}',
        tags,
        summary: 'Update fields (with the version last seen); status goes through the state machine',
        request: { params: numberParam, body: jsonBody(updateTicketInput) },
        responses: { 200: json(ticketSchema), ...errorResponses },
      }),
      async (c) => {
        const actor = requireActor(c.get('actor'));
        return c.json(
          await updateTicket(db, deps.reference, actor, c.req.valid('param').number, c.req.valid('json')),
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/tickets/{number}/assign',
        tags,
        summary: 'Change owner and/or support tier',
        request: { params: numberParam, body: jsonBody(assignTicketInput) },
        responses: { 200: json(ticketSchema), ...errorResponses },
      }),
      async (c) =>
        c.json(
          await assignTicket(db, requireActor(c.get('actor')), c.req.valid('param').number, c.req.valid('json')),
          200,
        ),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/tickets/{number}/close',
        tags,
        summary: 'Close (customers close their own tickets; technicians may not close)',
        request: { params: numberParam, body: jsonBody(closeTicketInput) },
        responses: { 200: json(ticketSchema), ...errorResponses },
      }),
      async (c) =>
        c.json(
          await closeTicket(db, requireActor(c.get('actor')), c.req.valid('param').number, c.req.valid('json').note),
          200,
        ),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/tickets/{number}/reopen',
        tags,
        summary: 'Reopen a resolved or closed ticket',
        request: { params: numberParam, body: jsonBody(reopenTicketInput) },
        responses: { 200: json(ticketSchema), ...errorResponses },
      }),
      async (c) =>
        c.json(
          await reopenTicket(db, requireActor(c.get('actor')), c.req.valid('param').number, c.req.valid('json').reason),
          200,
        ),
    );
}
