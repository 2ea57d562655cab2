import type { Database } from '@mesa/api/db/client';
import { makeOrganization, makeUser } from '@mesa/api/db/factories';
import { loginThrottle, outbox, users } from '@mesa/api/db/schema';
import { afterResponseSettled } from '@mesa/api/services/after-response';
import { hashPassword } from '@mesa/api/services/password';
import { reserve } from '@mesa/api/services/throttle';
import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { loginCookie, request } from '../support/http';
import { expectError, writeCounts } from '../support/tickets';
import { buildWorld, PASSWORD } from '../support/world';

let database: Database;
let app: ReturnType<typeof testApp>;
/** The same API behind one trusted proxy, so tests can give each request a client address. */
let proxied: ReturnType<typeof testApp>;

beforeAll(async () => {
  database = await openTestDatabase();
  await buildWorld(database);
  app = testApp(database);
  proxied = testApp(database, { TRUST_PROXY: '1' });
});
afterAll(() => database.close());

/** The links mailed to one address, oldest first (after the mail work deferred past the answers). */
const mailsTo = async (kind: 'verify_email' | 'reset_password' | 'account_exists', to: string) => {
  await afterResponseSettled();
  return (
    await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, kind), sql`${outbox.payload}->>'to' = ${to}`))
      .orderBy(outbox.id)
  ).map((row) => row.payload as { link: string; to: string; userId: string });
};

/** A JSON POST from one client address (the proxy's X-Forwarded-For), with an optional cookie. */
const postFrom = (address: string, path: string, body: unknown, cookie?: string) =>
  request(proxied, 'POST', path, {
    contentType: 'application/json',
    body: JSON.stringify(body),
    headers: { 'x-forwarded-for': address },
    ...(cookie ? { cookie } : {}),
  });
const loginFrom = (address: string, email: string, password: string, cookie?: string) =>
  postFrom(address, '/api/auth/login', { email, password }, cookie);
