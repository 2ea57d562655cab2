import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@mesa/api/db/client';
import { makeUser } from '@mesa/api/db/factories';
import { attachmentUploads, blobPieces, blobs } from '@mesa/api/db/schema';
import { PIECE_BYTES } from '@mesa/api/services/blob-store';
import { sweepOrphanFiles } from '@mesa/api/services/piece-store';
import { MAX_ATTACHMENT_BYTES, MAX_UPLOAD_CHUNK_BYTES, MIN_UPLOAD_CHUNK_BYTES, type Ticket } from '@mesa/core';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Client, client, clientsFor, type Reply, testApp } from '../support/api';
import { openTestDatabase } from '../support/db';
import { protocolDevice } from '../support/sync-device';
import { expectError, openTicket } from '../support/tickets';
import { buildWorld, PASSWORD, type World } from '../support/world';

type Who = 'admin' | 'agent' | 'technician' | 'otherTechnician' | 'customer' | 'colleague' | 'outsider';
const emails: Record<Who, string> = {
  admin: 'admin@t.test',
  agent: 'agent@t.test',
  technician: 'tech@t.test',
  otherTechnician: 'tech2@t.test',
  customer: 'ana@acme.test',
  colleague: 'bob@acme.test',
  outsider: 'eve@globex.test',
};

/** Where uploaded files go on PGlite: this file's own, removed afterwards. */
const dataDir = await mkdtemp(join(tmpdir(), 'mesa-attach-'));
let database: Database;
let world: World;
let app: ReturnType<typeof testApp>;
let as: Record<Who, Client>;
let bytesAs: Record<Who, BytesClient>;

beforeAll(async () => {
  database = await openTestDatabase();
  world = await buildWorld(database);
  await makeUser(database.db, { role: 'technician', email: 'tech2@t.test' });
  app = testApp(database, { DATA_DIR: dataDir });
  as = await clientsFor(app, emails);
  const entries = await Promise.all(
    (Object.entries(emails) as Array<[Who, string]>).map(async ([k, email]) => [k, await bytesClient(email)] as const),
  );
  bytesAs = Object.fromEntries(entries) as Record<Who, BytesClient>;
});
afterAll(async () => {
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A client that sends raw bytes (the shared test client only speaks JSON). */
async function bytesClient(email: string | null, on: typeof app = app) {
  let cookie = '';
  if (email) {
    const login = await on.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  }
  type Body = Uint8Array | ReadableStream<Uint8Array>;
  const send = async (method: string, path: string, headers: Record<string, string> = {}, body?: Body) => {
    const res = await on.request(path, {
      method,
      headers: { 'accept-language': 'en', ...(cookie ? { cookie } : {}), ...headers },
      // A stream has no Content-Length: the server must count while reading.
      ...(body ? { body, duplex: 'half' } : {}),
    } as RequestInit);
    const raw = Buffer.from(await res.arrayBuffer());
    const json = res.headers.get('content-type')?.startsWith('application/json');
    return {
      status: res.status,
      headers: res.headers,
      raw,
      body: json && raw.length ? JSON.parse(raw.toString()) : null,
    };
  };
  return {
    /** PUT the bytes, declaring `sha` (the whole file's hash) and optionally a Content-Range. */
    put: (id: string, body: Body, sha: string, range?: string): Promise<Reply<any>> =>
      send(
        'PUT',
        `/api/attachments/${id}`,
        {
          'content-type': 'application/octet-stream',
          'x-content-sha256': sha,
          ...(range ? { 'content-range': range } : {}),
        },
        body,
      ),
    status: (id: string, method: 'GET' | 'HEAD' = 'GET') => send(method, `/api/attachments/${id}/upload`),
    read: (id: string) => send('GET', `/api/attachments/${id}`),
  };
}
type BytesClient = Awaited<ReturnType<typeof bytesClient>>;

/** Sends the bytes in 1 MiB pieces, without a Content-Length. */
const streamOf = (b: Buffer) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < b.length; i += 1 << 20) controller.enqueue(b.subarray(i, i + (1 << 20)));
      controller.close();
    },
  });
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const range = (start: number, end: number, total: number) => `bytes ${start}-${end - 1}/${total}`;

