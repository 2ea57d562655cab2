import { z } from 'zod';
import { articleKinds, channels, languages, levels, priorities, roles, ticketStatuses } from '../values';

export * from '../values';

export const roleSchema = z.enum(roles);
export const languageSchema = z.enum(languages);
export const ticketStatusSchema = z.enum(ticketStatuses);
export const severitySchema = z.enum(levels);
export const urgencySchema = z.enum(levels);
export const prioritySchema = z.enum(priorities);
export const channelSchema = z.enum(channels);
export const supportTierSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export const articleKindSchema = z.enum(articleKinds);
