import '../zod-config';
import { emailSchema } from '@mesa/core';

/** Comma- (or semicolon-) separated addresses, each checked with the rule the server uses. */
export function parseCc(text: string): { addresses: string[]; invalid: string[] } {
  const addresses = text
    .split(/[,;]/)
    .map((address) => address.trim())
    .filter(Boolean);
  return { addresses, invalid: addresses.filter((address) => !emailSchema.safeParse(address).success) };
}