/** Records attachment metadata the way a device does offline: an addAttachment@1 mutation pushed by sync. */
async function announce(who: Client, ticketId: string, file: Uint8Array, over: Record<string, unknown> = {}) {
  const id = randomUUID();
  const r = await protocolDevice(who).push([
    {
      name: 'addAttachment@1',
      args: {
        id,
        ticketId,
        filename: 'foto.jpg',
        contentType: 'image/jpeg',
        size: file.length,
        sha256: sha256(file),
        ...over,
      },
    },
  ]);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.rejected).toEqual([]);
  return id;
}

/** A customer's ticket handed to the technician, who works it in the field. */
async function fieldTicket(): Promise<Ticket> {
  const t = await openTicket(as.customer, world);
  const r = await as.agent.post(`/api/tickets/${t.number}/assign`, { ownerId: world.users.technician.id });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return t;
}

const blobCount = (sha: string) => database.db.$count(blobs, eq(blobs.sha256, sha));
const partialCount = (id: string) => database.db.$count(attachmentUploads, eq(attachmentUploads.attachmentId, id));

describe('PUT /api/attachments/{id} (whole file)', () => {
  it('stores the bytes beyond the JSON body limit, serves them, and answers a repeat at once', async () => {
    const t = await fieldTicket();
    const photo = randomBytes(400_000);
    const id = await announce(as.technician, t.id, photo);
    expectError(await bytesAs.technician.read(id), 404, 'NOT_FOUND');
    expect((await bytesAs.technician.status(id)).body).toEqual({ received: 0, size: photo.length, complete: false });

    const r = await bytesAs.technician.put(id, photo, sha256(photo));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ id, sha256: sha256(photo), size: photo.length, complete: true });
    const read = await bytesAs.agent.read(id);
    expect(read.status).toBe(200);
    expect(read.raw.equals(photo)).toBe(true);
    expect((await bytesAs.technician.status(id)).body).toEqual({
      received: photo.length,
      size: photo.length,
      complete: true,
    });

    // Already stored: acknowledged without reading the body (these bytes would not verify).
    const again = await bytesAs.technician.put(id, Buffer.from('not the photo'), sha256(photo));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, complete: true });
    // The same photo attached elsewhere still needs its bytes (a hash is not the file); one copy is kept.
    const other = await announce(as.technician, t.id, photo, { filename: 'copia.jpg' });
    expect((await bytesAs.technician.status(other)).body).toEqual({ received: 0, size: photo.length, complete: false });
    expect((await bytesAs.technician.put(other, photo, sha256(photo))).body).toEqual({
      id: other,
      sha256: sha256(photo),
      size: photo.length,
      complete: true,
    });
    expect((await bytesAs.technician.read(other)).raw.equals(photo)).toBe(true);
    expect(await blobCount(sha256(photo))).toBe(1);
  });

  it('refuses a declared hash that is not the announced one with 409, before reading', async () => {
    const t = await fieldTicket();
    const photo = randomBytes(1000);
    const id = await announce(as.technician, t.id, photo);
    const wrong = randomBytes(1000);
    const r = await bytesAs.technician.put(id, wrong, sha256(wrong));
    expect(expectError(r, 409, 'ATTACHMENT_HASH_MISMATCH').details).toEqual({
      expected: sha256(photo),
      got: sha256(wrong),
    });
    expect(await blobCount(sha256(wrong))).toBe(0);
    expectError(await bytesAs.technician.read(id), 404, 'NOT_FOUND');
  });

  it('refuses bytes that do not hash to the announced sha256 with 422 and stores nothing', async () => {
    const t = await fieldTicket();
    const photo = randomBytes(1000);
    const id = await announce(as.technician, t.id, photo);
    const damaged = Buffer.from(photo);
    damaged[500] = damaged[500]! ^ 0xff;
    const r = await bytesAs.technician.put(id, damaged, sha256(photo));
    expect(expectError(r, 422, 'ATTACHMENT_CORRUPTED').details).toEqual({
      expected: { size: 1000, sha256: sha256(photo) },
      got: { size: 1000, sha256: sha256(damaged) },
    });
    expectError(await bytesAs.technician.put(id, photo.subarray(0, 999), sha256(photo)), 422, 'ATTACHMENT_CORRUPTED');
    expect(await blobCount(sha256(photo))).toBe(0);
    expect(await blobCount(sha256(damaged))).toBe(0);
    expectError(await bytesAs.technician.read(id), 404, 'NOT_FOUND');
    // The device simply sends the right bytes again.
    expect((await bytesAs.technician.put(id, photo, sha256(photo))).status).toBe(200);
  });
});

