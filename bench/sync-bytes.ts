/**
 * Bytes on the wire for one field edit made offline-first: the editing device's push (and the pull in the
 * same cycle), and the pull that brings the edit to another device. Measured at a TCP proxy in front of
 * the real API, heads and bodies as sent (HTTP/1.1 over loopback; TCP/IP and TLS framing not counted).
 *
 *   pnpm bench:sync-bytes            (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_EDITS=50 pnpm bench:sync-bytes
 *
 * Devices are the real sync client on fake-indexeddb with Node's fetch, whose request heads are leaner
 * than a browser's (no user agent string, client hints, origin or referer: some 300–600 bytes more each).
 * The baseline is the payload itself: the mutation's args once, plus the changed ticket row for each pull.
 * No byte budget was ever set; the payload / wire ratio says how much of the traffic is envelope, and the
 * result line holds it to ≥ 0.5 (at least half of what a pokes-off edit sends is the data itself).
 * A second leg runs with live pokes (SSE) on, as online devices do, and counts everything per edit.
 */
import type { Database } from '@mesa/api/db/client';
import { postgresDatabase } from '@mesa/api/db/client';
import type { Role } from '@mesa/core';
import { testApp } from '../test/support/api';
import { openFieldVisit } from '../test/support/field-visit';
import { LabDevice, LabServer } from '../test/support/sync-lab';
import { type Exchange, WireMeter, wireBytes } from '../test/support/wire-meter';
import { buildWorld } from '../test/support/world';
import { scratchDatabase } from './scratch-database';

const edits = Number(process.env.BENCH_EDITS ?? 50);
const scratch = scratchDatabase('mesa_bench_bytes');
const benchUrl = scratch.url;
const TARGET_RATIO = 0.5;

await scratch.recreate();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of exchanges, split by head and body each way. */
function tally(list: Exchange[]) {
  const t = { n: list.length, reqHead: 0, reqBody: 0, resHead: 0, resBody: 0, total: 0 };
  for (const e of list) {
    t.reqHead += e.requestHead;
    t.reqBody += e.requestBody;
    t.resHead += e.responseHead;
    t.resBody += e.responseBody;
    t.total += wireBytes(e);
  }
  return t;
}

