// The Appointments screen [AP-1..5]: the appointments of a range of days (today and the next 14
// by default) of the agent's agency, grouped by day, with their status, the customer's last SMS
// reply and the agent's actions (confirmed on the phone, cancel, move, missed); the calls to make
// after a change by the company [AP-4]; the cases the scheduling team is to call back [AP-2].
// Live: every appointment.* event reads the lists again (coalesced), so a customer's "OUI" turns
// the badge to "confirmé" without a reload; only the rows that changed are redrawn.

import type {
  AppointmentList,
  AppointmentParty,
  FreeSlots,
  ListedAppointment,
  SchedulingCallbacks,
} from '../../src/appointments/appointments.schemas.js';
import { get, post, statusOf } from '../api.js';
import { serverNow } from '../clock.js';
import { h, maybe$, quietly, showError } from '../dom.js';
import { addStrings, formatDate, t, tEnum } from '../i18n.js';
import {
  dayLabel,
  dayOf,
  explainRefusal,
  interventionLabel,
  localDay,
  slotTime,
  statusBadge,
} from './appointment-parts.js';
import { coalesced } from './coalesced.js';
import { syncKeyed, unlessSame } from './keyed-list.js';
import type { View, ViewContext } from './view.js';

addStrings({
  fr: {
    'nav.appointments': 'Rendez-vous',
    'appts.heading': 'Rendez-vous',
    'appts.refresh': 'Actualiser',
    'appts.from': 'Du',
    'appts.to': 'Au',
    'appts.show': 'Afficher',
    'appts.loading': 'Chargement…',
    'appts.empty': 'Aucun rendez-vous du {from} au {to}.',
    'appts.count': {
      one: '{count} rendez-vous du {from} au {to}',
      other: '{count} rendez-vous du {from} au {to}',
    },
    'appts.list': 'Rendez-vous par jour',
    'appts.today': '{day} (aujourd’hui)',
    'appts.case': 'dossier n° {number}',
    'appts.reply': 'dernière réponse : « {body} » le {date}',
    'appts.noReply': 'pas de réponse du client',
    'appts.offered': {
      one: '{count} créneau proposé par SMS',
      other: '{count} créneaux proposés par SMS',
    },
    'appts.cancelledBy': 'annulé par {party}',
    'appts.missedBy': 'manqué par {party}',
    'appts.reason': 'motif : {reason}',
    'appts.confirm': 'Confirmé par téléphone',
    'appts.cancel': 'Annuler',
    'appts.move': 'Déplacer',
    'appts.missed': 'Manqué',
    'appts.actionLabel': '{action} : rendez-vous du dossier n° {number}, {day} {time}',
    'appts.confirmed': 'Rendez-vous du dossier n° {number} confirmé.',
    'appts.done.cancel': 'Rendez-vous du dossier n° {number} annulé.',
    'appts.done.move': 'Rendez-vous du dossier n° {number} déplacé : le client est prévenu par SMS.',
    'appts.done.missed': 'Rendez-vous du dossier n° {number} marqué manqué.',

    'appts.action.cancel': 'Annuler le rendez-vous',
    'appts.action.move': 'Déplacer le rendez-vous',
    'appts.action.missed': 'Rendez-vous manqué',
    'appts.action.of': 'Dossier n° {number} · {day} {time}',
    'appts.action.by': 'Par',
    'appts.action.cancelCustomer': 'le client (le créneau est libéré)',
    'appts.action.cancelCompany':
      'l’entreprise (excuses et nouveaux créneaux par SMS, un appel au client à passer)',
    'appts.action.missedCustomer': 'le client était absent (le déplacement peut être facturé)',
    'appts.action.missedCompany':
      'l’entreprise n’est pas venue (excuses et nouveaux créneaux par SMS, un appel au client à passer)',
    'appts.action.reason': 'Motif',
    'appts.action.reasonRequired': 'Le motif est obligatoire quand l’entreprise annule.',
    'appts.action.slot': 'Nouveau créneau',
    'appts.action.slotsLoading': 'Recherche des créneaux libres…',
    'appts.action.noSlot': 'Aucun créneau libre dans les jours proposables.',
    'appts.action.moveHint': 'Le client est prévenu tout de suite par SMS, avec nos excuses.',
    'appts.action.submit.cancel': 'Annuler le rendez-vous',
    'appts.action.submit.move': 'Déplacer',
    'appts.action.submit.missed': 'Marquer manqué',
    'appts.action.close': 'Fermer',

    'appts.calls.heading': 'Appels à passer',
    'appts.calls.hint':
      'L’entreprise a annulé, déplacé ou manqué ces rendez-vous : appelez le client, avec nos excuses.',
    'appts.calls.empty': 'Aucun appel à passer.',
    'appts.calls.list': 'Appels à passer',
    'appts.calls.waiting': 'en attente du choix d’un nouveau créneau',
    'appts.calls.done': 'Client appelé',
    'appts.calls.doneLabel': 'Client appelé : dossier n° {number}',
    'appts.calls.recorded': 'Appel au client enregistré sur le dossier n° {number}.',

    'appts.callbacks.heading': 'Rappels de l’équipe planification',
    'appts.callbacks.hint':
      'Pas de créneau libre dans les 10 jours ouvrés : rappeler le client pour lui fixer un rendez-vous.',
    'appts.callbacks.empty': 'Aucun rappel demandé.',
    'appts.callbacks.list': 'Rappels demandés',
    'appts.callbacks.since': 'demandé le {date}',
  },
  en: {
    'nav.appointments': 'Appointments',
    'appts.heading': 'Appointments',
    'appts.refresh': 'Refresh',
    'appts.from': 'From',
    'appts.to': 'To',
    'appts.show': 'Show',
    'appts.loading': 'Loading…',
    'appts.empty': 'No appointments from {from} to {to}.',
    'appts.count': {
      one: '{count} appointment from {from} to {to}',
      other: '{count} appointments from {from} to {to}',
    },
    'appts.list': 'Appointments by day',
    'appts.today': '{day} (today)',
    'appts.case': 'case #{number}',
    'appts.reply': 'last reply: “{body}” on {date}',
    'appts.noReply': 'no reply from the customer',
    'appts.offered': { one: '{count} slot offered by SMS', other: '{count} slots offered by SMS' },
    'appts.cancelledBy': 'cancelled by {party}',
    'appts.missedBy': 'missed by {party}',
    'appts.reason': 'reason: {reason}',
    'appts.confirm': 'Confirmed on the phone',
    'appts.cancel': 'Cancel',
    'appts.move': 'Move',
    'appts.missed': 'Missed',
    'appts.actionLabel': '{action}: appointment of case #{number}, {day} {time}',
    'appts.confirmed': 'Appointment of case #{number} confirmed.',
    'appts.done.cancel': 'Appointment of case #{number} cancelled.',
    'appts.done.move': 'Appointment of case #{number} moved: the customer is told by SMS.',
    'appts.done.missed': 'Appointment of case #{number} marked missed.',

    'appts.action.cancel': 'Cancel the appointment',
    'appts.action.move': 'Move the appointment',
    'appts.action.missed': 'Missed appointment',
    'appts.action.of': 'Case #{number} · {day} {time}',
    'appts.action.by': 'By',
    'appts.action.cancelCustomer': 'the customer (the slot is freed)',
    'appts.action.cancelCompany': 'the company (apologies and new slots by SMS, a call to make)',
    'appts.action.missedCustomer': 'the customer was not there (the trip may be charged)',
    'appts.action.missedCompany': 'the company did not come (apologies and new slots by SMS, a call to make)',
    'appts.action.reason': 'Reason',
    'appts.action.reasonRequired': 'A reason is required when the company cancels.',
    'appts.action.slot': 'New slot',
    'appts.action.slotsLoading': 'Looking for free slots…',
    'appts.action.noSlot': 'No free slot in the days that can be offered.',
    'appts.action.moveHint': 'The customer is told at once by SMS, with our apologies.',
    'appts.action.submit.cancel': 'Cancel the appointment',
    'appts.action.submit.move': 'Move',
    'appts.action.submit.missed': 'Mark missed',
    'appts.action.close': 'Close',

    'appts.calls.heading': 'Calls to make',
    'appts.calls.hint':
      'The company cancelled, moved or missed these appointments: call the customer, with our apologies.',
    'appts.calls.empty': 'No calls to make.',
    'appts.calls.list': 'Calls to make',
    'appts.calls.waiting': 'waiting for the choice of a new slot',
    'appts.calls.done': 'Customer called',
    'appts.calls.doneLabel': 'Customer called: case #{number}',
    'appts.calls.recorded': 'Call to the customer recorded on case #{number}.',

    'appts.callbacks.heading': 'Scheduling team call-backs',
    'appts.callbacks.hint': 'No free slot within 10 working days: call the customer back to book one.',
    'appts.callbacks.empty': 'No call-back asked.',
    'appts.callbacks.list': 'Call-backs asked',
    'appts.callbacks.since': 'asked on {date}',
  },
});

