import { createRoute } from '@hono/zod-openapi';
import {
  forgotPasswordInput,
  loginInput,
  registerInput,
  resetPasswordInput,
  userSchema,
  verifyEmailInput,
} from '@mesa/core';
import { z } from 'zod';
import type { Deps } from '../http/context';
import { errorResponses, json, jsonBody, router } from '../http/openapi';
import { clearSessionCookie, deviceCookie, requestAddress, setDeviceCookie, setSessionCookie } from '../http/session';
import { requireActor } from '../services/access';
import { forgotPassword, login, register, resetPassword, verifyEmail } from '../services/auth-service';
import { rememberDevice } from '../services/device-service';
import { createSession, deleteSession } from '../services/session-service';
import { getUser } from '../services/user-service';

const tags = ['auth'];
const userBody = z.object({ user: userSchema });

const registered = z.object({ email: z.string() });

export function authRoutes(deps: Deps) {
  const db = deps.database.db;
  const ctx = (c: Parameters<typeof requestAddress>[0]) => ({
    db,
    log: deps.log,
    publicUrl: deps.publicUrl,
    address: requestAddress(c, deps),
  });
  return router()
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/register',
        tags,
        summary:
          'Customer self-registration: a new address gets a verification link, an existing account a mail to its owner (same answer)',
        request: { body: jsonBody(registerInput) },
        responses: { 202: json(registered, 'A mail is on its way to the address'), ...errorResponses },
      }),
      async (c) => c.json(await register(ctx(c), c.req.valid('json')), 202),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/verify-email',
        tags,
        summary:
          "Confirm an e-mail address with the link's token and the password chosen at sign-up (401 INVALID_CREDENTIALS if it is not that one; the link stays usable), or choose another with newPassword (the sign-up one is discarded)",
        request: { body: jsonBody(verifyEmailInput) },
        responses: { 200: json(userBody), ...errorResponses },
      }),
      async (c) => c.json({ user: await verifyEmail(db, c.req.valid('json')) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/login',
        tags,
        summary: 'Log in; sets the session cookie (and a remembered-device cookie with its own login allowance)',
        request: { body: jsonBody(loginInput) },
        responses: { 200: json(userBody), ...errorResponses },
      }),
      async (c) => {
        const { user, rememberDevice: remember } = await login(ctx(c), c.req.valid('json'), deviceCookie(c));
        const session = await createSession(db, user.id, deps.env.SESSION_DAYS);
        setSessionCookie(c, deps, session.token, session.expiresAt);
        if (remember) {
          const device = await rememberDevice(db, user.id);
          setDeviceCookie(c, deps, device.token, device.expiresAt);
        }
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
        summary:
          'Send a password reset link (202 for known and unknown addresses alike; 429 past 10 per client in 15 min)',
        request: { body: jsonBody(forgotPasswordInput) },
        responses: { 202: { description: 'If the account exists, a link is on its way' }, ...errorResponses },
      }),
      async (c) => {
        await forgotPassword(ctx(c), c.req.valid('json').email);
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
