// The cases screen: open cases, one case's history, and the live event feed.

import type { CaseDetail, CaseEvent, CaseList, CaseSummary } from '../../src/cases/cases.schemas.js';
import type { Viewer } from '../../src/realtime/realtime.schemas.js';
import { get, request, statusOf } from '../api.js';
import { serverNow } from '../clock.js';
import { $, type Child, h, maybe$, redrawQuietly, showError } from '../dom.js';
import { addStrings, formatDate, t, tEnum } from '../i18n.js';
import type { DomainEvent } from '../live.js';
import { caseActions } from './case-actions.js';
import { caseAppointment } from './case-appointment.js';
import { caseDeparture } from './case-departure.js';
import { coalesced } from './coalesced.js';
import { countdown, countdownBadge } from './countdown.js';
import type { View, ViewContext } from './view.js';

addStrings({
  fr: {
    'cases.overdue': 'échéance dépassée',
    'detail.dueIn': 'Échéance {date} · {left}',
    'detail.intervention': 'Intervention terrain ou autre service nécessaire',
    'detail.closedAt': 'Clos le',
    'detail.by': 'par {name}',
    'detail.viewers': 'Aussi ouvert par : {names}',
    'timeline.case.created': 'Dossier ouvert',
    'timeline.case.qualified': 'Qualification',
    'timeline.case.note': 'Note',
    'timeline.case.contact-attached': 'Nouveau contact rattaché',
    'timeline.case.closed': 'Dossier clos',
    'timeline.case.waiting': 'En attente d’un tiers',
    'timeline.case.resumed': 'Reprise après l’attente d’un tiers',
    'timeline.case.answered': 'Réponse écrite envoyée',
    'timeline.page.outcome': 'Suite donnée par le technicien',
    'detail.waiting': 'En attente d’un tiers (échéance suspendue)',
    'cases.waiting': 'en attente d’un tiers',
    'cases.holdingCall': 'appel d’attente à passer',
    'detail.holdingReply': 'Réponse d’attente',
    'detail.holdingReply.email': 'envoyée par e-mail le {date}',
    'detail.holdingReply.call': 'à donner par téléphone (pas d’e-mail) : enregistrez l’appel sortant',
    'detail.holdingReply.called': 'donnée par téléphone',
    'timeline.case.holding-reply': 'Réponse d’attente envoyée par e-mail',
    'timeline.case.holding-call-due': 'Échéance proche : appel d’attente à passer',
    'timeline.case.acknowledged': 'Accusé de réception envoyé',
    'timeline.call.received': 'Appel reçu (serveur vocal)',
    'timeline.voicemail.recorded': 'Message vocal',
    'timeline.oncall.decision': 'Décision d’astreinte',
    'timeline.page.attempt.started': 'Appel d’astreinte',
    'timeline.page.attempt.ended': 'Fin de l’appel d’astreinte',
    'timeline.page.escalated': 'Escalade au cadre d’astreinte',
    'timeline.page.acknowledged': 'Prise en charge',
    'timeline.page.unreached': 'Personne n’a été joint',
    'timeline.recap.sent': 'Récapitulatif envoyé à l’agence',
  },
  en: {
    'cases.overdue': 'overdue',
    'detail.dueIn': 'Due {date} · {left}',
    'detail.intervention': 'Field intervention or another department needed',
    'detail.closedAt': 'Closed on',
    'detail.by': 'by {name}',
    'detail.viewers': 'Also open by: {names}',
    'timeline.case.created': 'Case opened',
    'timeline.case.qualified': 'Qualification',
    'timeline.case.note': 'Note',
    'timeline.case.contact-attached': 'New contact attached',
    'timeline.case.closed': 'Case closed',
    'timeline.case.waiting': 'Waiting for a third party',
    'timeline.case.resumed': 'Resumed after waiting for a third party',
    'timeline.case.answered': 'Written answer sent',
    'timeline.page.outcome': 'Technician’s follow-up',
    'detail.waiting': 'Waiting for a third party (deadline paused)',
    'cases.waiting': 'waiting for a third party',
    'cases.holdingCall': 'holding call to make',
    'detail.holdingReply': 'Holding reply',
    'detail.holdingReply.email': 'sent by e-mail on {date}',
    'detail.holdingReply.call': 'to give by phone (no e-mail): record the outbound call',
    'detail.holdingReply.called': 'given by phone',
    'timeline.case.holding-reply': 'Holding reply sent by e-mail',
    'timeline.case.holding-call-due': 'Deadline near: holding call to make',
    'timeline.case.acknowledged': 'Acknowledgement sent',
    'timeline.call.received': 'Call received (IVR)',
    'timeline.voicemail.recorded': 'Voice message',
    'timeline.oncall.decision': 'On-call decision',
    'timeline.page.attempt.started': 'On-call page',
    'timeline.page.attempt.ended': 'On-call page ended',
    'timeline.page.escalated': 'Escalated to the on-call manager',
    'timeline.page.acknowledged': 'Taken in charge',
    'timeline.page.unreached': 'Nobody reached',
    'timeline.recap.sent': 'Recap sent to the agency',
  },
});