const RANGE_DAYS = 14;
const HOLDING = new Set(['BOOKED', 'CONFIRMED']);
type ActionKind = 'cancel' | 'move' | 'missed';
type Callback = SchedulingCallbacks['cases'][number];

interface State {
  from: string;
  to: string;
  /** The agent chose the days (else: today and the next 14, by the service's clock). */
  chosen: boolean;
  /** null until the first load, so "no appointments" is not shown while loading. */
  appointments: ListedAppointment[] | null;
  calls: ListedAppointment[] | null;
  callbacks: Callback[] | null;
  /** The appointment an action form is open for. */
  acting: { appointment: ListedAppointment; kind: ActionKind; slots: FreeSlots | null } | null;
  shown: boolean;
  /** Events came while hidden: fetch again when shown. */
  stale: boolean;
}

const initialState = (): State => ({
  from: '',
  to: '',
  chosen: false,
  appointments: null,
  calls: null,
  callbacks: null,
  acting: null,
  shown: false,
  stale: true,
});

interface Elements {
  heading: HTMLHeadingElement;
  from: HTMLInputElement;
  to: HTMLInputElement;
  count: HTMLParagraphElement;
  error: HTMLParagraphElement;
  days: HTMLDivElement;
  action: HTMLElement;
  calls: HTMLUListElement;
  callsCount: HTMLParagraphElement;
  callbacks: HTMLUListElement;
  callbacksCount: HTMLParagraphElement;
}

