import {
  defaultQueueFilter,
  inQueue,
  isQueueState,
  keepOrder,
  type LocalTicket,
  type Priority,
  priorities,
  type QueueFilter,
  type QueueSort,
  queueSorts,
  sitesWithin,
  slaCountdown,
  sortQueue,
  statusLabels,
  ticketStatuses,
} from '@mesa/core';
import { useNavigate, useSearchParams } from '@solidjs/router';
import { createWindowVirtualizer } from '@tanstack/solid-virtual';
import { createEffect, createMemo, createSignal, createUniqueId, For, on, onCleanup, Show } from 'solid-js';
import { departmentName, useReference, useTickets } from '../data/queries';
import { pick, t } from '../i18n';
import { formatDuration, ticketHref } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { firstParam } from '../lib/params';
import { useShortcuts } from '../lib/shortcuts';
import { searchMatcher } from '../lib/ticket-search';
import { currentUser } from '../session';
import { DeskBoard } from './desk-board';
import { DeskBulk } from './desk-bulk';
import { SlaCountdownBadge } from './sla-countdown';
import { StatusBadge } from './status-badge';
import { TicketLink } from './ticket-link';

/** A row's height on a desktop (`min-height` in styles.css); rows that wrap on narrow screens are measured. */
const ROW_HEIGHT = 100;
const ROW_GAP = 8;
/** The countdowns show minutes: a tick every 15 s keeps them within a quarter of one. */
const TICK_MS = 15_000;
/** How long a row changed elsewhere stays marked. */
const CHANGED_MS = 4_000;

/**
 * Seed 002's views: everything the role may see (global), the viewer's own departments (local), one region
 * with the regions under it, or one site. In the URL as `scope=local`, `scope=region:<id>`, `scope=site:<id>`.
 */
type Scope = { kind: 'global' } | { kind: 'local' } | { kind: 'region' | 'site'; id: string };

function scopeFrom(value: string | undefined): Scope {
  if (value === 'local') return { kind: 'local' };
  const [kind, id] = (value ?? '').split(':');
  return (kind === 'region' || kind === 'site') && id ? { kind, id } : { kind: 'global' };
}

interface ScopeData {
  myDepartments: readonly string[];
  regions: readonly { id: string; parentId: string | null }[];
  sites: readonly { id: string; regionId: string }[];
}

/** The filter and order a URL names (`?scope=&state=&dept=&priority=&owner=&org=&equipment=&sort=&q=`); anything unknown is the default. */
function filterFrom(
  params: Record<string, string | string[] | undefined>,
  data: ScopeData,
): { filter: QueueFilter; sort: QueueSort } {
  const state = firstParam(params.state);
  const priority = firstParam(params.priority);
  const sort = firstParam(params.sort);
  const dept = firstParam(params.dept);
  const org = firstParam(params.org);
  const machine = firstParam(params.equipment);
  const scope = scopeFrom(firstParam(params.scope));
  return {
    filter: {
      state: state && isQueueState(state) ? state : defaultQueueFilter.state,
      owner: firstParam(params.owner) || defaultQueueFilter.owner,
      ...(dept ? { departmentId: dept } : {}),
      ...(priority && (priorities as readonly string[]).includes(priority) ? { priority: priority as Priority } : {}),
      ...(org ? { organizationId: org } : {}),
      ...(machine ? { equipmentId: machine } : {}),
      ...(scope.kind === 'local' ? { departmentIds: data.myDepartments } : {}),
      ...(scope.kind === 'region' ? { siteIds: sitesWithin(scope.id, data.regions, data.sites) } : {}),
      ...(scope.kind === 'site' ? { siteIds: new Set([scope.id]) } : {}),
    },
    sort: sort && (queueSorts as readonly string[]).includes(sort) ? (sort as QueueSort) : 'arrival',
  };
}

/**
 * The agents' queue, computed on the device from its tickets: filtered by state, department, priority and
 * owner, searched, ordered by arrival within priority or by the nearest SLA due time, every row with its
 * countdown. Keyboard: j/k or the arrows move, Enter opens, / searches. Filters live in the URL.
 */
