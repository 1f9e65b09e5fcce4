// The on-call board: per agency, who is on call now and tonight, the out-of-hours requests being
// paged with every attempt (live), escalations and acknowledgements, and the rota gaps ahead.
// Everything comes from GET /api/oncall/board, fetched again on each page.* / oncall.decision
// event (bursts coalesced) and after a reconnection that may have missed some.

import type {
  BoardAgency,
  BoardAttempt,
  BoardPage,
  BoardPeriod,
  OnCallBoard,
  PageOutcome,
  PageOutcomeReply,
  PageOutcomeRequest,
  PageStatus,
  RotaSlot,
  TimeSpan,
} from '../../src/oncall/oncall.schemas.js';
import { get, post, statusOf } from '../api.js';
import { $, h, maybe$, quietly, showError } from '../dom.js';
import { addStrings, getLang, locale, t, tEnum } from '../i18n.js';
import { coalesced } from './coalesced.js';
import { syncKeyed, unlessSame } from './keyed-list.js';
import type { View, ViewContext } from './view.js';

addStrings({
  fr: {
    'oncall.heading': 'Tableau d’astreinte',
    'oncall.refresh': 'Actualiser',
    'oncall.loading': 'Chargement…',
    'oncall.updated': 'Mis à jour le {date}.',
    'oncall.noAgency': 'Aucune agence à afficher.',
    'oncall.agency': '{name} ({code})',
    'oncall.region': 'Région : {name}',
    'oncall.staff': 'Qui est d’astreinte',
    'oncall.type': 'Astreinte « {type} »',
    'oncall.period': 'Période',
    'oncall.periodNow': 'en cours, jusqu’au {end}',
    'oncall.periodNext': 'prochaine : du {start} au {end}',
    'oncall.noPeriod': 'aucun horaire d’astreinte enregistré',
    'oncall.now': 'Appelé maintenant',
    'oncall.rota': 'Au planning',
    'oncall.nobodyNow': 'personne : les appels vont au cadre régional',
    'oncall.nobodyOnRota': 'personne',
    'oncall.person': '{name} · {mobile}',
    'oncall.slot': '{name} · {mobile} · du {start} au {end}',
    'oncall.manager': 'Cadre régional d’astreinte',
    'oncall.noManagerNow': 'aucun cadre régional d’astreinte en ce moment',
    'oncall.pages': 'Demandes hors heures ouvrées',
    'oncall.noPages': 'Aucune demande en cours ni récente.',
    'oncall.case': 'Dossier n° {number}',
    'oncall.scheduledFor': 'Premier appel prévu le {date}',
    'oncall.escalatedBadge': 'escaladé au cadre',
    'oncall.escalated': 'Escaladé au cadre régional le {date} : {reason}.',
    'oncall.reason.failed-attempts': 'technicien injoignable à plusieurs reprises',
    'oncall.reason.rota-gap': 'aucun technicien au planning',
    'oncall.reason.emergency': 'urgence vitale, cadre appelé directement',
    'oncall.acknowledged': 'Pris en charge par {name} ({target}) le {date}.',
    'oncall.unreachedText': 'Personne n’a pu être joint : l’agence a reçu le récapitulatif.',
    'oncall.outcomeText': 'Suite donnée : {outcome}.',
    'oncall.outcomeAtText': 'Suite donnée : {outcome}, le {date}.',
    'oncall.pageOutcome.INTERVENTION_PLANNED': 'intervention prévue',
    'oncall.pageOutcome.SOLVED_REMOTELY': 'résolu à distance',
    'oncall.pageOutcome.NOT_OURS': 'hors de notre ressort (coupure, autre équipement)',
    'oncall.outcomeForm': 'Suite donnée par le technicien au dossier n° {number}',
    'oncall.outcomeChoice': 'Décision après le rappel du client',
    'oncall.outcomeWhen': 'Date et heure de l’intervention',
    'oncall.outcomeSave': 'Enregistrer la suite',
    'oncall.outcomeNeedsTime': 'Indiquez la date et l’heure de l’intervention.',
    'oncall.status.SCHEDULED': 'programmé',
    'oncall.status.PAGING': 'appel en cours',
    'oncall.status.ACKNOWLEDGED': 'pris en charge',
    'oncall.status.UNREACHED': 'personne joint',
    'oncall.status.CANCELLED': 'annulé',
    'oncall.decision.page-now': 'appel immédiat',
    'oncall.decision.deferred': 'reporté au matin',
    'oncall.decision.emergency': 'urgence vitale',
    'oncall.attempts': 'Tentatives d’appel du dossier n° {number}',
    'oncall.noAttempts': 'Aucune tentative pour l’instant.',
    'oncall.attempt': 'Tentative {number}',
    'oncall.attemptTimes': 'du {start} au {end}',
    'oncall.attemptStarted': 'depuis le {start}',
    'oncall.target.TECHNICIAN': 'technicien',
    'oncall.target.MANAGER': 'cadre régional',
    'oncall.outcome.PENDING': 'en attente de réponse',
    'oncall.outcome.ACCEPTED': 'acceptée',
    'oncall.outcome.REFUSED': 'refusée',
    'oncall.outcome.NO_ANSWER': 'pas de réponse',
    'oncall.outcome.BUSY': 'occupé',
    'oncall.outcome.FAILED': 'échec de l’appel',
    'oncall.outcome.MACHINE': 'messagerie vocale',
    'oncall.outcome.NO_ACK': 'pas d’acquittement à temps',
    'oncall.gaps': 'Trous de planning jusqu’au {date}',
    'oncall.noGaps': 'Aucun trou de planning.',
    'oncall.gap':
      'Aucun technicien (astreinte « {type} ») du {start} au {end} : les appels iront au cadre régional.',
    'oncall.managerGap':
      'Aucun cadre régional du {start} au {end} : escalades et urgences n’atteindront personne.',
  },
  en: {
    'oncall.heading': 'On-call board',
    'oncall.refresh': 'Refresh',
    'oncall.loading': 'Loading…',
    'oncall.updated': 'Updated {date}.',
    'oncall.noAgency': 'No agency to show.',
    'oncall.agency': '{name} ({code})',
    'oncall.region': 'Region: {name}',
    'oncall.staff': 'Who is on call',
    'oncall.type': '“{type}” on-call',
    'oncall.period': 'Period',
    'oncall.periodNow': 'in progress, until {end}',
    'oncall.periodNext': 'next: {start} to {end}',
    'oncall.noPeriod': 'no on-call hours recorded',
    'oncall.now': 'Paged now',
    'oncall.rota': 'On the rota',
    'oncall.nobodyNow': 'nobody: calls go to the regional manager',
    'oncall.nobodyOnRota': 'nobody',
    'oncall.person': '{name} · {mobile}',
    'oncall.slot': '{name} · {mobile} · {start} to {end}',
    'oncall.manager': 'Regional on-call manager',
    'oncall.noManagerNow': 'no regional on-call manager right now',
    'oncall.pages': 'Out-of-hours requests',
    'oncall.noPages': 'No current or recent request.',
    'oncall.case': 'Case #{number}',
    'oncall.scheduledFor': 'First call due {date}',
    'oncall.escalatedBadge': 'escalated to the manager',
    'oncall.escalated': 'Escalated to the regional manager on {date}: {reason}.',
    'oncall.reason.failed-attempts': 'technician unreachable several times',
    'oncall.reason.rota-gap': 'no technician on the rota',
    'oncall.reason.emergency': 'life-safety emergency, manager called directly',
    'oncall.acknowledged': 'Taken by {name} ({target}) on {date}.',
    'oncall.unreachedText': 'Nobody could be reached: the agency got the recap.',
    'oncall.outcomeText': 'Follow-up: {outcome}.',
    'oncall.outcomeAtText': 'Follow-up: {outcome}, on {date}.',
    'oncall.pageOutcome.INTERVENTION_PLANNED': 'intervention planned',
    'oncall.pageOutcome.SOLVED_REMOTELY': 'solved remotely',
    'oncall.pageOutcome.NOT_OURS': 'not ours (outage, other equipment)',
    'oncall.outcomeForm': 'Technician’s follow-up of case {number}',
    'oncall.outcomeChoice': 'Decision after calling the customer back',
    'oncall.outcomeWhen': 'Date and time of the intervention',
    'oncall.outcomeSave': 'Save the follow-up',
    'oncall.outcomeNeedsTime': 'Give the date and time of the intervention.',
    'oncall.status.SCHEDULED': 'scheduled',
    'oncall.status.PAGING': 'paging',
    'oncall.status.ACKNOWLEDGED': 'taken',
    'oncall.status.UNREACHED': 'nobody reached',
    'oncall.status.CANCELLED': 'cancelled',
    'oncall.decision.page-now': 'paged at once',
    'oncall.decision.deferred': 'deferred to the morning',
    'oncall.decision.emergency': 'life-safety emergency',
    'oncall.attempts': 'Page attempts for case #{number}',
    'oncall.noAttempts': 'No attempt yet.',
    'oncall.attempt': 'Attempt {number}',
    'oncall.attemptTimes': '{start} to {end}',
    'oncall.attemptStarted': 'since {start}',
    'oncall.target.TECHNICIAN': 'technician',
    'oncall.target.MANAGER': 'regional manager',
    'oncall.outcome.PENDING': 'waiting for an answer',
    'oncall.outcome.ACCEPTED': 'accepted',
    'oncall.outcome.REFUSED': 'refused',
    'oncall.outcome.NO_ANSWER': 'no answer',
    'oncall.outcome.BUSY': 'busy',
    'oncall.outcome.FAILED': 'call failed',
    'oncall.outcome.MACHINE': 'voicemail',
    'oncall.outcome.NO_ACK': 'not acknowledged in time',
    'oncall.gaps': 'Rota gaps until {date}',
    'oncall.noGaps': 'No rota gap.',
    'oncall.gap':
      'No technician (“{type}” on-call) from {start} to {end}: calls will go to the regional manager.',
    'oncall.managerGap':
      'No regional manager from {start} to {end}: escalations and emergencies will reach nobody.',
  },
});