let state = initialState();
let ctx: ViewContext | null = null;
let el: Elements | null = null;
let ticker: ReturnType<typeof setInterval> | undefined;

export const appointmentsView: View = {
  id: 'appointments',
  label: 'nav.appointments',
  start(context) {
    ctx = context;
    state = initialState();
    el = build(context.root);
    renderAll();
    // "Missed" is offered once an appointment has started: the rows follow the time.
    ticker = setInterval(() => renderDays(), 60_000);
  },
  show() {
    state.shown = true;
    if (!state.from) setRange(defaultRange());
    if (state.stale) {
      state.stale = false;
      reloadAll({ quiet: true });
    }
    el?.heading.focus();
  },
  hide() {
    state.shown = false;
  },
  onEvent(event) {
    const type = event.type;
    if (!type.startsWith('appointment.') && type !== 'case.closed') return;
    if (!state.shown) {
      state.stale = true;
      return;
    }
    void loadAppointments();
    void loadCalls();
    if (type === 'appointment.callback-requested' || type === 'appointment.booked' || type === 'case.closed')
      void loadCallbacks();
  },
  onSynced({ reload }) {
    if (!reload) return;
    if (state.shown) reloadAll({ quiet: true });
    else state.stale = true;
  },
  render() {
    if (!el || !ctx) return;
    // Drawn again in the chosen language; what was loaded is kept.
    el = build(ctx.root);
    setRange({ from: state.from, to: state.to });
    // The service's clock has just been read (a rehearsal's may be days away from the browser's).
    const today = defaultRange();
    if (state.from && !state.chosen && today.from !== state.from) {
      setRange(today);
      state.appointments = null;
      void loadAppointments();
    }
    renderAll({ quiet: true });
  },
  stop() {
    clearInterval(ticker);
    ctx = null;
    el = null;
    state = initialState();
  },
};

// ---- loading (coalesced: a burst of events while a load runs causes one more load) ----

const whileSignedIn = () => ctx !== null;
let quietNext = false;

