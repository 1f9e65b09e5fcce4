// The cases screen: open cases, one case's history, and the live event feed.

import { get } from '../api.js';
import { $, h, redrawQuietly, showError } from '../dom.js';
import { formatDate, t, tEnum } from '../i18n.js';

const MAX_EVENTS = 100;

const state = {
  cases: null, // null until the first load, so "no cases" is not shown while loading
  selectedId: null,
  detail: null,
  events: [], // newest first
};
let ctx = null;

export const casesView = {
  id: 'cases',
  label: 'nav.cases',
  start(context) {
    ctx = context;
    Object.assign(state, { cases: null, selectedId: null, detail: null, events: [] });
    renderAll();
    void loadCases();
  },
  show(caseId) {
    if (caseId && caseId !== state.selectedId) void loadDetail(caseId, { focus: true });
    else if (!caseId) $('#cases-heading').focus();
  },
  onEvent: handleEvent,
  onSynced({ reload }) {
    if (!reload) return;
    void loadCases();
    if (state.selectedId) void loadDetail(state.selectedId, { focus: false });
  },
  render: renderAll,
  stop() {
    ctx = null;
    Object.assign(state, { cases: null, selectedId: null, detail: null, events: [] });
  },
};

// ---- open cases ----

let loading = null;
let loadAgain = false;

/** Reloads the list; a burst of case events while a load runs causes one more load, not many. */
function loadCases() {
  if (loading) {
    loadAgain = true;
    return loading;
  }
  loading = (async () => {
    try {
      do {
        loadAgain = false;
        try {
          state.cases = await get('/api/cases');
          showError($('#cases-error'), null);
        } catch (err) {
          if (err.status !== 401) showError($('#cases-error'), err);
        }
        renderCases();
      } while (loadAgain && ctx);
    } finally {
      // Cleared here, not by the caller, so a request arriving just now is never dropped.
      loading = null;
    }
  })();
  return loading;
}

export function customerName(customer) {
  if (!customer) return t('cases.noCustomer');
  const name = [customer.lastName, customer.firstName].filter(Boolean).join(' ');
  return `${name} · ${customer.reference}`;
}

function renderCases() {
  const list = $('#cases');
  // The list is redrawn on live updates: keep keyboard focus on the same case.
  const focusedId = list.contains(document.activeElement) ? document.activeElement.dataset.caseId : null;
  list.replaceChildren();
  if (state.cases === null) {
    $('#cases-count').textContent = t('cases.loading');
    return;
  }
  $('#cases-count').textContent = state.cases.length
    ? t('cases.count', { count: state.cases.length })
    : t('cases.empty');
  for (const kase of state.cases) {
    const selected = kase.id === state.selectedId;
    list.append(
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'case-button',
            dataset: { caseId: kase.id },
            'aria-current': selected ? 'true' : false,
            onclick: () => ctx?.navigate(`#/cases/${kase.id}`),
          },
          h(
            'span',
            { class: 'case-title' },
            h('strong', {}, t('cases.number', { number: kase.number })),
            ' ',
            kase.subject,
          ),
          h(
            'span',
            { class: 'case-meta' },
            h('span', { class: `badge urgency-${kase.urgency}` }, tEnum('urgency', kase.urgency)),
            h('span', { class: 'badge' }, tEnum('status', kase.status)),
            kase.multiContact ? h('span', { class: 'badge warn' }, t('cases.multi')) : null,
            h('span', {}, customerName(kase.customer)),
          ),
          h(
            'span',
            { class: 'case-meta muted' },
            t('cases.opened', { date: formatDate(kase.openedAt) }),
            kase.dueAt ? ` · ${t('cases.due', { date: formatDate(kase.dueAt) })}` : '',
          ),
        ),
      ),
    );
  }
  if (focusedId) list.querySelector(`[data-case-id="${CSS.escape(focusedId)}"]`)?.focus();
}

$('#cases-refresh').addEventListener('click', () => loadCases());

// ---- one case ----