/** The `name=value` of one cookie a reply set. */
const cookieOf = (r: { headers: Headers }, name: string) =>
  r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`));
const statuses = (replies: Array<{ status: number }>) => {
  const counts: Record<number, number> = {};
  for (const r of replies) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

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
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ email: 'nuevo@cliente.test' });

    const mails = await mailsTo('verify_email', 'nuevo@cliente.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.link).toMatch(/^http:\/\/mesa\.test\/verify\?token=[\w-]{20,}$/);
    const [created] = await database.db.select().from(users).where(eq(users.email, 'nuevo@cliente.test'));
    expect(created).toMatchObject({ name: 'Nuevo Cliente', role: 'customer', language: 'en', emailVerifiedAt: null });
    expect(mails[0]!.userId).toBe(created!.id);
    const token = tokenOf(mails[0]!.link);

    expectError(
      await anon.post('/api/auth/login', { email: 'nuevo@cliente.test', password: 'una-clave-larga' }),
      403,
      'EMAIL_NOT_VERIFIED',
    );
    // The link plus the password chosen at sign-up; a mistyped one leaves the link usable.
    expectError(
      await anon.post('/api/auth/verify-email', { token, password: 'una-clave-larga!' }),
      401,
      'INVALID_CREDENTIALS',
    );
    const verified = await anon.post('/api/auth/verify-email', { token, password: 'una-clave-larga' });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: 'nuevo@cliente.test', emailVerified: true });
    expectError(
      await anon.post('/api/auth/verify-email', { token, password: 'una-clave-larga' }),
      400,
      'INVALID_TOKEN',
    );

    await anon.login('NUEVO@cliente.test', 'una-clave-larga');
    const me = await anon.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: created!.id, emailVerified: true });
  });

  it('refuses bad input, writing nothing', async () => {
    const anon = client(app);
    const before = await writeCounts(database);
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

  it('gives the same 202 (never a 5xx) to simultaneous registrations of one e-mail, and creates one account', async () => {
    const replies = await Promise.all(
      Array.from({ length: 4 }, () =>
        client(app).post('/api/auth/register', registration({ email: 'twin@cliente.test' })),
      ),
    );
    expect(replies.map((r) => [r.status, r.body])).toEqual(Array(4).fill([202, { email: 'twin@cliente.test' }]));
    expect(await mailsTo('verify_email', 'twin@cliente.test')).toHaveLength(1);
    expect(await database.db.$count(users, eq(users.email, 'twin@cliente.test'))).toBe(1);
  });

  it('refuses unknown and malformed verification tokens', async () => {
    const anon = client(app);
    const password = 'una-clave-larga';
    expectError(await anon.post('/api/auth/verify-email', { token: 'a'.repeat(43), password }), 400, 'INVALID_TOKEN');
    expectError(await anon.post('/api/auth/verify-email', { token: 'short', password }), 400, 'VALIDATION_FAILED');
    expectError(
      await anon.post('/api/auth/verify-email', { token: 'a'.repeat(5000), password }),
      400,
      'VALIDATION_FAILED',
    );
    const both = await anon.post('/api/auth/verify-email', { token: 'a'.repeat(43), password, newPassword: password });
    expect(expectError(both, 400, 'VALIDATION_FAILED').details).toEqual({
      issues: [{ path: 'password', code: 'custom', message: expect.any(String) }],
    });
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

  it('refuses the 6th attempt in a row on one account from one address, even with the right password, with Retry-After', async () => {
    await makeUser(database.db, { email: 'lock@t.test' });
    for (let i = 0; i < 5; i++) {
      expectError(await loginFrom('198.51.100.1', 'lock@t.test', `wrong-${i}`), 401, 'INVALID_CREDENTIALS');
    }
    const locked = await loginFrom('198.51.100.1', 'LOCK@t.test', PASSWORD);
    const { details } = expectError(locked, 429, 'RATE_LIMITED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
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
    expect(known.body).toBeNull();
    expect(unknown.body).toBeNull();
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
    expect((await anon.post('/api/auth/register', registration({ email: 'mixup@cliente.test' }))).status).toBe(202);
    const [mail] = await mailsTo('verify_email', 'mixup@cliente.test');
    const r = await anon.post('/api/auth/reset-password', { token: tokenOf(mail!.link), password: 'alguna-clave' });
    expectError(r, 400, 'INVALID_TOKEN');
  });
});

describe('security', () => {
  describe('registration never takes over an existing person', () => {
    it('answers a contact from phone intake like a new address, changes nothing, and mails the owner a set-password link', async () => {
      const org = await makeOrganization(database.db, { name: 'Initech', membersSeeEachOther: true });
      const contact = await makeUser(database.db, {
        email: 'lucia@initech.test',
        name: 'Lucía Llamada',
        phone: '+34 600 111 222',
        organizationId: org.id,
        password: null,
        verified: false,
      });
      const anon = client(app);
      const taken = await anon.post(
        '/api/auth/register',
        registration({ email: 'Lucia@Initech.test', name: 'Atacante', password: 'clave-del-atacante', phone: '1' }),
      );
      const fresh = await anon.post('/api/auth/register', registration({ email: 'nadie-aun@initech.test' }));
      expect([taken.status, taken.body]).toEqual([202, { email: 'lucia@initech.test' }]);
      expect([fresh.status, Object.keys(fresh.body)]).toEqual([202, ['email']]);

      await afterResponseSettled();
      const [after] = await database.db.select().from(users).where(eq(users.id, contact.id));
      expect(after).toEqual(contact);
      expect(await mailsTo('verify_email', 'lucia@initech.test')).toEqual([]);
      const [owner] = await mailsTo('account_exists', 'lucia@initech.test');
      expect(owner!.userId).toBe(contact.id);
      expect(owner!.link).toMatch(/^http:\/\/mesa\.test\/reset\?token=[\w-]{20,}$/);

      // The attacker's password never logs in; the owner's own, set through the mailed link, does.
      expectError(
        await anon.post('/api/auth/login', { email: 'lucia@initech.test', password: 'clave-del-atacante' }),
        401,
        'INVALID_CREDENTIALS',
      );
      const set = await anon.post('/api/auth/reset-password', {
        token: tokenOf(owner!.link),
        password: 'clave-de-lucia',
      });
      expect(set.status).toBe(200);
      expect(set.body.user).toMatchObject({ id: contact.id, name: 'Lucía Llamada', phone: '+34 600 111 222' });
      await client(app).login('lucia@initech.test', 'clave-de-lucia');
      expectError(
        await anon.post('/api/auth/login', { email: 'lucia@initech.test', password: 'clave-del-atacante' }),
        401,
        'INVALID_CREDENTIALS',
      );
    });

    it('answers 202 (no EMAIL_TAKEN) for a customer or staff address, leaving the account as it was', async () => {
      const anon = client(app);
      for (const email of ['ana@acme.test', 'agent@t.test']) {
        const [before] = await database.db.select().from(users).where(eq(users.email, email));
        const r = await anon.post('/api/auth/register', registration({ email, password: 'otra-clave-cualquiera' }));
        expect([r.status, r.body]).toEqual([202, { email }]);
        expect(await mailsTo('account_exists', email)).toHaveLength(1);
        const [after] = await database.db.select().from(users).where(eq(users.email, email));
        expect(after).toEqual(before);
        await client(app).login(email);
      }
    });
  });

  describe("pre-registration of someone else's address", () => {
    it('a password chosen in an anonymous request never becomes usable without proof of it by the mailbox owner', async () => {
      const anon = client(app);
      const attack = registration({ email: 'victima@cliente.test', password: 'clave-del-atacante' });
      expect((await anon.post('/api/auth/register', attack)).status).toBe(202);
      const [mail] = await mailsTo('verify_email', 'victima@cliente.test');
      const token = tokenOf(mail!.link);
      const unverified = async () =>
        (await database.db.select().from(users).where(eq(users.email, 'victima@cliente.test')))[0]!.emailVerifiedAt;

      // The owner clicks without the attacker's password: the link alone, or a password of their own, verifies nothing.
      expect(
        expectError(await anon.post('/api/auth/verify-email', { token }), 400, 'VALIDATION_FAILED').details,
      ).toEqual({ issues: [{ path: 'password', code: 'custom', message: expect.any(String) }] });
      const guessed = await client(app, 'es').post('/api/auth/verify-email', {
        token,
        password: 'clave-de-la-victima',
      });
      expect(expectError(guessed, 401, 'INVALID_CREDENTIALS').details).toEqual({
        issues: [{ path: 'password', code: 'signup_password_mismatch', message: expect.any(String) }],
      });
      expect(await unverified()).toBeNull();
      expectError(
        await anon.post('/api/auth/login', { email: 'victima@cliente.test', password: 'clave-del-atacante' }),
        403,
        'EMAIL_NOT_VERIFIED',
      );

      // The link then works as a set-password link: the owner's own password replaces the pending one.
      expectError(await anon.post('/api/auth/verify-email', { token, newPassword: 'password' }), 422, 'WEAK_PASSWORD');
      const own = await anon.post('/api/auth/verify-email', { token, newPassword: 'clave-de-la-victima' });
      expect(own.status).toBe(200);
      expect(own.body.user).toMatchObject({ email: 'victima@cliente.test', emailVerified: true });
      expectError(
        await anon.post('/api/auth/verify-email', { token, password: 'clave-del-atacante' }),
        400,
        'INVALID_TOKEN',
      );
      expectError(
        await anon.post('/api/auth/login', { email: 'victima@cliente.test', password: 'clave-del-atacante' }),
        401,
        'INVALID_CREDENTIALS',
      );
      await client(app).login('victima@cliente.test', 'clave-de-la-victima');
    });
  });

  describe('login throttling', () => {
    it('lets exactly 5 of 40 parallel wrong logins from one address be checked; the rest are RATE_LIMITED', async () => {
      await makeUser(database.db, { email: 'parallel@t.test' });
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) => loginFrom('198.51.100.40', 'parallel@t.test', `wrong-${i}`)),
      );
      expect(statuses(replies)).toEqual({ 401: 5, 429: 35 });
      for (const r of replies.filter((x) => x.status === 429)) expectError(r, 429, 'RATE_LIMITED');
    });

    it('refuses the right password sent after 29 wrong ones at once', async () => {
      await makeUser(database.db, { email: 'burst@t.test' });
      const wrong = Array.from({ length: 29 }, (_, i) => loginFrom('198.51.100.29', 'burst@t.test', `wrong-${i}`));
      // "Followed by": the right one leaves once five of the wrong ones were counted, while they still hash.
      const counted = async () =>
        (
          await database.db
            .select({ failures: loginThrottle.failures })
            .from(loginThrottle)
            .where(eq(loginThrottle.key, 'login:pair:burst@t.test|198.51.100.29'))
        )[0]?.failures ?? 0;
      let polls = 0;
      while ((await counted()) < 5 && polls++ < 500) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await counted()).toBe(5);
      const right = loginFrom('198.51.100.29', 'burst@t.test', PASSWORD);
      const [rightReply, ...wrongReplies] = await Promise.all([right, ...wrong]);
      expectError(rightReply!, 429, 'RATE_LIMITED');
      expect(cookieOf(rightReply!, 'mesa_session')).toBeUndefined();
      expect(statuses(wrongReplies)).toEqual({ 401: 5, 429: 24 });
    });

    it('does not lock the owner out: 5 wrong passwords from one address leave every other address free', async () => {
      await makeUser(database.db, { email: 'owner@t.test' });
      for (let i = 0; i < 5; i++) {
        expectError(await loginFrom('203.0.113.66', 'owner@t.test', `guess-${i}`), 401, 'INVALID_CREDENTIALS');
      }
      expectError(await loginFrom('203.0.113.66', 'owner@t.test', PASSWORD), 429, 'RATE_LIMITED');
      expect((await loginFrom('192.0.2.10', 'owner@t.test', PASSWORD)).status).toBe(200);
    });

    it('slows an account guessed from many addresses with a delay of seconds, not a lockout', async () => {
      await makeUser(database.db, { email: 'sprayed@t.test' });
      // Ten free failures; then each attempt waits. (A slow machine may let one more through before the
      // first refusal: the delay counts from the last attempt's start, and hashing takes time.)
      const replies = [];
      for (let i = 0; i < 14; i++) {
        const r = await loginFrom(`203.0.113.${100 + i}`, 'sprayed@t.test', `guess-${i}`);
        replies.push(r);
        if (r.status === 429) break;
      }
      const refused = replies.at(-1)!;
      const { details } = expectError(refused, 429, 'RATE_LIMITED');
      expect(replies.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(401));
      expect(replies.length).toBeLessThanOrEqual(13);
      expect(details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(details.retryAfterSeconds).toBeLessThanOrEqual(8);
      // Not a lockout: once the delay has passed, the owner gets in from anywhere.
      await new Promise((resolve) => setTimeout(resolve, details.retryAfterSeconds * 1000 + 100));
      expect((await loginFrom('203.0.113.250', 'sprayed@t.test', PASSWORD)).status).toBe(200);
    });

    it('doubles the delay with each attempt past the free ones, up to its cap', async () => {
      const rule = { kind: 'delay', limit: 3, windowMinutes: 15, baseSeconds: 0.2, maxSeconds: 0.8 } as const;
      const key = 'test:delay-growth';
      const lockOf = async () =>
        (await database.db.select().from(loginThrottle).where(eq(loginThrottle.key, key)))[0]!.lockedUntil;
      const waits: number[] = [];
      for (let i = 0; i < 6; i++) {
        const before = Date.now();
        expect(await reserve(database.db, key, rule)).toEqual({ ok: true });
        const lock = await lockOf();
        if (i < 2) expect(lock).toBeNull();
        else {
          waits.push(lock!.getTime() - before);
          const refused = await reserve(database.db, key, rule);
          expect(refused.ok).toBe(false);
          await new Promise((resolve) => setTimeout(resolve, lock!.getTime() - Date.now() + 20));
        }
      }
      // Measured from just before the call, so each is the delay plus at most one round trip.
      const expected = [200, 400, 800, 800];
      expect(waits).toHaveLength(expected.length);
      waits.forEach((w, i) => {
        expect(w).toBeGreaterThanOrEqual(expected[i]! - 5);
        expect(w).toBeLessThan(expected[i]! + 150);
      });
    });

    it("gives a browser that logged in before its own allowance, so others' guesses do not slow its owner", async () => {
      await makeUser(database.db, { email: 'remembered@t.test' });
      const first = await loginFrom('192.0.2.50', 'remembered@t.test', PASSWORD);
      expect(first.status).toBe(200);
      const device = cookieOf(first, 'mesa_device');
      expect(device).toMatch(/^mesa_device=[\w-]{40,}$/);
      expect(first.headers.getSetCookie().find((c) => c.startsWith('mesa_device='))).toMatch(
        /Path=\/api\/auth; .*HttpOnly; .*SameSite=Lax/i,
      );
      for (let i = 0; i < 12; i++) {
        await loginFrom(`203.0.113.${20 + i}`, 'remembered@t.test', `guess-${i}`);
      }
      expectError(await loginFrom('192.0.2.51', 'remembered@t.test', PASSWORD), 429, 'RATE_LIMITED');
      const again = await loginFrom('192.0.2.51', 'remembered@t.test', PASSWORD, device);
      expect(again.status).toBe(200);
      expect(cookieOf(again, 'mesa_device')).toBeUndefined();
      // The cookie is bound to its account: it gives another account nothing.
      await makeUser(database.db, { email: 'neighbour@t.test' });
      for (let i = 0; i < 5; i++) await loginFrom('192.0.2.51', 'neighbour@t.test', `guess-${i}`, device);
      expectError(await loginFrom('192.0.2.51', 'neighbour@t.test', PASSWORD, device), 429, 'RATE_LIMITED');
    });

    it('refuses a blocked key from the throttle row alone, before hashing, changing nothing', async () => {
      await makeUser(database.db, { email: 'fast@t.test' });
      for (let i = 0; i < 5; i++) await loginFrom('198.51.100.5', 'fast@t.test', `wrong-${i}`);
      const rowOf = async () =>
        (
          await database.db
            .select()
            .from(loginThrottle)
            .where(eq(loginThrottle.key, 'login:pair:fast@t.test|198.51.100.5'))
        )[0];
      const blocked = await rowOf();
      expect(blocked).toMatchObject({ failures: 5, refused: false });
      expect(blocked!.lockedUntil!.getTime()).toBe(blocked!.windowStartedAt.getTime() + 15 * 60_000);
      for (let i = 0; i < 3; i++) {
        expectError(await loginFrom('198.51.100.5', 'fast@t.test', PASSWORD), 429, 'RATE_LIMITED');
      }
      expect(await rowOf()).toEqual(blocked);
    });
  });

  describe('errors', () => {
    it('answers SERVER_BUSY with Retry-After when the hashing queue is full, before touching the throttles', async () => {
      await makeUser(database.db, { email: 'busy@t.test' });
      // Fill the queue: one hash per spare core runs, 32 wait, the rest are refused.
      const jobs = Array.from({ length: 40 }, () =>
        hashPassword('ocupado-ocupado').then(
          () => 'hashed',
          (e) => e.code,
        ),
      );
      const busy = await loginFrom('198.51.100.9', 'busy@t.test', PASSWORD);
      expectError(busy, 503, 'SERVER_BUSY');
      expect(busy.headers.get('retry-after')).toBe('2');
      expect(await database.db.$count(loginThrottle, like(loginThrottle.key, '%busy@t.test%'))).toBe(0);
      const outcomes = await Promise.all(jobs);
      expect(outcomes.filter((o) => o === 'hashed').length).toBeGreaterThanOrEqual(33);
      expect(outcomes.filter((o) => o === 'SERVER_BUSY').length).toBeGreaterThan(0);
      // Once the queue drains, the same login goes through.
      expect((await loginFrom('198.51.100.9', 'busy@t.test', PASSWORD)).status).toBe(200);
    });
  });

  describe('client address behind a proxy', () => {
    it('counts the entry the trusted hop appended, not the left-most one the client wrote', async () => {
      await makeUser(database.db, { email: 'rotate@t.test' });
      const replies = [];
      for (let i = 0; i < 8; i++) {
        replies.push(await loginFrom(`10.9.${i}.1, 198.51.100.77`, 'rotate@t.test', `wrong-${i}`));
      }
      expect(replies.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      const keys = await database.db
        .select({ key: loginThrottle.key })
        .from(loginThrottle)
        .where(like(loginThrottle.key, '%198.51.100.77%'))
        .orderBy(loginThrottle.key);
      expect(keys).toEqual([{ key: 'login:addr:198.51.100.77' }, { key: 'login:pair:rotate@t.test|198.51.100.77' }]);
      expect(await database.db.$count(loginThrottle, like(loginThrottle.key, '%10.9.%'))).toBe(0);
    });
  });

  describe('password reset', () => {
    it('mails one address at most 3 links an hour, however many clients ask', async () => {
      const replies = [];
      for (let i = 0; i < 25; i++) {
        replies.push(await postFrom(`203.0.113.${i + 1}`, '/api/auth/forgot-password', { email: 'eve@globex.test' }));
      }
      expect(statuses(replies)).toEqual({ 202: 25 });
      expect(await mailsTo('reset_password', 'eve@globex.test')).toHaveLength(3);
    });

    it('answers RATE_LIMITED to the 11th request from one client in 15 minutes, known address or not', async () => {
      const replies = [];
      for (let i = 0; i < 12; i++) {
        const email = i % 2 === 0 ? `ghost-${i}@globex.test` : 'pat@globex.test';
        replies.push(await postFrom('198.51.100.200', '/api/auth/forgot-password', { email }));
      }
      expect(replies.map((r) => r.status)).toEqual([...Array(10).fill(202), 429, 429]);
      const { details } = expectError(replies[10]!, 429, 'RATE_LIMITED');
      expect(details.retryAfterSeconds).toBeGreaterThan(14 * 60);
    });

    it('voids older links when a newer one is sent', async () => {
      await makeUser(database.db, { email: 'twolinks@t.test' });
      for (const address of ['192.0.2.70', '192.0.2.71']) {
        expect((await postFrom(address, '/api/auth/forgot-password', { email: 'twolinks@t.test' })).status).toBe(202);
      }
      const [older, newer] = await mailsTo('reset_password', 'twolinks@t.test');
      const anon = client(app);
      expectError(
        await anon.post('/api/auth/reset-password', { token: tokenOf(older!.link), password: 'clave-vieja-nueva' }),
        400,
        'INVALID_TOKEN',
      );
      const r = await anon.post('/api/auth/reset-password', {
        token: tokenOf(newer!.link),
        password: 'clave-reciente',
      });
      expect(r.status).toBe(200);
    });
  });

  describe('passwords', () => {
    it('refuses common and whitespace-only passwords, naming the field, in the user’s language', async () => {
      const before = await writeCounts(database);
      const cases = [
        ['12345678', 'common_password'],
        ['password', 'common_password'],
        ['Password123', 'common_password'],
        ['        ', 'blank_password'],
        ['contraseña', 'common_password'],
      ] as const;
      for (const [password, code] of cases) {
        const r = await client(app, 'es').post(
          '/api/auth/register',
          registration({ email: 'weak@cliente.test', password }),
        );
        const { details } = expectError(r, 422, 'WEAK_PASSWORD');
        expect(details.issues).toEqual([{ path: 'password', code, message: expect.any(String) }]);
        expect(r.body.error.message).toBe(
          'Esa clave es demasiado fácil de adivinar: es muy común o solo tiene espacios. Elija otra.',
        );
      }
      const en = await client(app, 'en').post('/api/auth/register', registration({ password: 'qwertyuiop' }));
      expectError(en, 422, 'WEAK_PASSWORD');
      expect(en.body.error.message).toBe(
        'That password is too easy to guess: it is very common or only spaces. Choose another one.',
      );
      expect(await writeCounts(database)).toEqual(before);
    });

    it('refuses a common password in a reset without using up the link', async () => {
      await makeUser(database.db, { email: 'weakreset@t.test' });
      expect((await postFrom('192.0.2.90', '/api/auth/forgot-password', { email: 'weakreset@t.test' })).status).toBe(
        202,
      );
      const [mail] = await mailsTo('reset_password', 'weakreset@t.test');
      const anon = client(app);
      const token = tokenOf(mail!.link);
      expectError(await anon.post('/api/auth/reset-password', { token, password: 'password' }), 422, 'WEAK_PASSWORD');
      expectError(
        await anon.post('/api/auth/reset-password', { token, password: ' '.repeat(9) }),
        422,
        'WEAK_PASSWORD',
      );
      expect((await anon.post('/api/auth/reset-password', { token, password: 'una-clave-propia' })).status).toBe(200);
    });
  });

  describe('cross-site requests', () => {
    it("another site's page can neither log the user out nor log someone in", async () => {
      const { cookie } = await loginCookie(app, 'bob@acme.test');
      const evil = { origin: 'https://evil.example' };
      const out = await request(app, 'POST', '/api/auth/logout', { cookie, headers: evil });
      expect(expectError(out, 403, 'CROSS_SITE_REQUEST_REFUSED').details).toEqual(evil);
      expect(out.headers.get('set-cookie')).toBeNull();
      expect((await request(app, 'GET', '/api/auth/me', { cookie })).body.user.email).toBe('bob@acme.test');
      const login = await request(app, 'POST', '/api/auth/login', {
        contentType: 'application/json',
        body: JSON.stringify({ email: 'bob@acme.test', password: PASSWORD }),
        headers: { 'sec-fetch-site': 'cross-site' },
      });
      expect(expectError(login, 403, 'CROSS_SITE_REQUEST_REFUSED').details).toEqual({ secFetchSite: 'cross-site' });
      expect(login.headers.get('set-cookie')).toBeNull();
      // The app's own page logs out.
      const own = await request(app, 'POST', '/api/auth/logout', { cookie, headers: { origin: 'http://mesa.test' } });
      expect(own.status).toBe(204);
    });
  });
});
