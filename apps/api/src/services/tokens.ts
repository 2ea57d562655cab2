import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: session cookies and e-mailed links. */
export const randomToken = (): string => randomBytes(32).toString('base64url');
export const sha256Hex = (value: string | Uint8Array): string => createHash('sha256').update(value).digest('hex');
