import { createRoot, createSignal } from 'solid-js';

/**
 * When this user last had each ticket open, kept on the device (localStorage, per user): what is new for
 * them is what changed after it. Old entries go once there are many, oldest first.
 */
const MAX_ENTRIES = 5000;
const keyFor = (userId: string) => `mesa.seen.${userId}`;

function read(userId: string): Record<string, string> {
  try {
    const raw = JSON.parse(localStorage.getItem(keyFor(userId)) ?? '{}') as unknown;
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, string>) : {};
  } catch {
    return {};
  }
}

const [seenState, setSeenState] = createRoot(() => createSignal<{ userId: string; at: Record<string, string> }>());

/** The seen map of `userId`, reactive. */
export function seenBy(userId: string): Record<string, string> {
  const current = seenState();
  if (current?.userId === userId) return current.at;
  const at = read(userId);
  queueMicrotask(() => setSeenState({ userId, at }));
  return at;
}

export function markSeen(userId: string, ticketId: string, when = new Date().toISOString()): void {
  const at = { ...seenBy(userId), [ticketId]: when };
  const ids = Object.keys(at);
  if (ids.length > MAX_ENTRIES) {
    for (const id of ids
      .sort((a, b) => (at[a] as string).localeCompare(at[b] as string))
      .slice(0, ids.length - MAX_ENTRIES)) {
      delete at[id];
    }
  }
  try {
    localStorage.setItem(keyFor(userId), JSON.stringify(at));
  } catch {
    // A full storage only means the alert comes back; the ticket itself is safe in the device store.
  }
  setSeenState({ userId, at });
}