export function DeskQueue() {
  usePageTitle(() => t('tickets.queueTitle'));
  const ids = {
    scope: createUniqueId(),
    org: createUniqueId(),
    equipment: createUniqueId(),
    state: createUniqueId(),
    dept: createUniqueId(),
    priority: createUniqueId(),
    owner: createUniqueId(),
    sort: createUniqueId(),
    search: createUniqueId(),
  };
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const profile = useReference('profile');
  const regions = useReference('regions');
  const sites = useReference('sites');
  const organizations = useReference('organizations');
  const equipment = useReference('equipment');
  // Regions as their tree reads: each under its parent, indented.
  const regionOptions = createMemo(() => {
    const all = regions() ?? [];
    const out: { id: string; name: string; depth: number }[] = [];
    const known = new Set(all.map((r) => r.id));
    const visit = (parentId: string | null, depth: number) => {
      for (const r of all.filter(
        (x) => (x.parentId !== null && known.has(x.parentId) ? x.parentId : null) === parentId,
      )) {
        out.push({ id: r.id, name: r.name, depth });
        visit(r.id, depth + 1);
      }
    };
    visit(null, 0);
    return out;
  });
  const board = () => firstParam(params.layout) === 'board';
  const view = createMemo(() =>
    filterFrom(params, {
      myDepartments: profile()?.[0]?.departmentIds ?? [],
      regions: regions() ?? [],
      sites: sites() ?? [],
    }),
  );
  const [query, setQuery] = createSignal(firstParam(params.q) ?? '');
  createEffect(on(() => firstParam(params.q) ?? '', setQuery, { defer: true }));
  let urlTimer: ReturnType<typeof setTimeout> | undefined;
  const typed = (value: string) => {
    setQuery(value);
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => setParams({ q: value || undefined }, { replace: true }), 400);
  };

  const tickets = useTickets();
  const departments = useReference('departments');
  const staff = useReference('staff');
  const staffNames = createMemo(() => new Map((staff() ?? []).map((s) => [s.id, s.name])));
  const departmentNames = createMemo(() => new Map((departments() ?? []).map((d) => [d.id, departmentName(d)])));
  const me = () => currentUser()?.id ?? '';

  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), TICK_MS);
  onCleanup(() => {
    clearInterval(timer);
    clearTimeout(urlTimer);
  });

  const matching = createMemo(() => {
    const { filter } = view();
    const matches = searchMatcher(query());
    const user = me();
    return (tickets() ?? []).filter((ticket) => !ticket.deletedAt && inQueue(ticket, filter, user) && matches(ticket));
  });
  // The order is taken when the rows change, not on every tick: rows do not move under the pointer as
  // clocks run down (a due-time order catches up on the next change or filter).
  // While the pointer is over the list, a live change re-sorts nothing under it: the order waits until it leaves.
  const [holding, setHolding] = createSignal(false);
  let shownOrder: string[] = [];
  const rows = createMemo(() => {
    const sorted = sortQueue(matching(), view().sort, Date.now());
    const next = holding() ? keepOrder(shownOrder, sorted) : sorted;
    shownOrder = next.map((t) => t.id);
    return next;
  });
  // Another agent's (or a pull's) change to a row marks it for a moment, as a live desk shows it.
  const [changed, setChanged] = createSignal<ReadonlySet<string>>(new Set());
  let versions: Map<string, string> | undefined;
  const unmark = new Map<string, ReturnType<typeof setTimeout>>();
  createEffect(
    on(tickets, (list) => {
      if (!list) return;
      const next = new Map(list.map((t) => [t.id, t.updatedAt]));
      const before = versions;
      versions = next;
      if (!before) return;
      const fresh = [...next].filter(([id, at]) => before.get(id) !== at).map(([id]) => id);
      if (fresh.length === 0) return;
      setChanged((current) => new Set([...current, ...fresh]));
      for (const id of fresh) {
        clearTimeout(unmark.get(id));
        unmark.set(
          id,
          setTimeout(() => {
            unmark.delete(id);
            setChanged((current) => new Set([...current].filter((x) => x !== id)));
          }, CHANGED_MS),
        );
      }
    }),
  );
  onCleanup(() => {
    for (const timer of unmark.values()) clearTimeout(timer);
  });

  // Bulk changes: the tickets ticked in the list (kept by id while the view changes).
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const selectedTickets = createMemo(() => rows().filter((r) => selected().has(r.id)));
  const allSelected = () => rows().length > 0 && selectedTickets().length === rows().length;
  const [active, setActive] = createSignal(0);
  createEffect(on(rows, () => setActive((i) => Math.min(i, Math.max(0, rows().length - 1)))));

  let list: HTMLUListElement | undefined;
  let search: HTMLInputElement | undefined;
  const virtualizer = createWindowVirtualizer({
    get count() {
      return rows().length;
    },
    estimateSize: () => ROW_HEIGHT,
    gap: ROW_GAP,
    overscan: 8,
    get scrollMargin() {
      return list?.offsetTop ?? 0;
    },
  });

  const move = (to: number) => {
    const index = Math.max(0, Math.min(rows().length - 1, to));
    setActive(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
    // The row may only now be rendered: focus its link once the virtualizer placed it. A key pressed
    // before that frame already counts as being in the list.
    focusing = true;
    requestAnimationFrame(() => {
      focusing = false;
      list?.querySelector<HTMLElement>(`[data-index="${index}"] .ticket-link`)?.focus();
    });
  };
  let focusing = false;
  // The first move only puts the focus on the active row; the next ones move it.
  const step = () => (focusing || list?.contains(document.activeElement) ? 1 : 0);
  const open = (event: KeyboardEvent) => {
    if (event.target instanceof HTMLAnchorElement) return false;
    const ticket = rows()[active()];
    if (ticket) navigate(ticketHref(ticket));
    return true;
  };
  useShortcuts({
    j: () => move(active() + step()),
    ArrowDown: () => move(active() + step()),
    k: () => move(active() - step()),
    ArrowUp: () => move(active() - step()),
    Enter: open,
    '/': () => search?.focus(),
    x: () => {
      const ticket = rows()[active()];
      if (ticket) toggle(ticket.id);
    },
  });

  const set = (key: string, value: string, fallback: string) =>
    setParams({ [key]: value === fallback ? undefined : value });

  return (
    <section class="stack">
      <div class="section-header">
        <h1>{t('tickets.queueTitle')}</h1>
        <fieldset class="segmented">
          <legend class="visually-hidden">{t('board.layout')}</legend>
          <button type="button" class="button" aria-pressed={!board()} onClick={() => set('layout', 'list', 'list')}>
            {t('board.list')}
          </button>
          <button type="button" class="button" aria-pressed={board()} onClick={() => set('layout', 'board', 'list')}>
            {t('board.board')}
          </button>
        </fieldset>
      </div>
      <div class="filters">
        <div class="field field-inline">
          <label for={ids.scope}>{t('queue.scope')}</label>
          <select
            id={ids.scope}
            value={firstParam(params.scope) ?? 'global'}
            onChange={(e) => set('scope', e.currentTarget.value, 'global')}
          >
            <option value="global">{t('queue.scope.global')}</option>
            <option value="local">{t('queue.scope.local')}</option>
            <Show when={(regions() ?? []).length > 0}>
              <optgroup label={t('queue.scope.regions')}>
                <For each={regionOptions()}>
                  {(r) => <option value={`region:${r.id}`}>{`${'\u2003'.repeat(r.depth)}${r.name}`}</option>}
                </For>
              </optgroup>
            </Show>
            <Show when={(sites() ?? []).length > 0}>
              <optgroup label={t('queue.scope.sites')}>
                <For each={sites() ?? []}>{(x) => <option value={`site:${x.id}`}>{x.name}</option>}</For>
              </optgroup>
            </Show>
          </select>
        </div>
        <div class="field field-inline">
          <label for={ids.state}>{t('queue.state')}</label>
          <select
            id={ids.state}
            value={view().filter.state}
            onChange={(e) => set('state', e.currentTarget.value, 'open')}
          >
            <option value="open">{t('queue.state.open')}</option>
            <option value="closed">{t('queue.state.closed')}</option>
            <option value="all">{t('queue.state.all')}</option>
            <For each={ticketStatuses}>{(s) => <option value={s}>{pick(statusLabels[s])}</option>}</For>
          </select>
        </div>
        <div class="field field-inline">
          <label for={ids.dept}>{t('ticket.department')}</label>
          <select
            id={ids.dept}
            value={view().filter.departmentId ?? ''}
            onChange={(e) => set('dept', e.currentTarget.value, '')}
          >
            <option value="">{t('queue.allDepartments')}</option>
            <For each={departments() ?? []}>{(d) => <option value={d.id}>{departmentName(d)}</option>}</For>
          </select>
        </div>
        <div class="field field-inline">
          <label for={ids.priority}>{t('ticket.priority')}</label>
          <select
            id={ids.priority}
            value={view().filter.priority ?? ''}
            onChange={(e) => set('priority', e.currentTarget.value, '')}
          >
            <option value="">{t('queue.anyPriority')}</option>
            <For each={priorities}>{(p) => <option value={p}>{p}</option>}</For>
          </select>
        </div>
        <div class="field field-inline">
          <label for={ids.owner}>{t('ticket.owner')}</label>
          <select
            id={ids.owner}
            value={view().filter.owner}
            onChange={(e) => set('owner', e.currentTarget.value, 'any')}
          >
            <option value="any">{t('queue.owner.any')}</option>
            <option value="me">{t('queue.owner.me')}</option>
            <option value="none">{t('queue.owner.none')}</option>
            <For each={(staff() ?? []).filter((s) => s.id !== me() && s.role !== 'admin')}>
              {(s) => <option value={s.id}>{s.name}</option>}
            </For>
          </select>
        </div>
        <Show when={(organizations() ?? []).length > 0}>
          <div class="field field-inline">
            <label for={ids.org}>{t('ticket.organization')}</label>
            <select
              id={ids.org}
              value={view().filter.organizationId ?? ''}
              onChange={(e) => set('org', e.currentTarget.value, '')}
            >
              <option value="">{t('queue.anyOrganization')}</option>
              <For each={organizations() ?? []}>{(o) => <option value={o.id}>{o.name}</option>}</For>
            </select>
          </div>
        </Show>
        <Show when={(equipment() ?? []).length > 0}>
          <div class="field field-inline">
            <label for={ids.equipment}>{t('ticket.equipment')}</label>
            <select
              id={ids.equipment}
              value={view().filter.equipmentId ?? ''}
              onChange={(e) => set('equipment', e.currentTarget.value, '')}
            >
              <option value="">{t('queue.anyEquipment')}</option>
              <For each={equipment() ?? []}>
                {(x) => (
                  <option value={x.id}>
                    {x.serialNumber} · {x.model}
                  </option>
                )}
              </For>
            </select>
          </div>
        </Show>
        <div class="field field-inline">
          <label for={ids.sort}>{t('queue.sort')}</label>
          <select id={ids.sort} value={view().sort} onChange={(e) => set('sort', e.currentTarget.value, 'arrival')}>
            <option value="arrival">{t('queue.sort.arrival')}</option>
            <option value="due">{t('queue.sort.due')}</option>
          </select>
        </div>
        <div class="field field-inline">
          <label for={ids.search}>{t('tickets.search')}</label>
          <input
            id={ids.search}
            ref={search}
            type="search"
            value={query()}
            onInput={(event) => typed(event.currentTarget.value)}
            aria-keyshortcuts="/"
          />
        </div>
      </div>

      <Show when={tickets()} fallback={<p role="status">{t('app.loading')}</p>}>
        <p class="muted" role="status">
          {t('tickets.count', { count: rows().length })}
        </p>
        <Show when={rows().length === 0}>
          <p>{t('tickets.empty')}</p>
        </Show>
        <Show when={board()}>
          <DeskBoard
            rows={rows()}
            now={now()}
            ownerName={(id) => (id ? (staffNames().get(id) ?? '—') : t('queue.unassigned'))}
          />
        </Show>
        <Show when={!board()}>
          <p class="muted keyboard-hint">{t('queue.keys')}</p>
          <Show when={rows().length > 0}>
            <label class="select-all">
              <input
                type="checkbox"
                checked={allSelected()}
                onChange={() => setSelected(allSelected() ? new Set<string>() : new Set(rows().map((r) => r.id)))}
              />{' '}
              {t('bulk.selectAll', { count: rows().length })}
            </label>
          </Show>
          <Show when={selectedTickets().length > 0}>
            <DeskBulk tickets={selectedTickets()} onClear={() => setSelected(new Set<string>())} />
          </Show>
          <ul
            ref={list}
            class="ticket-list virtual desk-list"
            style={{ height: `${virtualizer.getTotalSize()}px` }}
            onPointerEnter={() => setHolding(true)}
            onPointerLeave={() => setHolding(false)}
          >
            <For each={virtualizer.getVirtualItems()}>
              {(item) => {
                const ticket = () => rows()[item.index];
                return (
                  <Show when={ticket()}>
                    {(row) => (
                      <li
                        ref={(el) => queueMicrotask(() => virtualizer.measureElement(el))}
                        class="ticket-row"
                        classList={{ active: active() === item.index, changed: changed().has(row().id) }}
                        data-index={item.index}
                        style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
                      >
                        <input
                          type="checkbox"
                          class="row-select"
                          checked={selected().has(row().id)}
                          onChange={() => toggle(row().id)}
                          aria-label={t('bulk.select', { number: row().number || t('ticket.pendingNumber') })}
                        />
                        <DeskRow
                          ticket={row()}
                          now={now()}
                          owner={row().ownerId ? (staffNames().get(row().ownerId as string) ?? '—') : null}
                          department={departmentNames().get(row().departmentId) ?? '—'}
                          onFocus={() => setActive(item.index)}
                        />
                      </li>
                    )}
                  </Show>
                );
              }}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}

function DeskRow(props: {
  ticket: LocalTicket;
  now: number;
  owner: string | null;
  department: string;
  onFocus: () => void;
}) {
  const clock = () => slaCountdown(props.ticket, props.now);
  const requester = () =>
    [props.ticket.requester.name, props.ticket.requester.organization].filter(Boolean).join(' · ');
  return (
    <>
      <TicketLink ticket={props.ticket} onFocus={props.onFocus} />
      <dl class="ticket-meta desk-meta">
        <div>
          <dt class="visually-hidden">{t('ticket.status')}</dt>
          <dd>
            <StatusBadge status={props.ticket.status} />
          </dd>
        </div>
        <div>
          <dt class="visually-hidden">{t('ticket.priority')}</dt>
          <dd>
            <span class={`badge priority-${props.ticket.priority}`}>{props.ticket.priority}</span>
          </dd>
        </div>
        <Show when={clock()}>
          {(c) => (
            <div>
              <dt class="visually-hidden">{t('ticket.sla')}</dt>
              <dd>
                <SlaCountdownBadge clock={c()} />
              </dd>
            </div>
          )}
        </Show>
        <div>
          <dt class="visually-hidden">{t('ticket.owner')}</dt>
          <dd>{props.owner ?? t('queue.unassigned')}</dd>
        </div>
      </dl>
      <dl class="ticket-meta desk-meta">
        <div>
          <dt class="visually-hidden">{t('ticket.requester')}</dt>
          <dd>{requester()}</dd>
        </div>
        <div>
          <dt class="visually-hidden">{t('ticket.department')}</dt>
          <dd>{props.department}</dd>
        </div>
        <div>
          <dt class="visually-hidden">{t('queue.age')}</dt>
          <dd>
            <time datetime={props.ticket.createdAt} title={t('queue.age')}>
              {formatDuration(props.now - Date.parse(props.ticket.createdAt))}
            </time>
          </dd>
        </div>
      </dl>
    </>
  );
}
