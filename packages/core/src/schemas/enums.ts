import { z } from 'zod';

export const roles = ['customer', 'technician', 'agent', 'supervisor', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;
/** Roles that work tickets (everyone but the customer). */
export const staffRoles: readonly Role[] = ['technician', 'agent', 'supervisor', 'admin'];
export const isStaff = (role: Role): boolean => role !== 'customer';

export const languages = ['es', 'en'] as const;
export const languageSchema = z.enum(languages);
export type Language = z.infer<typeof languageSchema>;

export const ticketStatuses = [
  'new',
  'open',
  'in_progress',
  'pending_customer',
  'pending_third_party',
  'attended',
  'resolved',
  'closed',
] as const;
export const ticketStatusSchema = z.enum(ticketStatuses);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** Seed 003: severity and urgency share the same four levels. */
export const levels = ['critical', 'high', 'medium', 'low'] as const;
export const severitySchema = z.enum(levels);
export type Severity = z.infer<typeof severitySchema>;
export const urgencySchema = z.enum(levels);
export type Urgency = z.infer<typeof urgencySchema>;

export const priorities = ['P1', 'P2', 'P3', 'P4'] as const;
export const prioritySchema = z.enum(priorities);
export type Priority = z.infer<typeof prioritySchema>;

export const channels = ['web', 'email', 'phone', 'field'] as const;
export const channelSchema = z.enum(channels);
export type Channel = z.infer<typeof channelSchema>;

/** Support tiers (seed 002: escalation by the expertise needed). */
export const supportTiers = [1, 2, 3] as const;
export const supportTierSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type SupportTier = z.infer<typeof supportTierSchema>;

export const articleKinds = ['public_reply', 'internal_note', 'email_in', 'email_out'] as const;
export const articleKindSchema = z.enum(articleKinds);
export type ArticleKind = z.infer<typeof articleKindSchema>;