// On-call periods begin and end with the clock, not with events: a slow refresh while shown.
const REFRESH_MS = 5 * 60_000;
const OPEN = new Set<PageStatus>(['SCHEDULED', 'PAGING']);
/** The decisions an agent can enter, in the order offered. */
const OUTCOMES = [
  'INTERVENTION_PLANNED',
  'SOLVED_REMOTELY',
  'NOT_OURS',
] as const satisfies readonly PageOutcome[];

const state: {
  /** null until the first answer */
  board: OnCallBoard | null;
  shown: boolean;
  /** an event came while the board was hidden */
  stale: boolean;
} = { board: null, shown: false, stale: false };
let ctx: ViewContext | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

/** What a failed call shows: its message. */
const failure = (err: unknown) => (err instanceof Error ? err : String(err));

export const oncallView: View = {
  id: 'oncall',
  label: 'nav.oncall',
  start(context) {
    ctx = context;
    Object.assign(state, { board: null, shown: false, stale: false });
    buildFrame();
    void loadBoard();
  },
  show() {
    state.shown = true;
    if (state.stale) void loadBoard();
    clearInterval(timer);
    timer = setInterval(() => void loadBoard(), REFRESH_MS);
    maybe$('#oncall-heading')?.focus();
  },
  hide() {
    state.shown = false;
    clearInterval(timer);
  },
  onEvent(event) {
    if (event.type.startsWith('page.') || event.type === 'oncall.decision') refreshSoon();
  },
  onSynced({ reload }) {
    if (reload) refreshSoon();
  },
  render() {
    // Language changed: everything is redrawn, the live regions silenced meanwhile.
    buildFrame();
    drawBoard({ silenced: true });
  },
  stop() {
    clearInterval(timer);
    ctx = null;
    Object.assign(state, { board: null, shown: false, stale: false });
  },
};