const loadAppointments = coalesced(async () => {
  const { from, to } = state;
  if (!from || !to) return;
  try {
    const query = new URLSearchParams({ from, to });
    const { appointments } = await get<AppointmentList>(`/api/appointments?${query}`);
    if (!el || from !== state.from || to !== state.to) return; // another range was chosen meanwhile
    state.appointments = appointments;
    showError(el.error, null);
  } catch (err) {
    if (!el) return;
    if (statusOf(err) !== 401) showError(el.error, explainRefusal(err));
  }
  renderDays({ quiet: quietNext });
  quietNext = false;
}, whileSignedIn);

const loadCalls = coalesced(async () => {
  try {
    state.calls = (await get<AppointmentList>('/api/appointments?callDue=true')).appointments;
  } catch (err) {
    if (el && statusOf(err) !== 401) showError(el.error, explainRefusal(err));
  }
  renderCalls();
}, whileSignedIn);

const loadCallbacks = coalesced(async () => {
  try {
    state.callbacks = (await get<SchedulingCallbacks>('/api/scheduling-callbacks')).cases;
  } catch (err) {
    if (el && statusOf(err) !== 401) showError(el.error, explainRefusal(err));
  }
  renderCallbacks();
}, whileSignedIn);

function reloadAll({ quiet = false } = {}) {
  quietNext = quiet;
  void loadAppointments();
  void loadCalls();
  void loadCallbacks();
}

// ---- the range of days ----

/** Today and the next 14 days, by the service's clock. */
function defaultRange() {
  const now = serverNow();
  return { from: localDay(now), to: localDay(now + RANGE_DAYS * 24 * 3600_000) };
}

function setRange({ from, to }: { from: string; to: string }) {
  state.from = from;
  state.to = to;
  if (el) {
    el.from.value = from;
    el.to.value = to;
  }
}

function chooseRange(event: Event) {
  event.preventDefault();
  if (!el) return;
  const from = el.from.value;
  const to = el.to.value;
  if (!from || !to) return;
  // A range given backwards is read forwards.
  setRange(from <= to ? { from, to } : { from: to, to: from });
  state.chosen = true;
  state.appointments = null;
  quietNext = true;
  renderDays();
  void loadAppointments();
}

// ---- the screen's frame ----

function build(root: HTMLElement): Elements {
  root.classList.add('columns', 'appointments-screen');
  const parts: Elements = {
    heading: h('h2', { id: 'appts-heading', tabindex: '-1' }, t('appts.heading')),
    from: h('input', { type: 'date', id: 'appts-from', required: true }),
    to: h('input', { type: 'date', id: 'appts-to', required: true }),
    count: h('p', { id: 'appts-count', class: 'muted', role: 'status' }),
    error: h('p', { id: 'appts-error', class: 'error', role: 'alert', hidden: true }),
    days: h('div', {
      id: 'appts-days',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': t('appts.list'),
    }),
    action: h('section', {
      id: 'appts-action',
      class: 'card',
      'aria-labelledby': 'appts-action-heading',
      hidden: true,
    }),
    calls: h('ul', {
      id: 'appts-calls',
      class: 'appt-list',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': t('appts.calls.list'),
    }),
    callsCount: h('p', { class: 'muted', role: 'status' }),
    callbacks: h('ul', {
      id: 'appts-callbacks',
      class: 'appt-list',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': t('appts.callbacks.list'),
    }),
    callbacksCount: h('p', { class: 'muted', role: 'status' }),
  };
  root.replaceChildren(
    h(
      'div',
      { class: 'column' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'appts-heading' },
        h(
          'div',
          { class: 'card-head' },
          parts.heading,
          h('button', { type: 'button', onclick: () => reloadAll() }, t('appts.refresh')),
        ),
        h(
          'form',
          { class: 'appts-range', onsubmit: chooseRange },
          h('label', { for: 'appts-from' }, t('appts.from')),
          parts.from,
          h('label', { for: 'appts-to' }, t('appts.to')),
          parts.to,
          h('button', { type: 'submit' }, t('appts.show')),
        ),
        parts.count,
        parts.error,
        parts.days,
      ),
    ),
    h(
      'div',
      { class: 'column' },
      parts.action,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'appts-calls-heading' },
        h('h2', { id: 'appts-calls-heading' }, t('appts.calls.heading')),
        h('p', { class: 'hint' }, t('appts.calls.hint')),
        parts.callsCount,
        parts.calls,
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'appts-callbacks-heading' },
        h('h2', { id: 'appts-callbacks-heading' }, t('appts.callbacks.heading')),
        h('p', { class: 'hint' }, t('appts.callbacks.hint')),
        parts.callbacksCount,
        parts.callbacks,
      ),
    ),
  );
  return parts;
}

