/**
 * The product's fixed vocabularies as plain values, with no validation library: the PWA's first screen
 * reads them (labels, filters, roles) before zod loads. `schemas/enums.ts` builds the schemas from these.
 */
export const roles = ['customer', 'technician', 'agent', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];
/** Roles that work tickets (everyone but the customer). */
export const staffRoles: readonly Role[] = ['technician', 'agent', 'supervisor', 'admin'];
export const isStaff = (role: Role): boolean => role !== 'customer';
/** Agents and up manage queues; technicians only work what they are given. */
export const managesQueues = (role: Role): boolean => role === 'agent' || role === 'supervisor' || role === 'admin';

export const languages = ['es', 'en'] as const;
export type Language = (typeof languages)[number];

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
export type TicketStatus = (typeof ticketStatuses)[number];

/** Seed 003: severity and urgency share the same four levels. */
export const levels = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof levels)[number];
export type Urgency = (typeof levels)[number];

export const priorities = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof priorities)[number];

export const channels = ['web', 'email', 'phone', 'field'] as const;
export type Channel = (typeof channels)[number];

/** Support tiers (seed 002: escalation by the expertise needed). */
export const supportTiers = [1, 2, 3] as const;
export type SupportTier = (typeof supportTiers)[number];

export const articleKinds = ['public_reply', 'internal_note', 'email_in', 'email_out'] as const;
export type ArticleKind = (typeof articleKinds)[number];

/** A ticket opened on a device whose number the server has not assigned yet. */
export const isPendingNumber = (ticket: { number: string }): boolean => ticket.number === '';