function refreshSoon() {
  if (!ctx) return;
  if (state.shown) void loadBoard();
  else state.stale = true;
}

// ---- loading ----

/** Fetches the board; events arriving while a fetch runs cause one more fetch, not one each. */
const loadBoard = coalesced(
  async () => {
    state.stale = false;
    try {
      const board = await get<OnCallBoard>('/api/oncall/board');
      if (!ctx) return;
      state.board = board;
      showError($('#oncall-error'), null);
    } catch (err) {
      if (!ctx) return;
      if (statusOf(err) !== 401) showError($('#oncall-error'), failure(err));
    }
    drawBoard({ silenced: false });
  },
  () => ctx !== null,
);

// ---- formatting ----

const formats = new Map<string, Intl.DateTimeFormat>();
/**
 * "mar. 24 nov., 22:30" (or "22:30" alone) in the agency's time zone: on-call hours are the
 * agency's local hours, whatever the browser's.
 */
function formatAt(
  value: string | null,
  zone: string | undefined,
  { timeOnly = false }: { timeOnly?: boolean } = {},
): string {
  if (!value) return '';
  const key = `${getLang()}|${zone}|${timeOnly}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), {
      timeZone: zone,
      ...(timeOnly ? {} : { weekday: 'short', day: 'numeric', month: 'short' }),
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(key, format);
  }
  return format.format(new Date(value));
}

const time = (value: string, zone: string, options?: { timeOnly?: boolean }) =>
  h('time', { datetime: value }, formatAt(value, zone, options));
/** The end of a span: its time alone when it ends the day it began. */
function endTime(start: string, end: string, zone: string) {
  const day = (value: string) => new Date(value).toLocaleDateString('en-CA', { timeZone: zone });
  return time(end, zone, { timeOnly: day(start) === day(end) });
}

/** A translated sentence whose {placeholders} are elements (e.g. <time>), built without HTML. */
function sentence(key: string, parts: Record<string, Node | string>): Array<Node | string> {
  const text = t(key);
  const nodes: Array<Node | string> = [];
  let last = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const [placeholder, name = ''] = match;
    nodes.push(text.slice(last, match.index));
    nodes.push(parts[name] ?? placeholder);
    last = match.index + placeholder.length;
  }
  nodes.push(text.slice(last));
  return nodes.filter((n) => n !== '');
}

// ---- drawing ----

function buildFrame() {
  if (!ctx) return;
  ctx.root.replaceChildren(
    h(
      'section',
      { class: 'card oncall-head', 'aria-labelledby': 'oncall-heading' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', { id: 'oncall-heading', tabindex: '-1' }, t('oncall.heading')),
        h(
          'button',
          { type: 'button', id: 'oncall-refresh', onclick: () => loadBoard() },
          t('oncall.refresh'),
        ),
      ),
      h('p', { id: 'oncall-updated', class: 'muted' }, t('oncall.loading')),
      h('p', { id: 'oncall-error', class: 'error', role: 'alert', hidden: true }),
    ),
    h('div', { id: 'oncall-agencies', class: 'oncall-agencies' }),
  );
}

function drawBoard({ silenced }: { silenced: boolean }) {
  const board = state.board;
  if (!ctx || !board) return;
  const { root } = ctx;
  const list = $('#oncall-agencies');
  // Live updates rebuild parts of the page: keep keyboard focus where it was.
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && root.contains(active) ? active.dataset.focusKey : null;
  $('#oncall-updated').textContent = t('oncall.updated', {
    date: formatAt(board.generatedAt, board.agencies[0]?.timeZone),
  });
  if (board.agencies.length === 0) list.replaceChildren(h('p', { class: 'muted' }, t('oncall.noAgency')));
  else
    syncKeyed(
      list,
      board.agencies,
      (agency) => agency.id,
      (agency, card) => drawAgency(agency, card, board.horizon, silenced),
    );
  if (focused && !root.contains(document.activeElement))
    maybe$(`[data-focus-key="${CSS.escape(focused)}"]`, root)?.focus();
}

function drawAgency(
  agency: BoardAgency,
  existing: HTMLElement | null,
  horizon: TimeSpan,
  silenced: boolean,
): HTMLElement {
  const headingId = `oncall-agency-${agency.code}-heading`;
  const card =
    existing ??
    h(
      'section',
      {
        class: 'card oncall-agency',
        id: `oncall-agency-${agency.code}`,
        'aria-labelledby': headingId,
        dataset: { agency: agency.code },
      },
      h('h3', { id: headingId }),
      h('p', { class: 'muted oncall-region' }),
      h('div', { class: 'oncall-staff-slot' }),
      h('h4', {}, t('oncall.pages')),
      // The live region: new attempts, outcomes, escalations and acknowledgements are read out.
      h(
        'div',
        {
          class: 'oncall-pages-region',
          'aria-live': 'polite',
          'aria-relevant': 'additions text',
          dataset: { pagesAgency: agency.code },
        },
        h('ol', { class: 'oncall-pages' }),
        h('p', { class: 'muted oncall-no-pages' }, t('oncall.noPages')),
      ),
      h('div', { class: 'oncall-gaps-slot' }),
    );
  $('h3', card).textContent = t('oncall.agency', { name: agency.name, code: agency.code });
  $('.oncall-region', card).textContent = t('oncall.region', { name: agency.region.name });
  replaceSlot(card, '.oncall-staff', () =>
    unlessSame(
      maybe$('.oncall-staff', card),
      [agency.onCall, agency.region.managerNow, agency.region.managers],
      () => drawStaff(agency),
    ),
  );
  const drawPages = () =>
    syncKeyed(
      $('.oncall-pages', card),
      agency.pages,
      (page) => page.caseNumber,
      (page, node) => drawPage(page, node, agency.timeZone),
    );
  // A redraw of everything (language changed) is not news: the live region stays silent meanwhile.
  if (silenced) quietly($('.oncall-pages-region', card), drawPages);
  else drawPages();
  $('.oncall-no-pages', card).hidden = agency.pages.length > 0;
  replaceSlot(card, '.oncall-gaps', () =>
    unlessSame(maybe$('.oncall-gaps', card), [agency.rotaGaps, agency.region.managerGaps, horizon.end], () =>
      drawGaps(agency, horizon),
    ),
  );
  return card;
}

/** Puts the node `make()` returns where the `selector` node (or its empty slot) stands. */
function replaceSlot(card: HTMLElement, selector: string, make: () => HTMLElement) {
  const current = maybe$(selector, card) ?? $(`${selector}-slot`, card);
  const node = make();
  if (node !== current) current.replaceWith(node);
}

function drawStaff(agency: BoardAgency) {
  const zone = agency.timeZone;
  const person = (p: { name: string; mobile: string }) => t('oncall.person', p);
  const slots = (list: readonly RotaSlot[]) =>
    list.length
      ? h(
          'ul',
          { class: 'oncall-slots' },
          list.map((s) =>
            h(
              'li',
              {},
              sentence('oncall.slot', {
                ...s,
                start: time(s.startsAt, zone),
                end: endTime(s.startsAt, s.endsAt, zone),
              }),
            ),
          ),
        )
      : t('oncall.nobodyOnRota');
  const period = (p: BoardPeriod | null) =>
    !p
      ? t('oncall.noPeriod')
      : p.current
        ? sentence('oncall.periodNow', { end: time(p.end, zone) })
        : sentence('oncall.periodNext', { start: time(p.start, zone), end: endTime(p.start, p.end, zone) });
  const { managerNow, managers } = agency.region;
  return h(
    'div',
    { class: 'oncall-staff' },
    h('h4', {}, t('oncall.staff')),
    agency.onCall.map((type) =>
      h(
        'div',
        { class: 'oncall-type', dataset: { oncallType: type.onCallType } },
        h('h5', {}, t('oncall.type', { type: type.onCallType })),
        h(
          'dl',
          { class: 'fields' },
          h('dt', {}, t('oncall.period')),
          h('dd', {}, period(type.period)),
          h('dt', {}, t('oncall.now')),
          h(
            'dd',
            { dataset: { technicianNow: type.onCallType }, class: type.technicianNow ? false : 'warn-text' },
            type.technicianNow ? person(type.technicianNow) : t('oncall.nobodyNow'),
          ),
          h('dt', {}, t('oncall.rota')),
          h('dd', {}, slots(type.technicians)),
        ),
      ),
    ),
    h(
      'div',
      { class: 'oncall-type', dataset: { oncallManager: agency.region.code } },
      h('h5', {}, t('oncall.manager')),
      h(
        'dl',
        { class: 'fields' },
        h('dt', {}, t('oncall.now')),
        h(
          'dd',
          { dataset: { managerNow: agency.region.code }, class: managerNow ? false : 'danger-text' },
          managerNow ? person(managerNow) : t('oncall.noManagerNow'),
        ),
        h('dt', {}, t('oncall.rota')),
        h('dd', {}, slots(managers)),
      ),
    ),
  );
}

function drawPage(page: BoardPage, existing: HTMLElement | null, zone: string): HTMLElement {
  const item =
    existing ??
    h(
      'li',
      {},
      h('div', { class: 'oncall-page-summary-slot' }),
      h('ol', {
        class: 'oncall-attempts',
        id: `oncall-attempts-${page.caseNumber}`,
        dataset: { attemptsCase: String(page.caseNumber) },
      }),
      h('p', { class: 'muted oncall-no-attempts' }),
    );
  item.className = [
    'oncall-page',
    page.escalatedAt ? 'escalated' : '',
    page.status === 'UNREACHED' ? 'unreached' : '',
    page.status === 'ACKNOWLEDGED' ? 'acknowledged' : '',
  ]
    .filter(Boolean)
    .join(' ');
  Object.assign(item.dataset, {
    pageCase: String(page.caseNumber),
    pageStatus: page.status,
    escalated: page.escalatedAt ? 'true' : 'false',
  });
  const { attempts, ...summary } = page;
  replaceSlot(item, '.oncall-page-summary', () =>
    unlessSame(maybe$('.oncall-page-summary', item), { ...summary, tried: attempts.length > 0 }, () =>
      drawPageSummary(page, zone),
    ),
  );
  const list = $('.oncall-attempts', item);
  list.setAttribute('aria-label', t('oncall.attempts', { number: page.caseNumber }));
  syncKeyed(
    list,
    attempts,
    (attempt) => attempt.number,
    (attempt, node) => unlessSame(node, attempt, () => drawAttempt(attempt, zone)),
  );
  const none = $('.oncall-no-attempts', item);
  none.textContent = t('oncall.noAttempts');
  none.hidden = attempts.length > 0;
  return item;
}

function drawPageSummary(page: BoardPage, zone: string) {
  const { escalatedAt, acknowledgedAt, interventionAt } = page;
  const unreached = page.status === 'UNREACHED';
  return h(
    'div',
    { class: 'oncall-page-summary' },
    h(
      'h5',
      {},
      h(
        'a',
        { href: `#/cases/${page.caseId}`, dataset: { focusKey: `case-${page.caseNumber}` } },
        t('oncall.case', { number: page.caseNumber }),
      ),
      ' — ',
      page.subject,
    ),
    h(
      'p',
      { class: 'case-meta' },
      h('span', { class: `badge urgency-${page.urgency}` }, tEnum('urgency', page.urgency)),
      h(
        'span',
        { class: `badge page-status-${page.status}`, dataset: { status: page.status } },
        tEnum('oncall.status', page.status),
      ),
      h('span', { class: 'badge' }, tEnum('oncall.decision', page.decision)),
      escalatedAt
        ? h('span', { class: 'badge escalated', dataset: { escalatedBadge: '' } }, t('oncall.escalatedBadge'))
        : null,
    ),
    OPEN.has(page.status) && page.attempts.length === 0
      ? h('p', {}, sentence('oncall.scheduledFor', { date: time(page.scheduledFor, zone) }))
      : null,
    escalatedAt
      ? h(
          'p',
          { class: 'oncall-escalation', dataset: { escalationReason: page.escalationReason ?? '' } },
          sentence('oncall.escalated', {
            date: time(escalatedAt, zone),
            reason: tEnum('oncall.reason', page.escalationReason),
          }),
        )
      : null,
    acknowledgedAt
      ? h(
          'p',
          { class: 'oncall-acknowledged', dataset: { acknowledgedBy: page.acknowledgedBy?.name ?? '' } },
          sentence('oncall.acknowledged', {
            name: page.acknowledgedBy?.name ?? '?',
            target: tEnum('oncall.target', page.acknowledgedBy?.target),
            date: time(acknowledgedAt, zone),
          }),
        )
      : null,
    unreached ? h('p', { class: 'oncall-unreached' }, t('oncall.unreachedText')) : null,
    page.outcome
      ? h(
          'p',
          { class: 'oncall-page-outcome', dataset: { pageOutcome: page.outcome } },
          interventionAt
            ? sentence('oncall.outcomeAtText', {
                outcome: tEnum('oncall.pageOutcome', page.outcome),
                date: time(interventionAt, zone),
              })
            : sentence('oncall.outcomeText', { outcome: tEnum('oncall.pageOutcome', page.outcome) }),
        )
      : null,
    page.status === 'ACKNOWLEDGED' ? outcomeForm(page) : null,
  );
}

