import { createRoute } from '@hono/zod-openapi';
import { articleSchema, createArticleInput, ticketHistoryEntrySchema } from '@mesa/core';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { requireActor } from '../services/access';
import { addArticle } from '../services/ticket-articles';
import { listArticles, listHistory } from '../services/ticket-query';
import { numberParam } from './tickets';

const tags = ['tickets'];

export function ticketArticleRoutes(deps: Deps) {
  const { db } = deps.database;
  return router()
    .openapi(
      createRoute({
        method: 'get',
        path: '/tickets/{number}/articles',
        tags,
        summary: 'The conversation; customers do not see internal notes',
        request: { params: numberParam },
        responses: { 200: json(z.object({ items: z.array(articleSchema) })), ...errorResponses },
      }),
      async (c) =>
        c.json({ items: await listArticles(db, requireActor(c.get('actor')), c.req.valid('param').number) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/tickets/{number}/articles',
        tags,
        summary: 'Add a public reply or an internal note (staff: next state, real problem, real solution)',
        request: { params: numberParam, body: jsonBody(createArticleInput) },
        responses: { 201: json(articleSchema, 'Created'), ...errorResponses },
      }),
      async (c) =>
        c.json(
          await addArticle(db, requireActor(c.get('actor')), c.req.valid('param').number, c.req.valid('json')),
          201,
        ),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/tickets/{number}/history',
        tags,
        summary: 'Every field change with actor, time, old and new value (staff only)',
        request: { params: numberParam },
        responses: { 200: json(z.object({ items: z.array(ticketHistoryEntrySchema) })), ...errorResponses },
      }),
      async (c) =>
        c.json({ items: await listHistory(db, requireActor(c.get('actor')), c.req.valid('param').number) }, 200),
    );
}