function renderAll({ quiet = false } = {}) {
  renderDays({ quiet });
  renderCalls();
  renderCallbacks();
  renderAction();
}

// ---- the appointments, by day ----

const caseLink = (a: { caseId: string; caseNumber: number }) =>
  h(
    'a',
    { href: `#/cases/${encodeURIComponent(a.caseId)}`, dataset: { focus: 'link' } },
    t('appts.case', { number: a.caseNumber }),
  );

const partyOf = (party: AppointmentParty | null) => tEnum('appt.party', party);

/** What happened to it, in a few words: the last reply, slots offered, who cancelled or missed it. */
function whatHappened(a: ListedAppointment): string {
  const parts = [
    a.lastReply
      ? t('appts.reply', { body: a.lastReply.body, date: formatDate(a.lastReply.at) })
      : t('appts.noReply'),
  ];
  if (a.offeredSlots.length) parts.push(t('appts.offered', { count: a.offeredSlots.length }));
  if (a.cancelledBy) parts.push(t('appts.cancelledBy', { party: partyOf(a.cancelledBy) }));
  if (a.missedBy) parts.push(t('appts.missedBy', { party: partyOf(a.missedBy) }));
  if (a.reason) parts.push(t('appts.reason', { reason: a.reason }));
  return parts.join(' · ');
}

/** The actions an appointment allows now: confirmed before it starts, missed once it has. */
function actionsOf(a: ListedAppointment, now: number): Array<ActionKind | 'confirm'> {
  if (a.status === 'RESCHEDULING') return ['move', 'cancel'];
  if (!HOLDING.has(a.status)) return [];
  const started = new Date(a.startsAt).getTime() <= now;
  return [
    ...(a.status === 'BOOKED' && !started ? (['confirm'] as const) : []),
    'move',
    'cancel',
    ...(started ? (['missed'] as const) : []),
  ];
}

function appointmentRow(a: ListedAppointment, actions: Array<ActionKind | 'confirm'>) {
  const when = { number: a.caseNumber, day: dayOf(a.startsAt), time: slotTime(a) };
  return h(
    'li',
    { class: 'appt-item', dataset: { appointmentRow: a.id } },
    h(
      'p',
      { class: 'appt-head' },
      h('strong', { class: 'appt-time' }, slotTime(a)),
      ' ',
      caseLink(a),
      ` · ${a.caseSubject}`,
    ),
    h(
      'p',
      { class: 'case-meta' },
      statusBadge(a),
      a.presenceRequired ? h('span', { class: 'badge warn' }, t('appt.presence')) : null,
      h('span', {}, interventionLabel(a.interventionType)),
      h(
        'span',
        {},
        a.technicianName ? t('appt.technician', { name: a.technicianName }) : t('appt.noTechnician'),
      ),
    ),
    h('p', { class: 'case-meta muted appt-history' }, whatHappened(a)),
    actions.length
      ? h(
          'div',
          { class: 'row appt-actions' },
          actions.map((action) =>
            h(
              'button',
              {
                type: 'button',
                class: action === 'cancel' ? 'danger' : action === 'confirm' ? 'primary' : '',
                dataset: { focus: action, action },
                'aria-label': t('appts.actionLabel', { action: t(`appts.${action}`), ...when }),
                onclick: () => (action === 'confirm' ? void confirmByPhone(a) : openAction(a, action)),
              },
              t(`appts.${action}`),
            ),
          ),
        )
      : null,
  );
}

/**
 * Redraws the days keeping the element of every appointment that did not change (the list is a
 * live region: only what changed is read out). `quiet` silences it for a whole new list.
 */
