import type { Database } from '@mesa/api/db/client';
import { makeUser } from '@mesa/api/db/factories';
import { outbox } from '@mesa/api/db/schema';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { loginCookie, request } from '../support/http';
import { expectError, writeCounts } from '../support/tickets';
import { buildWorld, PASSWORD } from '../support/world';

let database: Database;
let app: ReturnType<typeof testApp>;

beforeAll(async () => {
  database = await openTestDatabase();
  await buildWorld(database);
  app = testApp(database);
});
afterAll(() => database.close());

/** The links mailed to one address, oldest first. */
const mailsTo = async (kind: 'verify_email' | 'reset_password', to: string) =>
  (
    await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, kind), sql`${outbox.payload}->>'to' = ${to}`))
      .orderBy(outbox.id)
  ).map((row) => row.payload as { link: string; to: string; userId: string });

const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

const registration = (over: Record<string, unknown> = {}) => ({
  email: 'Nuevo@Cliente.test',
  password: 'una-clave-larga',
  name: 'Nuevo Cliente',
  language: 'en',
  ...over,
});

describe('register and verify', () => {
  it('registers a customer, mails a verification link, and allows login only once verified', async () => {
    const anon = client(app);
    const r = await anon.post('/api/auth/register', registration());
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ email: 'nuevo@cliente.test', role: 'customer', emailVerified: false });

    const mails = await mailsTo('verify_email', 'nuevo@cliente.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.link).toMatch(/^http:\/\/mesa\.test\/verify\?token=[\w-]{20,}$/);
    expect(mails[0]!.userId).toBe(r.body.user.id);
    const token = tokenOf(mails[0]!.link);

    expectError(
      await anon.post('/api/auth/login', { email: 'nuevo@cliente.test', password: 'una-clave-larga' }),
      403,
      'EMAIL_NOT_VERIFIED',
    );
    const verified = await anon.post('/api/auth/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: 'nuevo@cliente.test', emailVerified: true });
    expectError(await anon.post('/api/auth/verify-email', { token }), 400, 'INVALID_TOKEN');

    await anon.login('NUEVO@cliente.test', 'una-clave-larga');
    const me = await anon.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: r.body.user.id, emailVerified: true });
  });

  it('refuses a taken e-mail and bad input, writing nothing', async () => {
    const anon = client(app);
    const before = await writeCounts(database);
    expectError(await anon.post('/api/auth/register', registration({ email: 'ANA@acme.test' })), 409, 'EMAIL_TAKEN');
    for (const body of [
      registration({ email: 'not-an-email' }),
      registration({ password: 'short' }),
      registration({ name: 'x'.repeat(10_000) }),
      registration({ name: 42 }),
      registration({ language: 'fr' }),
      registration({ role: 'admin' }),
      registration({ name: 'Nul\u0000Byte', email: 'nul@cliente.test' }),
    ]) {
      expectError(await anon.post('/api/auth/register', body), 400, 'VALIDATION_FAILED');
    }
    expectError(await anon.raw('POST', '/api/auth/register', '{"email": "a@b.test",'), 400, 'MALFORMED_JSON');
    const asText = await request(app, 'POST', '/api/auth/register', {
      contentType: 'text/plain',
      body: JSON.stringify(registration({ email: 'text@cliente.test' })),
    });
    expectError(asText, 400, 'MALFORMED_JSON');
    expect(await writeCounts(database)).toEqual(before);
  });

  it('gives one 201 and EMAIL_TAKEN (never a 5xx) to simultaneous registrations of one e-mail', async () => {
    const replies = await Promise.all(
      Array.from({ length: 4 }, () =>
        client(app).post('/api/auth/register', registration({ email: 'twin@cliente.test' })),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status !== 201)) expectError(r, 409, 'EMAIL_TAKEN');
    expect(await mailsTo('verify_email', 'twin@cliente.test')).toHaveLength(1);
  });

  it('refuses unknown and malformed verification tokens', async () => {
    const anon = client(app);
    expectError(await anon.post('/api/auth/verify-email', { token: 'a'.repeat(43) }), 400, 'INVALID_TOKEN');
    expectError(await anon.post('/api/auth/verify-email', { token: 'short' }), 400, 'VALIDATION_FAILED');
    expectError(await anon.post('/api/auth/verify-email', { token: 'a'.repeat(5000) }), 400, 'VALIDATION_FAILED');
  });
});