async function loadDetail(id, { focus }) {
  state.selectedId = id;
  renderCases();
  try {
    const detail = await get(`/api/cases/${encodeURIComponent(id)}`);
    // The user may have picked another case while this one was loading.
    if (state.selectedId !== id) return;
    state.detail = detail;
    showError($('#detail-error'), null);
  } catch (err) {
    if (state.selectedId !== id) return;
    state.detail = null;
    if (err.status !== 401) showError($('#detail-error'), err);
  }
  renderDetail();
  if (focus) ($('#detail-title') ?? $('#detail-error')).focus();
}

/** A short, readable line from a JSON object: "key: value, key: value". */
export function summarize(data) {
  if (!data || typeof data !== 'object') return data ? String(data) : '';
  const text = Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`)
    .join(', ');
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

function timelineOf(detail) {
  const items = [
    ...(detail.events ?? []).map((e) => ({
      at: e.at,
      label: `${t('detail.event')} · ${e.type}`,
      text: summarize(e.data),
    })),
    ...(detail.contacts ?? []).map((c) => ({
      at: c.at,
      label: `${t('detail.contact')} · ${tEnum('direction', c.direction)} · ${c.channel}`,
      text: c.summary || summarize(c.details),
    })),
    ...(detail.messages ?? []).map((m) => ({
      at: m.sentAt ?? m.createdAt,
      label: `${t('detail.message')} · ${tEnum('direction', m.direction)} · ${m.channel} · ${m.status}`,
      text: [m.body, m.errorCode ? t('detail.error', { code: m.errorCode }) : ''].filter(Boolean).join(' — '),
    })),
  ];
  return items.sort((a, b) => new Date(a.at) - new Date(b.at));
}

function renderDetail() {
  const box = $('#detail');
  const detail = state.detail;
  const hadFocus = box.contains(document.activeElement);
  if (!detail) {
    box.replaceChildren(h('p', { class: 'muted' }, t('detail.none')));
    return;
  }
  const field = (label, value) => (value ? [h('dt', {}, label), h('dd', {}, value)] : []);
  const timeline = timelineOf(detail);
  box.replaceChildren(
    h(
      'h3',
      { id: 'detail-title', tabindex: '-1' },
      t('detail.title', { number: detail.number }),
      ' — ',
      detail.subject,
    ),
    h(
      'dl',
      { class: 'fields' },
      field(t('detail.customer'), customerName(detail.customer)),
      field(t('detail.category'), detail.category),
      field(t('detail.kind'), tEnum('kind', detail.kind)),
      field(t('detail.status'), tEnum('status', detail.status)),
      field(t('detail.urgency'), tEnum('urgency', detail.urgency)),
      field(t('detail.opened'), formatDate(detail.openedAt)),
      field(t('detail.due'), formatDate(detail.dueAt)),
      field(t('detail.description'), detail.description),
    ),
    h('h4', {}, t('detail.timeline')),
    timeline.length
      ? h(
          'ol',
          { class: 'timeline' },
          timeline.map((item) =>
            h(
              'li',
              {},
              h('time', { datetime: item.at }, formatDate(item.at)),
              h('span', { class: 'timeline-label' }, item.label),
              item.text ? h('span', { class: 'timeline-text' }, item.text) : null,
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('detail.timelineEmpty')),
  );
  if (hadFocus) $('#detail-title').focus();
}

// ---- live events ----

function handleEvent(event) {
  state.events.unshift(event);
  state.events.length = Math.min(state.events.length, MAX_EVENTS);
  // Prepend one item rather than redraw: the list is an aria-live region, and a redraw would
  // make screen readers read the whole list again.
  const list = $('#events');
  list.prepend(eventItem(event));
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  $('#events-empty').hidden = true;

  if (event.type?.startsWith('case.')) void loadCases();
  if (state.selectedId && event.data?.caseId === state.selectedId)
    void loadDetail(state.selectedId, { focus: false });
}

function eventItem(event) {
  return h(
    'li',
    {},
    h('time', { datetime: event.at }, formatDate(event.at)),
    h('code', {}, event.type),
    h('span', { class: 'event-data' }, summarize(event.data)),
  );
}

function renderEvents() {
  redrawQuietly($('#events'), state.events.map(eventItem));
  $('#events-empty').hidden = state.events.length > 0;
}

function renderAll() {
  renderCases();
  renderDetail();
  renderEvents();
}