/** Pieces are at least this large, except the last. */
const K = MIN_UPLOAD_CHUNK_BYTES;

describe('PUT /api/attachments/{id} with Content-Range (resumable)', () => {
  it('appends pieces in order, acknowledges a re-sent piece, and resumes from the offset it reports', async () => {
    const t = await fieldTicket();
    const size = 2.5 * K;
    const photo = randomBytes(size);
    const hash = sha256(photo);
    const id = await announce(as.technician, t.id, photo);
    const piece = (s: number, e: number) => bytesAs.technician.put(id, photo.subarray(s, e), hash, range(s, e, size));

    expect((await piece(0, K)).body).toEqual({ id, received: K, complete: false });
    // The answer was lost and the device sends the same piece again: nothing is appended twice.
    const resent = await piece(0, K);
    expect(resent.status).toBe(200);
    expect(resent.body).toEqual({ id, received: K, complete: false });
    // Two tries of the same piece racing (a retry while the first is still in flight): appended once.
    const racing = await Promise.all([piece(K, 2 * K), piece(K, 2 * K)]);
    expect(racing.map((r) => r.body)).toEqual([
      { id, received: 2 * K, complete: false },
      { id, received: 2 * K, complete: false },
    ]);

    // Connectivity lost; back online the device asks where to resume.
    const head = await bytesAs.technician.status(id, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(2 * K));
    expect(head.raw.length).toBe(0);
    expect((await bytesAs.technician.status(id)).body).toEqual({ received: 2 * K, size, complete: false });
    expectError(await bytesAs.technician.read(id), 404, 'NOT_FOUND');

    const last = await Promise.all([piece(2 * K, size), piece(2 * K, size)]);
    for (const r of last) expect(r.body).toEqual({ id, sha256: hash, size, complete: true });
    expect((await bytesAs.technician.read(id)).raw.equals(photo)).toBe(true);
    expect(await partialCount(id)).toBe(0);
    expect((await piece(2 * K, size)).body).toMatchObject({ complete: true });
  });

  it('refuses a gap with the offset to resume from, and ranges that do not fit the attachment', async () => {
    const t = await fieldTicket();
    const size = 3 * K;
    const photo = randomBytes(size);
    const hash = sha256(photo);
    const id = await announce(as.technician, t.id, photo);
    const put = (s: number, e: number, header = range(s, e, size)) =>
      bytesAs.technician.put(id, photo.subarray(s, e), hash, header);
    expect((await put(0, K)).body).toMatchObject({ received: K });

    expect(expectError(await put(2 * K, size), 409, 'UPLOAD_OFFSET_MISMATCH').details).toEqual({
      received: K,
      size,
    });
    // A piece that overlaps the held bytes but runs past them is not guessed at either.
    const overlap = await put(K / 2, K / 2 + K);
    expect(expectError(overlap, 409, 'UPLOAD_OFFSET_MISMATCH').details).toMatchObject({ received: K });
    expectError(await put(K, 2 * K, range(K, 2 * K, size + 1)), 400, 'VALIDATION_FAILED');
    expectError(await put(K, 2 * K, `bytes ${K}-${2 * K - 1}`), 400, 'VALIDATION_FAILED');
    expectError(await put(K, 2 * K, `bytes ${2 * K}-${K}/${size}`), 400, 'VALIDATION_FAILED');
    expectError(await put(K, 1.5 * K, range(K, 2 * K, size)), 400, 'VALIDATION_FAILED');
    const small = await put(K, K + 1000);
    expect(expectError(small, 400, 'VALIDATION_FAILED').details).toMatchObject({ minBytes: K });
    expectError(await bytesAs.technician.put(id, photo, 'abc'), 400, 'VALIDATION_FAILED');
    expectError(await bytesAs.technician.put('not-a-uuid', photo, hash), 400, 'VALIDATION_FAILED');
    expect((await bytesAs.technician.status(id)).body).toMatchObject({ received: K, complete: false });
    expect((await put(K, size)).body).toMatchObject({ complete: true });
  });

  it('discards pieces whose whole does not verify, so the device starts again from 0', async () => {
    const t = await fieldTicket();
    const size = 1.5 * K;
    const photo = randomBytes(size);
    const hash = sha256(photo);
    const id = await announce(as.technician, t.id, photo);
    const damaged = Buffer.from(photo);
    damaged[size - 1] = damaged[size - 1]! ^ 0x01;
    await bytesAs.technician.put(id, photo.subarray(0, K), hash, range(0, K, size));
    const r = await bytesAs.technician.put(id, damaged.subarray(K), hash, range(K, size, size));
    expectError(r, 422, 'ATTACHMENT_CORRUPTED');
    expect(await partialCount(id)).toBe(0);
    expect(await blobCount(hash)).toBe(0);
    expect((await bytesAs.technician.status(id)).body).toEqual({ received: 0, size, complete: false });
    // Resending the last piece alone cannot complete it: the server asks for offset 0.
    const stale = await bytesAs.technician.put(id, photo.subarray(K), hash, range(K, size, size));
    expect(expectError(stale, 409, 'UPLOAD_OFFSET_MISMATCH').details).toMatchObject({ received: 0 });
  });
});