describe('login, session and logout', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie; logout ends the session on the server', async () => {
    const { cookie, setCookie } = await loginCookie(app, 'bob@acme.test');
    expect(setCookie).toMatch(/^mesa_session=[\w-]{20,};/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(setCookie).toMatch(/;\s*Path=\//);
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    const https = await request(app, 'POST', 'https://mesa.test/api/auth/login', {
      contentType: 'application/json',
      body: JSON.stringify({ email: 'bob@acme.test', password: PASSWORD }),
    });
    expect(https.headers.get('set-cookie')).toMatch(/;\s*Secure/i);

    expect((await request(app, 'GET', '/api/auth/me', { cookie })).body.user.email).toBe('bob@acme.test');
    const out = await request(app, 'POST', '/api/auth/logout', { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^mesa_session=;.*Max-Age=0/i);
    // Replaying the old cookie must not work: the session is gone, not just the browser's copy.
    expectError(await request(app, 'GET', '/api/auth/me', { cookie }), 401, 'UNAUTHENTICATED');
  });

  it('me without a session, or with a made-up one, is UNAUTHENTICATED', async () => {
    expectError(await client(app).get('/api/auth/me'), 401, 'UNAUTHENTICATED');
    const forged = await request(app, 'GET', '/api/auth/me', { cookie: `mesa_session=${'x'.repeat(43)}` });
    expectError(forged, 401, 'UNAUTHENTICATED');
  });

  it('answers INVALID_CREDENTIALS alike for a wrong password and an unknown e-mail', async () => {
    const anon = client(app);
    expectError(
      await anon.post('/api/auth/login', { email: 'pat@globex.test', password: 'wrong-pass' }),
      401,
      'INVALID_CREDENTIALS',
    );
    expectError(
      await anon.post('/api/auth/login', { email: 'nobody@globex.test', password: PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    expectError(await anon.post('/api/auth/login', { email: 'pat@globex.test' }), 400, 'VALIDATION_FAILED');
    expectError(
      await anon.post('/api/auth/login', { email: 'pat@globex.test', password: PASSWORD, remember: true }),
      400,
      'VALIDATION_FAILED',
    );
    const huge = { email: 'pat@globex.test', password: 'x'.repeat(201) };
    expectError(await anon.post('/api/auth/login', huge), 400, 'VALIDATION_FAILED');
    expectError(await anon.raw('POST', '/api/auth/login', '{"email":"pat@globex.test"'), 400, 'MALFORMED_JSON');
    expectError(await anon.get('/api/auth/me'), 401, 'UNAUTHENTICATED');
  });

  it('locks an e-mail after 5 wrong passwords, even against the right one, with Retry-After', async () => {
    await makeUser(database.db, { email: 'lock@t.test' });
    const anon = client(app);
    for (let i = 0; i < 5; i++) {
      expectError(
        await anon.post('/api/auth/login', { email: 'lock@t.test', password: `wrong-${i}` }),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    const locked = await anon.post('/api/auth/login', { email: 'LOCK@t.test', password: PASSWORD });
    const { details } = expectError(locked, 429, 'RATE_LIMITED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(details.retryAfterSeconds).toBe(retryAfter);
    expect(locked.headers.get('set-cookie')).toBeNull();
    // Another account is not affected.
    await client(app).login('pat@globex.test');
  });

  it('answers in Spanish when asked', async () => {
    const es = client(app, 'es');
    const r = await es.post('/api/auth/login', { email: 'nadie@globex.test', password: PASSWORD });
    expectError(r, 401, 'INVALID_CREDENTIALS');
    expect(r.body.error.message).toBe('Correo o clave incorrectos.');
    expect((await es.get('/api/auth/me')).body.error.message).toBe('Inicie sesión para continuar.');
    expect((await client(app, 'en').get('/api/auth/me')).body.error.message).toBe('Please log in to continue.');
  });
});

describe('forgot and reset password', () => {
  it('answers 202 for known and unknown e-mails, and mails only the known one', async () => {
    const anon = client(app);
    const before = await writeCounts(database);
    const known = await anon.post('/api/auth/forgot-password', { email: 'Bob@Acme.test' });
    const unknown = await anon.post('/api/auth/forgot-password', { email: 'ghost@acme.test' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(await mailsTo('reset_password', 'bob@acme.test')).toHaveLength(1);
    expect(await mailsTo('reset_password', 'ghost@acme.test')).toHaveLength(0);
    expect((await writeCounts(database)).outbox).toBe(before.outbox + 1);
    expectError(await anon.post('/api/auth/forgot-password', { email: 'nope' }), 400, 'VALIDATION_FAILED');
  });

  it('resets with the token: new password works, old does not, other sessions end, token is single-use', async () => {
    await makeUser(database.db, { email: 'reset@t.test' });
    const elsewhere = await client(app).login('reset@t.test');
    expect((await elsewhere.get('/api/auth/me')).status).toBe(200);

    const anon = client(app);
    expect((await anon.post('/api/auth/forgot-password', { email: 'reset@t.test' })).status).toBe(202);
    const [mail] = await mailsTo('reset_password', 'reset@t.test');
    expect(mail!.link).toMatch(/^http:\/\/mesa\.test\/reset\?token=/);
    const token = tokenOf(mail!.link);

    // A refused request does not burn the token.
    expectError(await anon.post('/api/auth/reset-password', { token, password: 'short' }), 400, 'VALIDATION_FAILED');
    const reset = await anon.post('/api/auth/reset-password', { token, password: 'otra-clave-nueva' });
    expect(reset.status).toBe(200);
    expect(reset.body.user).toMatchObject({ email: 'reset@t.test' });

    expectError(await elsewhere.get('/api/auth/me'), 401, 'UNAUTHENTICATED');
    expectError(
      await anon.post('/api/auth/login', { email: 'reset@t.test', password: PASSWORD }),
      401,
      'INVALID_CREDENTIALS',
    );
    await client(app).login('reset@t.test', 'otra-clave-nueva');
    expectError(
      await anon.post('/api/auth/reset-password', { token, password: 'tercera-clave' }),
      400,
      'INVALID_TOKEN',
    );
    await client(app).login('reset@t.test', 'otra-clave-nueva');
  });

  it('refuses a verification token used as a reset token', async () => {
    const anon = client(app);
    expect((await anon.post('/api/auth/register', registration({ email: 'mixup@cliente.test' }))).status).toBe(201);
    const [mail] = await mailsTo('verify_email', 'mixup@cliente.test');
    const r = await anon.post('/api/auth/reset-password', { token: tokenOf(mail!.link), password: 'alguna-clave' });
    expectError(r, 400, 'INVALID_TOKEN');
  });
});