const MAX_EVENTS = 100;

const state: {
  /** null until the first load, so "no cases" is not shown while loading. */
  cases: CaseList | null;
  selectedId: string | null;
  detail: CaseDetail | null;
  /** Newest first. */
  events: DomainEvent[];
  /** Who else has the open case open. */
  viewers: Viewer[];
} = { cases: null, selectedId: null, detail: null, events: [], viewers: [] };
let ctx: ViewContext | null = null;

export const casesView: View = {
  id: 'cases',
  label: 'nav.cases',
  start(context) {
    ctx = context;
    Object.assign(state, { cases: null, selectedId: null, detail: null, events: [], viewers: [] });
    renderAll();
    void loadCases();
    ticker = setInterval(tick, 1000);
  },
  show(caseId) {
    if (caseId && caseId !== state.selectedId) return void selectCase(caseId, { focus: true });
    if (!caseId) $('#cases-heading').focus();
    announceViewing();
  },
  hide() {
    ctx?.emit('presence:viewing', { caseId: null });
  },
  onConnected: announceViewing,
  onEvent: handleEvent,
  /** Who else has the open case open (the server's presence messages; oneself left out). */
  onPresence({ caseId, viewers }) {
    if (!caseId || !ctx) return;
    const self = ctx.user.id;
    setViewers(
      caseId,
      viewers.filter((v) => v.userId !== self),
    );
  },
  onSynced({ reload }) {
    if (!reload) return;
    void loadCases();
    void refreshDetail();
    caseAppointment.refresh();
    caseDeparture.refresh();
  },
  render: renderAll,
  stop() {
    ctx = null;
    clearInterval(ticker);
    caseAppointment.reset();
    caseDeparture.reset();
    Object.assign(state, { cases: null, selectedId: null, detail: null, events: [], viewers: [] });
  },
};

let ticker: ReturnType<typeof setInterval> | undefined;

/** Due dates count down live: every second in the open case, every tick in the list's badges. */
function tick() {
  const now = serverNow();
  for (const node of document.querySelectorAll<HTMLElement>('#view-cases [data-due-at]')) {
    const dueAt = node.dataset.dueAt ?? '';
    const left = countdown(dueAt, now);
    const text =
      node.dataset.dueFormat === 'detail'
        ? t('detail.dueIn', { date: formatDate(dueAt), left: left.text })
        : left.text;
    if (node.textContent !== text) node.textContent = text;
    node.classList.toggle('overdue', left.overdue);
  }
}

/** Tells the others which case this agent has open, so two agents do not answer one customer. */
function announceViewing() {
  ctx?.emit('presence:viewing', { caseId: state.selectedId });
}

// ---- open cases ----

/** Reloads the list; a burst of case events while a load runs causes one more load, not many. */
const loadCases = coalesced(
  async () => {
    try {
      state.cases = await get<CaseList>('/api/cases');
      showError($('#cases-error'), null);
    } catch (err) {
      if (statusOf(err) !== 401) showError($('#cases-error'), err as Error);
    }
    renderCases();
  },
  () => ctx !== null,
);

const dueBadge = (dueAt: string, format: 'list' | 'detail') =>
  countdownBadge(dueAt, format, (left) =>
    format === 'detail' ? t('detail.dueIn', { date: formatDate(dueAt), left: left.text }) : left.text,
  );

