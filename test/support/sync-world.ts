import type { Database } from '@mesa/api/db/client';
import type { Role, Ticket } from '@mesa/core';
import { afterAll, beforeAll } from 'vitest';
import { type Client, client, testApp } from './api';
import { openTestDatabase } from './db';
import { openFieldVisit } from './field-visit';
import { LabDevice, LabServer } from './sync-lab';
import { buildWorld, type World } from './world';

type UserKey = keyof World['users'];

/** A world, the API on a loopback port, REST clients for the office, and devices for the field. */
export async function openLab(database: Database) {
  const world = await buildWorld(database);
  const server = new LabServer(database);
  await server.start();
  const app = testApp(database);
  const office: Record<'admin' | 'agent', Client> = {
    admin: await client(app).login('admin@t.test'),
    agent: await client(app).login('agent@t.test'),
  };
  const devices: LabDevice[] = [];

  /** A logged-in device of a world user, started unless the test first sets traps for its first sync. */
  async function device(
    who: UserKey,
    opts: Partial<ConstructorParameters<typeof LabDevice>[1]> = {},
    { start = true }: { start?: boolean } = {},
  ) {
    const u = world.users[who];
    const d = new LabDevice(server, {
      email: u.email,
      role: u.role as Role,
      userId: u.id,
      name: u.name,
      random: () => 0,
      ...opts,
    });
    await d.login();
    if (start) await d.start();
    devices.push(d);
    return d;
  }

  /** A Systems ticket assigned to the technician (a field visit), opened by the customer. */
  const fieldTicket = (subject?: string): Promise<Ticket> => openFieldVisit(app, world, subject);

  async function close() {
    await Promise.all(devices.map((d) => d.kill()));
    await server.stop();
  }

  return { world, server, office, app, device, fieldTicket, close };
}

export type Lab = Awaited<ReturnType<typeof openLab>>;

/** A database of its own and a lab on it for one test file: opened before its tests, closed after. */
export function useLab(): { readonly lab: Lab; readonly database: Database } {
  const ctx: { lab?: Lab; database?: Database } = {};
  beforeAll(async () => {
    ctx.database = await openTestDatabase();
    ctx.lab = await openLab(ctx.database);
  });
  afterAll(async () => {
    await ctx.lab?.close();
    await ctx.database?.close();
  });
  return {
    get lab() {
      if (!ctx.lab) throw new Error('lab not open yet');
      return ctx.lab;
    },
    get database() {
      if (!ctx.database) throw new Error('database not open yet');
      return ctx.database;
    },
  };
}
