import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (19 MiB, t=2): OWASP's minimum recommendation.
export const hashPassword = (password: string): Promise<string> => hash(password);

export const verifyPassword = async (hashed: string, password: string): Promise<boolean> => {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
};

// Verifying against a fixed hash when the user does not exist keeps response times equal,
// so login timing does not reveal which e-mails have accounts.
let dummy: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string): Promise<void> => {
  dummy ??= hash('not-a-real-password');
  await verifyPassword(await dummy, password);
};