export function customerName(customer: CaseSummary['customer']): string {
  if (!customer) return t('cases.noCustomer');
  const name = [customer.lastName, customer.firstName].filter(Boolean).join(' ');
  return `${name} · ${customer.reference}`;
}

function renderCases() {
  const list = $('#cases');
  // The list is redrawn on live updates: keep keyboard focus on the same case.
  const active = document.activeElement;
  const focusedId = active instanceof HTMLElement && list.contains(active) ? active.dataset.caseId : null;
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
            kase.waitingSince
              ? h('span', { class: 'badge', dataset: { waiting: '' } }, t('cases.waiting'))
              : null,
            kase.detailsToCheck
              ? h('span', { class: 'badge warn', dataset: { detailsToCheck: '' } }, t('cases.detailsToCheck'))
              : null,
            kase.holdingCallDue
              ? h('span', { class: 'badge warn', dataset: { holdingCall: '' } }, t('cases.holdingCall'))
              : null,
            h('span', {}, customerName(kase.customer)),
          ),
          h(
            'span',
            { class: 'case-meta muted' },
            t('cases.opened', { date: formatDate(kase.openedAt) }),
            kase.dueAt ? ` · ${t('cases.due', { date: formatDate(kase.dueAt) })} ` : '',
            kase.dueAt ? dueBadge(kase.dueAt, 'list') : null,
          ),
        ),
      ),
    );
  }
  if (focusedId) maybe$(`[data-case-id="${CSS.escape(focusedId)}"]`, list)?.focus();
}

$('#cases-refresh').addEventListener('click', () => loadCases());

// ---- one case ----

/** Opens a case: the list marks it and the other consoles hear who has it open; then it loads. */
async function selectCase(id: string, { focus }: { focus: boolean }) {
  if (state.selectedId !== id) {
    state.viewers = [];
    caseActions.reset();
    caseAppointment.reset();
    caseDeparture.reset();
    state.selectedId = id;
    announceViewing();
    renderCases();
  }
  await refreshDetail();
  // The case's title, or the error saying why it did not load.
  if (focus) (maybe$<HTMLElement>('#detail-title') ?? $<HTMLElement>('#detail-error')).focus();
}