function renderDays({ quiet = false } = {}) {
  if (!el) return;
  const list = state.appointments;
  const range = { from: state.from ? dayLabel(state.from) : '', to: state.to ? dayLabel(state.to) : '' };
  if (list === null) {
    el.count.textContent = t('appts.loading');
    el.days.replaceChildren();
    return;
  }
  el.count.textContent = list.length
    ? t('appts.count', { count: list.length, ...range })
    : t('appts.empty', range);
  const days = new Map<string, ListedAppointment[]>();
  for (const a of list) {
    const day = localDay(a.startsAt);
    days.set(day, [...(days.get(day) ?? []), a]);
  }
  const active = document.activeElement;
  const focused =
    active instanceof HTMLElement && el.days.contains(active)
      ? {
          id: active.closest<HTMLElement>('[data-appointment-row]')?.dataset.appointmentRow,
          key: active.dataset.focus,
        }
      : null;
  const now = serverNow();
  const today = localDay(now);
  const container = el.days;
  const draw = () =>
    syncKeyed(
      container,
      [...days],
      ([day]) => day,
      ([day, items], existing) => {
        const label = day === today ? t('appts.today', { day: dayLabel(day) }) : dayLabel(day);
        const group = unlessSame(existing, label, () =>
          h(
            'section',
            { class: 'appt-day', 'aria-labelledby': `appts-day-${day}` },
            h('h3', { id: `appts-day-${day}` }, label),
            h('ul', { class: 'appt-list' }),
          ),
        );
        syncKeyed(
          group.querySelector('ul')!,
          items,
          (a) => a.id,
          (a, row) => {
            const actions = actionsOf(a, now);
            return unlessSame(row, { a, actions }, () => appointmentRow(a, actions));
          },
        );
        return group;
      },
    );
  if (quiet) quietly(container, draw);
  else draw();
  if (focused?.id && !el.days.contains(document.activeElement)) {
    const row = maybe$(`[data-appointment-row="${CSS.escape(focused.id)}"]`, el.days);
    (
      row?.querySelector<HTMLElement>(`[data-focus="${focused.key}"]`) ??
      row?.querySelector<HTMLElement>('[data-focus="link"]')
    )?.focus();
  }
}

// ---- calls to make and call-backs ----

function renderCalls() {
  if (!el) return;
  const calls = state.calls;
  el.callsCount.textContent =
    calls === null ? t('appts.loading') : calls.length ? '' : t('appts.calls.empty');
  el.callsCount.hidden = calls !== null && calls.length > 0;
  syncKeyed(
    el.calls,
    calls ?? [],
    (a) => a.id,
    (a, existing) =>
      unlessSame(existing, a, () =>
        h(
          'li',
          { class: 'appt-item', dataset: { callRow: a.id } },
          h('p', { class: 'appt-head' }, caseLink(a), ` · ${a.caseSubject}`),
          h(
            'p',
            { class: 'case-meta' },
            statusBadge(a, 'callStatus'),
            h(
              'span',
              {},
              a.status === 'RESCHEDULING' ? t('appts.calls.waiting') : `${dayOf(a.startsAt)} ${slotTime(a)}`,
            ),
            a.mobile ? h('span', {}, a.mobile) : null,
          ),
          a.reason ? h('p', { class: 'case-meta muted' }, t('appts.reason', { reason: a.reason })) : null,
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              dataset: { callDone: a.id },
              'aria-label': t('appts.calls.doneLabel', { number: a.caseNumber }),
              onclick: (click: Event) => {
                if (click.currentTarget instanceof HTMLButtonElement) void callDone(a, click.currentTarget);
              },
            },
            t('appts.calls.done'),
          ),
        ),
      ),
  );
}

function renderCallbacks() {
  if (!el) return;
  const callbacks = state.callbacks;
  el.callbacksCount.textContent =
    callbacks === null ? t('appts.loading') : callbacks.length ? '' : t('appts.callbacks.empty');
  el.callbacksCount.hidden = callbacks !== null && callbacks.length > 0;
  syncKeyed(
    el.callbacks,
    callbacks ?? [],
    (c) => c.id,
    (c, existing) =>
      unlessSame(existing, c, () =>
        h(
          'li',
          { class: 'appt-item', dataset: { callbackCase: c.id } },
          h('p', { class: 'appt-head' }, caseLink({ caseId: c.id, caseNumber: c.number }), ` · ${c.subject}`),
          h(
            'p',
            { class: 'case-meta muted' },
            c.mobile ? h('span', {}, c.mobile) : null,
            h('span', {}, t('appts.callbacks.since', { date: formatDate(c.since) })),
          ),
        ),
      ),
  );
}

