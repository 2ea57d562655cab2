import { availableParallelism } from 'node:os';
import { AppError, ErrorCode } from '@mesa/core';
import { hash, verify } from '@node-rs/argon2';
import { WorkSlots } from '../db/work-slots';

/**
 * argon2id (19 MiB, t=2: OWASP's minimum) runs on libuv's thread pool, not on the event loop, but each
 * one is ~50 ms of a whole core: 200 at once took every core and the pool's four threads (which file and
 * DNS work need too) for 12 s. So hashing takes turns: at most one hash per spare core at a time, a short
 * line behind them, and a clear SERVER_BUSY for whatever does not fit, instead of a pile-up.
 */
export const hashQueue = (concurrency: number, maxWaiting: number) =>
  new WorkSlots(concurrency, {
    maxWaiting,
    full: () => new AppError(ErrorCode.SERVER_BUSY, 'password hashing queue is full', { retryAfterSeconds: 2 }),
  });

const queue = hashQueue(Math.max(1, availableParallelism() - 1), 32);

export const hashPassword = (password: string): Promise<string> => queue.run(() => hash(password));

/** A login that could not be hashed now is refused before it touches the database (see HashQueue). */
export const assertHashingRoom = (): void => queue.assertRoom();

export const verifyPassword = (hashed: string, password: string): Promise<boolean> =>
  queue.run(async () => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  });

// Verifying against a fixed hash when the user does not exist keeps response times equal,
// so login timing does not reveal which e-mails have accounts.
let dummy: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string): Promise<void> => {
  dummy ??= hash('not-a-real-password');
  await verifyPassword(await dummy, password);
};