/** Reloads the open case; its events while a load runs cause one more load, not one each. */
const refreshDetail = coalesced(
  async () => {
    const id = state.selectedId;
    if (!id) return;
    try {
      const detail = await get<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`);
      // The user may have picked another case while this one was loading.
      if (state.selectedId !== id) return;
      state.detail = detail;
      showError($('#detail-error'), null);
    } catch (err) {
      if (state.selectedId !== id) return;
      state.detail = null;
      if (statusOf(err) !== 401) showError($('#detail-error'), err as Error);
    }
    renderDetail();
  },
  () => ctx !== null,
);

/** An event's or a contact's JSON data as an object, or null when it is none (a string, null…). */
const fieldsOf = (data: unknown): Record<string, unknown> | null =>
  data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : null;

/** A short, readable line from a JSON object: "key: value, key: value". */
export function summarize(data: unknown): string {
  const fields = fieldsOf(data);
  if (!fields) return data ? String(data) : '';
  const text = Object.entries(fields)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

function timelineLabel(event: CaseEvent): string {
  const key = `timeline.${event.type}`;
  const label = t(key) === key ? `${t('detail.event')} · ${event.type}` : t(key);
  const by = fieldsOf(event.data)?.by;
  return by ? `${label} · ${t('detail.by', { name: String(by) })}` : label;
}

function withoutAuthor(data: unknown): unknown {
  const fields = fieldsOf(data);
  if (!fields) return data;
  const { by: _by, userId: _userId, caseId: _caseId, ...rest } = fields;
  return rest;
}

interface TimelineItem {
  at: string;
  label: string;
  text: string;
}

function timelineOf(detail: CaseDetail): TimelineItem[] {
  const items: TimelineItem[] = [
    ...detail.events.map((e) => ({
      at: e.at,
      label: timelineLabel(e),
      text: e.type === 'case.note' ? String(fieldsOf(e.data)?.text ?? '') : summarize(withoutAuthor(e.data)),
    })),
    ...detail.contacts.map((c) => ({
      at: c.at,
      label: `${t('detail.contact')} · ${tEnum('direction', c.direction)} · ${c.channel}`,
      text: c.summary || summarize(c.details),
    })),
    ...detail.messages.map((m) => ({
      at: m.sentAt ?? m.createdAt,
      label: `${t('detail.message')} · ${tEnum('direction', m.direction)} · ${m.channel} · ${m.status}`,
      text: [m.body, m.errorCode ? t('detail.error', { code: m.errorCode }) : ''].filter(Boolean).join(' — '),
    })),
  ];
  return items.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

function renderDetail() {
  const box = $('#detail');
  const detail = state.detail;
  const focused = document.activeElement;
  const hadFocus = box.contains(focused);
  if (!detail) {
    box.replaceChildren(h('p', { class: 'muted' }, t('detail.none')));
    return;
  }
  const field = (label: string, value: Child) => (value ? [h('dt', {}, label), h('dd', {}, value)] : []);
  const timeline = timelineOf(detail);
  // Forms in progress survive a live redraw of the case (a page attempt arriving mid-note).
  const drafts = caseActions.saveDrafts(box);
  // replaceChildren would write a null as the text "null": the parts not shown are left out.
  const parts = [
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
      detail.dueAt && !detail.closedAt && !detail.waitingSince
        ? field(t('detail.due'), dueBadge(detail.dueAt, 'detail'))
        : [],
      detail.waitingSince ? field(t('detail.waiting'), detail.waitingFor) : [],
      detail.holdingReplyAt ? field(t('detail.holdingReply'), holdingReply(detail)) : [],
      field(t('detail.closedAt'), formatDate(detail.closedAt)),
      detail.needsIntervention ? field(t('detail.intervention'), '✓') : [],
      field(t('detail.description'), detail.description),
    ),
    state.viewers.length
      ? h(
          'p',
          { class: 'notice viewers', role: 'status' },
          t('detail.viewers', { names: state.viewers.map((v) => v.displayName).join(', ') }),
        )
      : null,
    caseAppointment.card(detail),
    caseDeparture.card(detail, (hash) => ctx?.navigate(hash)),
    caseActions(detail, { request, reload: refreshDetail }),
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
  ];
  box.replaceChildren(...parts.filter((part) => part !== null));
  const restored = caseActions.restoreDrafts(box, drafts);
  // The appointment card is kept across redraws: a control of it that had focus gets it back.
  const kept = focused instanceof HTMLElement && focused !== document.activeElement && box.contains(focused);
  if (kept) focused.focus();
  if (hadFocus && !restored && !kept) $('#detail-title').focus();
}

// ---- live events ----

function setViewers(caseId: string, viewers: Viewer[]) {
  if (caseId !== state.selectedId) return;
  state.viewers = viewers;
  renderDetail();
}

function handleEvent(event: DomainEvent) {
  state.events.unshift(event);
  state.events.length = Math.min(state.events.length, MAX_EVENTS);
  // Prepend one item rather than redraw: the list is an aria-live region, and a redraw would
  // make screen readers read the whole list again.
  const list = $('#events');
  list.prepend(eventItem(event));
  while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove();
  $('#events-empty').hidden = true;

  if (event.type.startsWith('case.')) void loadCases();
  if (state.selectedId && event.data.caseId === state.selectedId) {
    void refreshDetail();
    if (event.type.startsWith('appointment.')) caseAppointment.refresh();
    if (/^(departure|work-list)\./.test(event.type)) caseDeparture.refresh();
  }
}

function eventItem(event: DomainEvent) {
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

/** [CS-4] How the holding reply was given, or that an agent still has to phone it. */
function holdingReply(detail: CaseDetail): string {
  if (detail.holdingCallDue) return t('detail.holdingReply.call');
  const emailed = detail.contacts.some((c) => fieldsOf(c.details)?.holdingReply === true);
  return emailed
    ? t('detail.holdingReply.email', { date: formatDate(detail.holdingReplyAt) })
    : t('detail.holdingReply.called');
}