// ---- actions ----

/** Runs an action on the api: a notice when done, the refusal in words otherwise; the lists follow. */
async function act(path: string, body: object, done: string): Promise<boolean> {
  try {
    await post(path, body);
    ctx?.notify(done);
    return true;
  } catch (err) {
    if (statusOf(err) !== 401) ctx?.notify(explainRefusal(err));
    return false;
  } finally {
    // The live event reloads too; this is for a feed that is down.
    void loadAppointments();
    void loadCalls();
  }
}

const appointmentPath = (a: { id: string }, action: string) =>
  `/api/appointments/${encodeURIComponent(a.id)}/${action}`;

async function confirmByPhone(a: ListedAppointment) {
  await act(appointmentPath(a, 'confirm'), {}, t('appts.confirmed', { number: a.caseNumber }));
}

const calling = new Set<string>();

async function callDone(a: ListedAppointment, button: HTMLButtonElement) {
  if (calling.has(a.id)) return;
  calling.add(a.id);
  // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page.
  button.setAttribute('aria-disabled', 'true');
  await act(appointmentPath(a, 'call-done'), {}, t('appts.calls.recorded', { number: a.caseNumber }));
  calling.delete(a.id);
  button.removeAttribute('aria-disabled');
}

/** The button that opened the action form, to give the keyboard back to when it closes. */
let opener: HTMLElement | null = null;

function openAction(a: ListedAppointment, kind: ActionKind) {
  opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  state.acting = { appointment: a, kind, slots: null };
  renderAction();
  maybe$<HTMLElement>('#appts-action-heading')?.focus();
  if (kind === 'move') void loadMoveSlots(a);
}

/** Closes the action form; the keyboard goes back to its button, or to the appointment's link. */
function closeAction() {
  const id = state.acting?.appointment.id;
  state.acting = null;
  renderAction();
  const row = id ? maybe$(`[data-appointment-row="${CSS.escape(id)}"]`, el?.days) : null;
  const target = opener?.isConnected ? opener : row?.querySelector<HTMLElement>('[data-focus="link"]');
  (target ?? el?.heading)?.focus();
  opener = null;
}

async function loadMoveSlots(a: ListedAppointment) {
  try {
    const slots = await get<FreeSlots>(`/api/agencies/${encodeURIComponent(a.agencyId)}/slots`);
    if (state.acting?.appointment.id !== a.id) return;
    state.acting.slots = slots;
    const select = maybe$<HTMLSelectElement>('#appts-action-slot');
    if (select) fillSlots(select, slots, a);
    else renderAction();
  } catch (err) {
    if (statusOf(err) !== 401 && state.acting?.appointment.id === a.id) showActionError(explainRefusal(err));
  }
}

/** The free slots as options by day, but the one the appointment holds (no move to where it is). */
function fillSlots(select: HTMLSelectElement, slots: FreeSlots, a: ListedAppointment) {
  const held = HOLDING.has(a.status) ? new Date(a.startsAt).getTime() : null;
  const offered = slots.slots.filter((slot) => new Date(slot.startsAt).getTime() !== held);
  const days = new Map<string, FreeSlots['slots']>();
  for (const slot of offered) days.set(slot.day, [...(days.get(slot.day) ?? []), slot]);
  select.replaceChildren(
    ...(offered.length ? [] : [h('option', { value: '' }, t('appts.action.noSlot'))]),
    ...[...days].map(([day, daySlots]) =>
      h(
        'optgroup',
        { label: dayLabel(day) },
        daySlots.map((slot) =>
          h('option', { value: slot.startsAt }, `${dayLabel(day)} ${slotTime(slot, slots.zone)}`),
        ),
      ),
    ),
  );
}

function showActionError(message: string | null) {
  const box = maybe$<HTMLElement>('#appts-action-error');
  if (box) showError(box, message);
}

