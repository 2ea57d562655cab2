import { deepEqual, type HistoryRow, levels, statusLabels, type TicketStatus, ticketStatuses } from '@mesa/core';
import { type MessageKey, pick, t } from '../i18n';
import { formatDateTime } from './format';

/** Names the screen needs to show ids: departments and staff from the device's reference data. */
export interface HistoryNames {
  department: (id: string) => string | undefined;
  person: (id: string) => string | undefined;
}

export interface HistoryLine {
  id: number;
  at: string;
  actorName: string | null;
  text: string;
  conflict: boolean;
}

/**
 * History rows name fields by the server's columns (`requesterName`), conflict marks by the edited
 * field (`requester.name`): both map to one label. Rows of other fields (due times, counters) are the
 * server's bookkeeping and are left out; so are article events, which the conversation shows.
 */
const fieldLabels: Record<string, MessageKey> = {
  status: 'ticket.status',
  subject: 'ticket.subject',
  description: 'ticket.description',
  severity: 'ticket.severity',
  urgency: 'ticket.urgency',
  priority: 'ticket.priority',
  departmentId: 'ticket.department',
  ownerId: 'history.owner',
  supportTier: 'history.supportTier',
  cc: 'ticket.cc',
  siteId: 'history.site',
  equipmentId: 'history.equipment',
  requesterName: 'history.requesterName',
  requesterEmail: 'history.requesterEmail',
  requesterPhone: 'history.requesterPhone',
  requesterOrganization: 'history.requesterOrganization',
  requesterLocation: 'history.requesterLocation',
};

/** `requester.name` → `requesterName`: the column a conflict mark's field is stored in. */
const columnOf = (field: string): string =>
  field.replace(/\.(\w)/, (_, first: string) => first.toUpperCase()).replace('.', '');

function formatValue(column: string, value: unknown, names: HistoryNames): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '—';
  if (typeof value !== 'string') return String(value);
  if (column === 'status' && (ticketStatuses as readonly string[]).includes(value)) {
    return pick(statusLabels[value as TicketStatus]);
  }
  if ((column === 'severity' || column === 'urgency') && (levels as readonly string[]).includes(value)) {
    return t(`level.${value}` as MessageKey);
  }
  if (column === 'departmentId') return names.department(value) ?? value;
  if (column === 'ownerId') return names.person(value) ?? value;
  return value;
}

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * A ticket's history as lines for people, oldest first. A conflict mark says whose value was replaced:
 * "your value" when the viewer had written it (the latest earlier change of that field to that value).
 */
export function historyLines(rows: readonly HistoryRow[], viewerId: string | undefined, names: HistoryNames) {
  const lines: HistoryLine[] = [];
  const ordered = [...rows].sort((a, b) => a.id - b.id);
  ordered.forEach((row, index) => {
    const base = { id: row.id, at: row.at, actorName: row.actorName, conflict: false };
    const label = fieldLabels[row.field];
    if (label) {
      lines.push({
        ...base,
        text: t('history.changed', {
          field: t(label),
          from: formatValue(row.field, row.oldValue, names),
          to: formatValue(row.field, row.newValue, names),
        }),
      });
      return;
    }
    const v = record(row.newValue);
    if (row.field === 'conflict' && typeof v.field === 'string') {
      const column = columnOf(v.field);
      const fieldLabel = fieldLabels[column];
      const field = fieldLabel ? t(fieldLabel) : v.field;
      const author = ordered
        .slice(0, index)
        .reverse()
        .find((r) => r.field === column && deepEqual(r.newValue, v.overwritten));
      const params = {
        field,
        overwritten: formatValue(column, v.overwritten, names),
        value: formatValue(column, v.value, names),
        seen: formatValue(column, v.seen, names),
        actor: row.actorName ?? t('detail.system'),
        author: author?.actorName ?? t('history.someone'),
      };
      const mine = author !== undefined && author.actorId !== null && author.actorId === viewerId;
      lines.push({ ...base, conflict: true, text: t(mine ? 'history.conflictMine' : 'history.conflictOther', params) });
      return;
    }
    if (row.field === 'status_note' && typeof v.note === 'string') {
      lines.push({ ...base, text: t('history.statusNote', { note: v.note }) });
    } else if (row.field === 'bounce' && Array.isArray(v.recipients)) {
      lines.push({ ...base, text: t('history.bounce', { recipients: v.recipients.map(String).join(', ') }) });
    } else if (row.field === 'follow_up') {
      lines.push({ ...base, text: t('history.followUp') });
    }
  });
  return lines;
}

export const historyTime = (line: HistoryLine): string => formatDateTime(line.at);