describe('upload limits', () => {
  it('answers 413 past the piece limit and past MAX_ATTACHMENT_BYTES, while JSON routes keep theirs', async () => {
    const t = await fieldTicket();
    const size = MAX_UPLOAD_CHUNK_BYTES + 2;
    const big = Buffer.alloc(size, 7);
    const id = await announce(as.technician, t.id, big);
    const hash = sha256(big);
    // Declared too large in the range: refused before reading.
    const declared = await bytesAs.technician.put(id, big.subarray(0, 10), hash, range(0, size - 1, size));
    expect(expectError(declared, 413, 'PAYLOAD_TOO_LARGE').details).toEqual({ maxBytes: MAX_UPLOAD_CHUNK_BYTES });
    // A body larger than its range is cut off while streaming.
    const streamed = await bytesAs.technician.put(id, streamOf(big), hash, range(0, K, size));
    expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
    // A whole upload larger than any attachment may be.
    const huge = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 7);
    const whole = await bytesAs.technician.put(id, streamOf(huge), hash);
    expect(expectError(whole, 413, 'PAYLOAD_TOO_LARGE').details).toEqual({ maxBytes: MAX_ATTACHMENT_BYTES });
    expect(await partialCount(id)).toBe(0);
    expect(await blobCount(hash)).toBe(0);

    const json = await as.technician.raw('POST', '/api/sync/push', JSON.stringify({ pad: 'x'.repeat(300_000) }));
    expectError(json, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('who may upload', () => {
  it('needs a session', async () => {
    const t = await fieldTicket();
    const photo = randomBytes(100);
    const id = await announce(as.technician, t.id, photo);
    const anonymous = await bytesClient(null);
    expectError(await anonymous.put(id, photo, sha256(photo)), 401, 'UNAUTHENTICATED');
    expectError(await anonymous.status(id), 401, 'UNAUTHENTICATED');
    expect(await blobCount(sha256(photo))).toBe(0);
  });

  it('hides the attachment from a technician who does not own the ticket, exactly like a missing one', async () => {
    const t = await fieldTicket();
    const photo = randomBytes(100);
    const id = await announce(as.technician, t.id, photo);
    const r = await bytesAs.otherTechnician.put(id, photo, sha256(photo));
    expect(expectError(r, 404, 'NOT_FOUND')).toEqual(
      expectError(await bytesAs.otherTechnician.put(randomUUID(), photo, sha256(photo)), 404, 'NOT_FOUND'),
    );
    expectError(await bytesAs.otherTechnician.status(id), 404, 'NOT_FOUND');
    expect(await blobCount(sha256(photo))).toBe(0);
  });

  it('lets the technician finish a photo taken before the ticket was reassigned away, and nobody else', async () => {
    const t = await fieldTicket();
    const photo = randomBytes(200);
    const id = await announce(as.technician, t.id, photo);
    const r = await as.agent.post(`/api/tickets/${t.number}/assign`, { ownerId: world.users.agent.id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await bytesAs.technician.put(id, photo, sha256(photo))).status).toBe(200);
    expect((await bytesAs.otherTechnician.status(id)).status).toBe(404);
    expect((await bytesAs.agent.read(id)).raw.equals(photo)).toBe(true);
    // The technician still cannot read it back: out of scope.
    expectError(await bytesAs.technician.read(id), 404, 'NOT_FOUND');
  });

  it("keeps an internal note's file from customers; lets staff and the uploader send bytes, not a colleague", async () => {
    const t = await openTicket(as.customer, world);
    const note = await as.agent.post(`/api/tickets/${t.number}/articles`, { kind: 'internal_note', body: 'Foto' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const secret = randomBytes(200);
    const onNote = await announce(as.agent, t.id, secret, { articleId: note.body.id });
    expectError(await bytesAs.customer.put(onNote, secret, sha256(secret)), 404, 'NOT_FOUND');
    expectError(await bytesAs.customer.status(onNote), 404, 'NOT_FOUND');
    expect(await blobCount(sha256(secret))).toBe(0);
    // Any staff member in scope may finish it, not only whoever announced it.
    expect((await bytesAs.admin.put(onNote, secret, sha256(secret))).status).toBe(200);

    const mine = randomBytes(200);
    const fromCustomer = await announce(as.customer, t.id, mine);
    // Her colleague sees the ticket (shared organization) but did not announce the file.
    expectError(await bytesAs.colleague.put(fromCustomer, mine, sha256(mine)), 403, 'FORBIDDEN');
    expect(await blobCount(sha256(mine))).toBe(0);
    expect((await bytesAs.customer.put(fromCustomer, mine, sha256(mine))).status).toBe(200);
    expect((await bytesAs.colleague.read(fromCustomer)).raw.equals(mine)).toBe(true);
  });
});

/**
 * Where a stored file's bytes live: on Postgres the blob_pieces rows (start, bytes); on PGlite one file
 * under DATA_DIR/blobs and no rows.
 */
async function layoutOf(sha: string) {
  const [blob] = await database.db.select({ key: blobs.piecesKey }).from(blobs).where(eq(blobs.sha256, sha));
  const key = blob?.key ?? '';
  const rows = await database.db
    .select({ start: blobPieces.start, bytes: sql<number>`octet_length(${blobPieces.content})`.mapWith(Number) })
    .from(blobPieces)
    .where(eq(blobPieces.piecesKey, key))
    .orderBy(blobPieces.start);
  if (database.kind === 'postgres') return { rows };
  return { rows, fileBytes: (await stat(join(dataDir, 'blobs', key))).size };
}

/** Each request's bytes cut into PIECE_BYTES rows from its own offset (Postgres), or one file (PGlite). */
function expectedLayout(requests: Array<[number, number]>) {
  const rows: Array<{ start: number; bytes: number }> = [];
  for (const [from, to] of requests) {
    for (let at = from; at < to; at += PIECE_BYTES) rows.push({ start: at, bytes: Math.min(PIECE_BYTES, to - at) });
  }
  expect(rows.length).toBeGreaterThan(requests.length);
  if (database.kind === 'postgres') return { rows };
  return { rows: [], fileBytes: requests.at(-1)![1] };
}

/** Sends `first`, then waits for `gate` before sending the rest: an upload the test holds open. */
function heldStream(bytes: Buffer, first: number, gate: Promise<void>) {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(bytes.subarray(0, first));
        return;
      }
      await gate;
      controller.enqueue(bytes.subarray(first));
      controller.close();
    },
  });
}

describe('security', () => {
  it("takes a known hash for nothing: another organization's file is neither complete nor readable", async () => {
    // Acme's ticket carries an internal note with a file the agent uploaded.
    const acme = await openTicket(as.customer, world);
    const note = await as.agent.post(`/api/tickets/${acme.number}/articles`, { kind: 'internal_note', body: 'Red' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const secret = randomBytes(1.5 * K);
    const hash = sha256(secret);
    const onNote = await announce(as.agent, acme.id, secret, { articleId: note.body.id, filename: 'red.pdf' });
    expect((await bytesAs.agent.put(onNote, secret, hash)).body).toEqual({
      id: onNote,
      sha256: hash,
      size: secret.length,
      complete: true,
    });

    // A Globex customer announces a file with that hash (and size) on her own ticket.
    const globex = await openTicket(as.outsider, world);
    const guess = await announce(as.outsider, globex.id, secret, { filename: 'red.pdf' });
    expect((await bytesAs.outsider.status(guess)).body).toEqual({ received: 0, size: secret.length, complete: false });
    const empty = await bytesAs.outsider.put(guess, new Uint8Array(0), hash);
    expect(expectError(empty, 422, 'ATTACHMENT_CORRUPTED').details).toEqual({
      expected: { size: secret.length, sha256: hash },
      got: { size: 0, sha256: sha256(new Uint8Array(0)) },
    });
    // Nor does a last piece alone finish it: the bytes before it never arrived.
    const tail = await bytesAs.outsider.put(guess, secret.subarray(K), hash, range(K, secret.length, secret.length));
    expect(expectError(tail, 409, 'UPLOAD_OFFSET_MISMATCH').details).toEqual({ received: 0, size: secret.length });
    expectError(await bytesAs.outsider.read(guess), 404, 'NOT_FOUND');
    expectError(await bytesAs.outsider.read(onNote), 404, 'NOT_FOUND');
    expect((await bytesAs.outsider.status(guess)).body).toEqual({ received: 0, size: secret.length, complete: false });
    // Whoever really holds the bytes completes it by sending them; the store keeps one copy.
    expect((await bytesAs.outsider.put(guess, secret, hash)).body).toMatchObject({ id: guess, complete: true });
    expect(await blobCount(hash)).toBe(1);
    expectError(await bytesAs.outsider.read(onNote), 404, 'NOT_FOUND');
  });

  it('stores an upload piece by piece while it streams (rows on Postgres, a file on PGlite), serves it whole', async () => {
    const t = await fieldTicket();
    const size = 2.5 * K;
    const photo = randomBytes(size);
    const hash = sha256(photo);
    const id = await announce(as.technician, t.id, photo);
    expect((await bytesAs.technician.put(id, streamOf(photo), hash)).body).toEqual({
      id,
      sha256: hash,
      size,
      complete: true,
    });
    expect(await layoutOf(hash)).toEqual(expectedLayout([[0, size]]));
    const [blob] = await database.db
      .select({ inline: sql<number>`octet_length(${blobs.content})`.mapWith(Number), size: blobs.size })
      .from(blobs)
      .where(eq(blobs.sha256, hash));
    expect(blob).toEqual({ inline: 0, size });
    const read = await bytesAs.agent.read(id);
    expect(read.status).toBe(200);
    expect(read.raw.equals(photo)).toBe(true);

    // Resumable requests of 1.5 MiB are cut the same way, each from its own offset.
    const other = randomBytes(3 * K);
    const otherId = await announce(as.technician, t.id, other);
    const put = (s: number, e: number) =>
      bytesAs.technician.put(otherId, other.subarray(s, e), sha256(other), range(s, e, other.length));
    expect((await put(0, 1.5 * K)).body).toEqual({ id: otherId, received: 1.5 * K, complete: false });
    expect((await put(1.5 * K, 3 * K)).body).toMatchObject({ id: otherId, complete: true });
    expect(await layoutOf(sha256(other))).toEqual(
      expectedLayout([
        [0, 1.5 * K],
        [1.5 * K, 3 * K],
      ]),
    );
    expect((await bytesAs.agent.read(otherId)).raw.equals(other)).toBe(true);
  });

  it('lets one user send only so many uploads at once (429 TOO_MANY_UPLOADS); others are not held up', async () => {
    const capped = testApp(database, { DATA_DIR: dataDir, UPLOAD_MAX_CONCURRENT_PER_USER: '1' });
    const [tech, agent] = [await bytesClient(emails.technician, capped), await bytesClient(emails.agent, capped)];
    const t = await fieldTicket();
    const [slow, next, agents] = [randomBytes(2 * K), randomBytes(1000), randomBytes(1000)];
    const [slowId, nextId, agentsId] = [
      await announce(as.technician, t.id, slow),
      await announce(as.technician, t.id, next),
      await announce(as.agent, t.id, agents),
    ];
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = tech.put(slowId, heldStream(slow, K, gate), sha256(slow));
    // The first upload has begun: its first piece is stored.
    await vi.waitFor(async () => expect(await partialCount(slowId)).toBe(1));
    const refused = await tech.put(nextId, next, sha256(next));
    expect(expectError(refused, 429, 'TOO_MANY_UPLOADS').details).toEqual({ maxConcurrent: 1 });
    expect((await agent.put(agentsId, agents, sha256(agents))).body).toMatchObject({ id: agentsId, complete: true });
    release();
    expect((await first).body).toEqual({ id: slowId, sha256: sha256(slow), size: slow.length, complete: true });
    expect((await tech.put(nextId, next, sha256(next))).body).toMatchObject({ id: nextId, complete: true });
  });

  it('caps the bytes one user may send per day (429 UPLOAD_QUOTA_EXCEEDED), others keep theirs', async () => {
    const capped = testApp(database, { DATA_DIR: dataDir, UPLOAD_MAX_BYTES_PER_USER_DAY: String(3 * K) });
    /** A new customer (nothing sent today yet) with a ticket of her own. */
    const fresh = async (email: string) => {
      await makeUser(database.db, { email, organizationId: world.organizations.sharing.id });
      const who = await client(capped).login(email);
      return { who, bytes: await bytesClient(email, capped), ticket: await openTicket(who, world) };
    };
    const one = await fresh('cuota@acme.test');
    const [a, b, c] = [randomBytes(2 * K), randomBytes(2 * K), randomBytes(1000)];
    const [idA, idB, idC] = [
      await announce(one.who, one.ticket.id, a),
      await announce(one.who, one.ticket.id, b),
      await announce(one.who, one.ticket.id, c),
    ];
    expect((await one.bytes.put(idA, a, sha256(a))).body).toMatchObject({ id: idA, complete: true });
    const over = await one.bytes.put(idB, b, sha256(b));
    expect(expectError(over, 429, 'UPLOAD_QUOTA_EXCEEDED').details).toMatchObject({
      limitBytes: 3 * K,
      usedBytes: 2 * K,
    });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blobCount(sha256(b))).toBe(0);
    // What still fits goes through; another user is not affected.
    expect((await one.bytes.put(idC, c, sha256(c))).body).toMatchObject({ id: idC, complete: true });
    const two = await fresh('cuota2@acme.test');
    const idD = await announce(two.who, two.ticket.id, b);
    expect((await two.bytes.put(idD, b, sha256(b))).body).toMatchObject({ id: idD, complete: true });
  });
});

describe('stored files', () => {
  it('sweeps files under DATA_DIR/blobs that no upload or blob names, once they are an hour old', async () => {
    const dir = join(dataDir, 'sweep');
    await mkdir(dir, { recursive: true });
    const t = await fieldTicket();
    const photo = randomBytes(1000);
    const id = await announce(as.technician, t.id, photo);
    expect((await bytesAs.technician.put(id, photo, sha256(photo))).body).toMatchObject({ complete: true });
    const [blob] = await database.db
      .select({ key: blobs.piecesKey })
      .from(blobs)
      .where(eq(blobs.sha256, sha256(photo)));
    const [orphan, fresh] = [randomUUID(), randomUUID()];
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const name of [blob!.key!, orphan, fresh, 'not-a-key']) await writeFile(join(dir, name), 'x');
    for (const name of [blob!.key!, orphan, 'not-a-key']) await utimes(join(dir, name), old, old);
    expect(await sweepOrphanFiles(database.db, dir)).toBe(1);
    const left = await Promise.all(
      [blob!.key!, orphan, fresh, 'not-a-key'].map((n) =>
        stat(join(dir, n)).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(left).toEqual([true, false, true, true]);
  });
});
