import type { Language, Role } from '@mesa/core';
import type { Database } from '../db/client';
import type { Env } from '../env';
import type { Logger } from '../logger';
import type { Reference } from '../services/reference-service';

/** Who is calling: loaded once per request from the session cookie. */
export interface Actor {
  id: string;
  role: Role;
  name: string;
  email: string;
  language: Language;
  organizationId: string | null;
  organizationName: string | null;
  /** The actor's organization lets members see each other's tickets (seed 004). */
  orgSharesTickets: boolean;
  departmentIds: string[];
  sessionHash: string;
}

export interface Deps {
  database: Database;
  env: Env;
  log: Logger;
  reference: Reference;
  /** Public base URL used in links sent by e-mail. */
  publicUrl: string;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    lang: Language;
    actor: Actor | null;
  };
};
