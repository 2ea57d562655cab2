import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, ErrorCode } from '@mesa/core';
import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { AppEnv, Deps } from './http/context';
import { errorResponse, onError } from './http/errors';
import { pickLanguage } from './http/language';
import { originGuard } from './http/origin-guard';
import { securityHeaders } from './http/security-headers';
import { sessionMiddleware } from './http/session';
import { mountWeb } from './http/web-static';
import { attachmentUploadRoutes, isAttachmentUpload } from './routes/attachment-upload';
import { attachmentRoutes } from './routes/attachments';
import { authRoutes } from './routes/auth';
import { departmentRoutes } from './routes/departments';
import { directoryRoutes } from './routes/directory';
import { healthRoutes } from './routes/health';
import { lookupRoutes } from './routes/lookup';
import { mailInboundRoutes } from './routes/mail-inbound';
import { mailOutboxRoutes } from './routes/mail-outbox';
import { settingsRoutes } from './routes/settings';
import { syncRoutes } from './routes/sync';
import { syncEventRoutes } from './routes/sync-events';
import { ticketArticleRoutes } from './routes/ticket-articles';
import { ticketRoutes } from './routes/tickets';
import { userRoutes } from './routes/users';

/** Largest JSON body any route accepts; attachments travel on their own route. */
export const MAX_BODY_BYTES = 256 * 1024;

export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestId());
  app.use('*', securityHeaders('/api/docs'));
  app.use('/api/*', async (c, next) => {
    // Set before anything can fail, so even a 413 speaks the caller's language.
    c.set('lang', pickLanguage(c.req.header('accept-language'), 'es'));
    c.set('actor', null);
    await next();
  });
  // Before the body is read or the session loaded: another site's page changes nothing.
  app.use('*', originGuard(deps));
  const jsonBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'body too large', { maxBytes: MAX_BODY_BYTES });
    },
  });
  // The upload route reads its bytes with its own, larger limits.
  app.use('/api/*', (c, next) => (isAttachmentUpload(c.req.method, c.req.path) ? next() : jsonBodyLimit(c, next)));
  app.use('/api/*', sessionMiddleware(deps));

  for (const routes of [
    healthRoutes,
    authRoutes,
    userRoutes,
    departmentRoutes,
    directoryRoutes,
    lookupRoutes,
    settingsRoutes,
    ticketRoutes,
    ticketArticleRoutes,
    attachmentRoutes,
    attachmentUploadRoutes,
    mailOutboxRoutes,
    mailInboundRoutes,
    syncRoutes,
    syncEventRoutes,
  ]) {
    app.route('/api', routes(deps));
  }

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Mesa helpdesk API',
      version: '0.1.0',
      description:
        'Errors always have the shape { error: { code, message, details?, requestId } }; branch on `code`. ' +
        'Messages follow Accept-Language (es, en). Authentication is the HttpOnly session cookie set by /api/auth/login.',
    },
  });
  app.get('/api/docs', Scalar({ url: '/api/openapi.json', pageTitle: 'Mesa API' }));
  app.all('/api/*', (c) => errorResponse(c, new AppError(ErrorCode.NOT_FOUND)));

  const dist = deps.env.WEB_DIST;
  if (dist && existsSync(join(dist, 'index.html'))) {
    mountWeb(app, dist);
  }

  app.onError(onError(deps.log));
  return app;
}

export type App = ReturnType<typeof createApp>;