/**
 * [ON-11] What the technician decided after calling the customer back, when they tell it by phone
 * rather than by SMS: recorded on the case, and the agency gets it by e-mail.
 */
function outcomeForm(page: BoardPage) {
  const id = `oncall-outcome-${page.caseNumber}`;
  const choice = h(
    'select',
    { id: `${id}-choice`, name: 'outcome' },
    OUTCOMES.map((value) =>
      h(
        'option',
        { value, selected: value === (page.outcome ?? 'INTERVENTION_PLANNED') },
        tEnum('oncall.pageOutcome', value),
      ),
    ),
  );
  const when = h('input', { id: `${id}-when`, name: 'interventionAt', type: 'datetime-local' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'oncall-outcome-form', 'aria-label': t('oncall.outcomeForm', { number: page.caseNumber }) },
    h('label', { for: choice.id }, t('oncall.outcomeChoice')),
    choice,
    h('label', { for: when.id }, t('oncall.outcomeWhen')),
    when,
    h('button', { type: 'submit' }, t('oncall.outcomeSave')),
    error,
  );
  const chosen = (): PageOutcome =>
    OUTCOMES.find((value) => value === choice.value) ?? 'INTERVENTION_PLANNED';
  const planned = () => chosen() === 'INTERVENTION_PLANNED';
  const toggle = () => {
    when.disabled = !planned();
  };
  choice.addEventListener('change', toggle);
  toggle();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (planned() && !when.value) {
      showError(error, new Error(t('oncall.outcomeNeedsTime')));
      when.focus();
      return;
    }
    showError(error, null);
    try {
      // The input's local time is the browser's: agents work in the agency's time zone.
      const body: PageOutcomeRequest = {
        outcome: chosen(),
        ...(planned() ? { interventionAt: new Date(when.value).toISOString() } : {}),
      };
      await post<PageOutcomeReply>(`/api/pages/${page.id}/outcome`, body);
      void loadBoard();
    } catch (err) {
      showError(error, failure(err));
    }
  });
  return form;
}