/** The open action's form, in the right column (outside the live list, which it would make speak). */
function renderAction() {
  if (!el) return;
  const acting = state.acting;
  el.action.hidden = !acting;
  if (!acting) {
    el.action.replaceChildren();
    return;
  }
  const { appointment: a, kind } = acting;
  const of = t('appts.action.of', { number: a.caseNumber, day: dayOf(a.startsAt), time: slotTime(a) });
  const radio = (value: AppointmentParty, label: string, checked: boolean) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'radio', name: 'by', value, checked, required: true }),
      ` ${label}`,
    );
  const reason = (required: boolean) => [
    h('label', { for: 'appts-action-reason' }, t('appts.action.reason')),
    h('input', {
      id: 'appts-action-reason',
      name: 'reason',
      maxlength: '500',
      autocomplete: 'off',
      required,
    }),
  ];
  // Only a held appointment can be cancelled by the company; one waiting for new slots, by the customer.
  const byCompany = kind === 'missed' || HOLDING.has(a.status);
  const fields =
    kind === 'move'
      ? [
          h('label', { for: 'appts-action-slot' }, t('appts.action.slot')),
          h(
            'select',
            { id: 'appts-action-slot', name: 'slot', required: true },
            h('option', { value: '' }, t('appts.action.slotsLoading')),
          ),
          h('p', { class: 'hint' }, t('appts.action.moveHint')),
          ...reason(false),
        ]
      : [
          h(
            'fieldset',
            {},
            h('legend', {}, t('appts.action.by')),
            radio(
              'CUSTOMER',
              t(kind === 'cancel' ? 'appts.action.cancelCustomer' : 'appts.action.missedCustomer'),
              true,
            ),
            byCompany
              ? radio(
                  'COMPANY',
                  t(kind === 'cancel' ? 'appts.action.cancelCompany' : 'appts.action.missedCompany'),
                  false,
                )
              : null,
          ),
          ...reason(false),
        ];
  el.action.replaceChildren(
    h('h2', { id: 'appts-action-heading', tabindex: '-1' }, t(`appts.action.${kind}`)),
    h('p', { class: 'muted' }, of),
    h(
      'form',
      {
        class: 'act-form',
        dataset: { form: `appointment-${kind}` },
        onsubmit: (event: Event) => void submitAction(event),
      },
      ...fields,
      h('p', { id: 'appts-action-error', class: 'error', role: 'alert', hidden: true }),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { type: 'submit', class: kind === 'move' ? 'primary' : 'danger' },
          t(`appts.action.submit.${kind}`),
        ),
        h('button', { type: 'button', onclick: closeAction }, t('appts.action.close')),
      ),
    ),
  );
  const select = maybe$<HTMLSelectElement>('#appts-action-slot', el.action);
  if (select && acting.slots) fillSlots(select, acting.slots, a);
}

async function submitAction(event: Event) {
  event.preventDefault();
  const acting = state.acting;
  const form = event.target;
  if (!acting || !(form instanceof HTMLFormElement)) return;
  const { appointment: a, kind } = acting;
  const data = new FormData(form);
  const reason = String(data.get('reason') ?? '').trim();
  const by = String(data.get('by') ?? 'CUSTOMER');
  if (kind === 'cancel' && by === 'COMPANY' && !reason) {
    showActionError(t('appts.action.reasonRequired'));
    maybe$<HTMLInputElement>('#appts-action-reason')?.focus();
    return;
  }
  const body =
    kind === 'move'
      ? { startsAt: String(data.get('slot') ?? ''), ...(reason ? { reason } : {}) }
      : { by, ...(reason ? { reason } : {}) };
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  button?.setAttribute('aria-disabled', 'true');
  try {
    await post(appointmentPath(a, kind), body);
    ctx?.notify(t(`appts.done.${kind}`, { number: a.caseNumber }));
    if (state.acting === acting) closeAction();
  } catch (err) {
    if (statusOf(err) !== 401) showActionError(explainRefusal(err));
    if (kind === 'move' && statusOf(err) === 409) void loadMoveSlots(a);
  } finally {
    button?.removeAttribute('aria-disabled');
    void loadAppointments();
    void loadCalls();
  }
}