let database: Database | undefined;
let server: LabServer | undefined;
let meter: WireMeter | undefined;
const devices: LabDevice[] = [];
try {
  database = postgresDatabase(benchUrl);
  await database.migrate();
  const world = await buildWorld(database);
  server = new LabServer(database);
  await server.start();
  const lab = server;
  const wire = new WireMeter(() => lab.port);
  meter = wire;
  await wire.start();

  // A field visit: the customer's Systems ticket, assigned to the technician; the Systems agent edits it.
  const app = testApp(database);
  const ticketId = (await openFieldVisit(app, world)).id;

  /** A started device of a world user, talking to the API through the meter. */
  const device = async (who: 'technician' | 'agent', pokes: boolean) => {
    const u = world.users[who];
    // The device only reads `url` and `port` of its server: point both at the meter.
    const d = new LabDevice(wire as unknown as LabServer, {
      email: u.email,
      role: u.role as Role,
      userId: u.id,
      name: u.name,
      random: () => 0,
      pokes,
    });
    await d.login();
    await d.start();
    await d.client.syncNow();
    devices.push(d);
    return d;
  };
  const subjectOn = async (d: LabDevice) => (await d.client.db.tickets.get(ticketId))?.subject;

  // Leg 1, pokes off: each edit is pushed by A (whose cycle also pulls), then B pulls. Attributed per step.
  const a = await device('agent', false);
  const b = await device('technician', false);
  const steps = { push: [] as Exchange[], pullA: [] as Exchange[], pullB: [] as Exchange[] };
  let payload = 0;
  for (let i = 1; i <= edits; i++) {
    const subject = `Visita: router caído en piso ${i}`;
    const args = { ticketId, changes: { subject } };
    await a.client.mutate('updateTicketFields@1', args);
    let from = wire.exchanges.length;
    await a.client.syncNow();
    for (const e of wire.exchanges.slice(from)) (e.path === '/api/sync/push' ? steps.push : steps.pullA).push(e);
    from = wire.exchanges.length;
    await b.client.syncNow();
    steps.pullB.push(...wire.exchanges.slice(from));
    if ((await subjectOn(b)) !== subject) throw new Error(`edit ${i} did not reach device B`);
    const row = await b.client.db.tickets.get(ticketId);
    payload += JSON.stringify({ name: 'updateTicketFields@1', args }).length + 2 * JSON.stringify(row).length;
  }
  const odd = [...steps.push, ...steps.pullA, ...steps.pullB].filter((e) => e.status !== 200 || !e.done);
  if (odd.length) throw new Error(`unexpected exchanges: ${JSON.stringify(odd.slice(0, 3))}`);
  if (steps.pullA.some((e) => e.path !== '/api/sync/pull') || steps.pullB.some((e) => e.path !== '/api/sync/pull')) {
    throw new Error('a cycle sent something other than push and pull');
  }
  await Promise.all(devices.splice(0).map((d) => d.kill()));

  // Leg 2, live pokes on: A edits and lets its client sync by itself; B learns through its SSE poke.
  const pa = await device('agent', true);
  const pb = await device('technician', true);
  await sleep(500); // both streams open, their connect pokes pulled
  const quiet = async () => {
    for (let n = wire.exchanges.length, idle = 0; idle < 4; idle++) {
      await sleep(50);
      if (wire.exchanges.length !== n || [pa, pb].some((d) => d.client.state.get().syncing)) {
        n = wire.exchanges.length;
        idle = -1;
      }
    }
  };
  await quiet();
  const liveFrom = wire.exchanges.length;
  const streamsBefore = wire.exchanges.filter((e) => e.path === '/api/sync/events').map((e) => wireBytes(e));
  const streamBytes = () =>
    wire.exchanges.filter((e) => e.path === '/api/sync/events').reduce((sum, e) => sum + wireBytes(e), 0);
  const sseBefore = streamBytes();
  for (let i = 1; i <= edits; i++) {
    const subject = `Visita: router caído, poste ${i}`;
    await pa.client.mutate('updateTicketFields@1', { ticketId, changes: { subject } });
    for (let t = 0; (await subjectOn(pb)) !== subject; t++) {
      if (t > 1000) throw new Error(`live edit ${i} did not reach device B`);
      await sleep(5);
    }
    await quiet();
  }
  const live = wire.exchanges.slice(liveFrom).filter((e) => e.path !== '/api/sync/events');
  const liveByPath = new Map<string, Exchange[]>();
  for (const e of live) liveByPath.set(e.path, [...(liveByPath.get(e.path) ?? []), e]);
  const sse = streamBytes() - sseBefore;
  if (streamsBefore.length < 2) throw new Error('live pokes: event streams did not open');

  const per = (n: number) => (n / edits).toFixed(0);
  const line = (label: string, list: Exchange[]) => {
    const t = tally(list);
    return (
      `  ${label.padEnd(26)} ${per(t.total).padStart(5)} B  (request ${per(t.reqHead)} head + ${per(t.reqBody)} body, ` +
      `response ${per(t.resHead)} head + ${per(t.resBody)} body; ${(t.n / edits).toFixed(2)} requests)`
    );
  };
  const total = tally([...steps.push, ...steps.pullA, ...steps.pullB]).total;
  console.log(
    `edits: ${edits} subject changes (updateTicketFields@1), the Systems agent's device A → the technician's device B`,
  );
  console.log('pokes off, per edit:');
  console.log(line('A push', steps.push));
  console.log(line('A pull (same cycle)', steps.pullA));
  console.log(line('B pull', steps.pullB));
  console.log(
    `  total ${per(total)} B per edit; payload baseline (args + ticket row per pull) ${per(payload)} B; ` +
      `payload / wire ${(payload / total).toFixed(2)}`,
  );
  console.log('live pokes on (both devices streaming), per edit:');
  for (const [path, list] of liveByPath) console.log(line(path, list));
  const liveTotal = tally(live).total + sse;
  console.log(`  ${'SSE poke events'.padEnd(26)} ${per(sse).padStart(5)} B`);
  console.log(`  total ${per(liveTotal)} B per edit (${(live.length / edits).toFixed(2)} requests)`);
  const ratio = payload / total;
  console.log(
    `result: wire bytes per field edit ${per(total)} B (live pokes ${per(liveTotal)} B), payload ${per(payload)} B ` +
      `ratio=${ratio.toFixed(2)} target=${TARGET_RATIO} ${ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'}`,
  );
} finally {
  await Promise.all(devices.map((d) => d.kill()));
  await meter?.stop();
  await server?.stop();
  await database?.close();
  await scratch.drop();
}