function drawAttempt(attempt: BoardAttempt, zone: string) {
  return h(
    'li',
    {
      class: `oncall-attempt outcome-${attempt.outcome}`,
      dataset: { attempt: String(attempt.number), outcome: attempt.outcome, target: attempt.target },
    },
    h('strong', {}, t('oncall.attempt', { number: attempt.number })),
    ` · ${tEnum('oncall.target', attempt.target)} · ${attempt.name} (${attempt.mobile}) · `,
    h('span', { class: 'oncall-outcome' }, tEnum('oncall.outcome', attempt.outcome)),
    ' · ',
    h(
      'span',
      { class: 'muted' },
      attempt.endedAt
        ? sentence('oncall.attemptTimes', {
            start: time(attempt.startedAt, zone),
            end: endTime(attempt.startedAt, attempt.endedAt, zone),
          })
        : sentence('oncall.attemptStarted', { start: time(attempt.startedAt, zone) }),
    ),
  );
}

function drawGaps(agency: BoardAgency, horizon: TimeSpan) {
  const zone = agency.timeZone;
  const items = [
    ...agency.region.managerGaps.map((gap) =>
      h(
        'li',
        { class: 'oncall-gap manager-gap', dataset: { managerGap: gap.start } },
        sentence('oncall.managerGap', {
          start: time(gap.start, zone),
          end: endTime(gap.start, gap.end, zone),
        }),
      ),
    ),
    ...agency.rotaGaps.map((gap) =>
      h(
        'li',
        { class: 'oncall-gap', dataset: { rotaGap: gap.start, oncallType: gap.onCallType } },
        sentence('oncall.gap', {
          type: gap.onCallType,
          start: time(gap.start, zone),
          end: endTime(gap.start, gap.end, zone),
        }),
      ),
    ),
  ];
  return h(
    'div',
    { class: 'oncall-gaps' },
    h('h4', {}, sentence('oncall.gaps', { date: time(horizon.end, zone) })),
    items.length
      ? h('ul', { class: 'oncall-gap-list' }, items)
      : h('p', { class: 'muted' }, t('oncall.noGaps')),
  );
}
