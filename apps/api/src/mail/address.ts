/**
 * Whether an address is a mailbox we may write to or make a contact of. mailparser keeps whatever a From header
 * holds (`"millions lottery spain transfer"@example.com>`, `"broken <<joe@"@example..com`); sending there either
 * fails or reaches someone who never wrote. zod's e-mail check (the one the API's schemas use) is the rule: a
 * dot-atom local part and a domain of hostname labels with a TLD, which is what real mailboxes look like.
 */
import { z } from 'zod';

const MAILBOX = z.email();

/** True for a plain, deliverable-looking mailbox address (`ana.gomez+t@example.com`). */
export const isMailbox = (address: string): boolean => address.length <= 254 && MAILBOX.safeParse(address).success;
