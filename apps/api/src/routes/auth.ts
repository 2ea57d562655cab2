import { getConnInfo } from '@hono/node-server/conninfo';
import { createRoute } from '@hono/zod-openapi';
import { forgotPasswordInput, loginInput, registerInput, resetPasswordInput, tokenInput, userSchema } from '@mesa/core';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { clearSessionCookie, clientIp, setSessionCookie } from '../http/session';
import { requireActor } from '../services/access';
import { forgotPassword, login, register, resetPassword, verifyEmail } from '../services/auth-service';
import { createSession, deleteSession } from '../services/session-service';
import { getUser } from '../services/user-service';

const tags = ['auth'];
const userBody = z.object({ user: userSchema });

const socketIp = (c: Parameters<typeof getConnInfo>[0]): string | undefined => {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // in-process requests (tests) have no socket
  }
};

export function authRoutes(deps: Deps) {
  const db = deps.database.db;
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/register',
        tags,
        summary: 'Customer self-registration; sends a verification e-mail',
        request: { body: jsonBody(registerInput) },
        responses: { 201: json(userBody, 'Registered, e-mail not yet verified'), ...errorResponses },
      }),
      async (c) => {
        const user = await register(db, c.req.valid('json'), deps.publicUrl);
        return c.json({ user }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/verify-email',
        tags,
        summary: 'Confirm an e-mail address with the token from the link',
        request: { body: jsonBody(tokenInput) },
        responses: { 200: json(userBody), ...errorResponses },
      }),
      async (c) => c.json({ user: await verifyEmail(db, c.req.valid('json').token) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/login',
        tags,
        summary: 'Log in; sets the session cookie',
        request: { body: jsonBody(loginInput) },
        responses: { 200: json(userBody), ...errorResponses },
      }),
      async (c) => {
        const user = await login(db, c.req.valid('json'), clientIp(c, deps.env.TRUST_PROXY, socketIp(c)));
        const session = await createSession(db, user.id, deps.env.SESSION_DAYS);
        setSessionCookie(c, deps, session.token, session.expiresAt);
        return c.json({ user }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/logout',
        tags,
        summary: 'End the current session',
        responses: { 204: { description: 'Logged out' }, ...errorResponses },
      }),
      async (c) => {
        const actor = c.get('actor');
        if (actor) await deleteSession(db, actor.sessionHash);
        clearSessionCookie(c);
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/me',
        tags,
        summary: 'The logged-in user',
        responses: { 200: json(userBody), ...errorResponses },
      }),
      async (c) => {
        const user = await getUser(db, requireActor(c.get('actor')).id);
        return c.json({ user }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/forgot-password',
        tags,
        summary: 'Send a password reset link (always 202, so accounts cannot be probed)',
        request: { body: jsonBody(forgotPasswordInput) },
        responses: { 202: { description: 'If the account exists, a link is on its way' }, ...errorResponses },
      }),
      async (c) => {
        await forgotPassword(db, c.req.valid('json').email, deps.publicUrl);
        return c.body(null, 202);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/reset-password',
        tags,
        summary: 'Set a new password with the token from the link; ends other sessions',
        request: { body: jsonBody(resetPasswordInput) },
        responses: { 200: json(userBody), ...errorResponses },
      }),
      async (c) => {
        const { token, password } = c.req.valid('json');
        return c.json({ user: await resetPassword(db, token, password) }, 200);
      },
    );
}
