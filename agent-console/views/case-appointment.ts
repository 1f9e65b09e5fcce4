// The open case's appointment card [AP-1..3]: the case's current appointment with its status,
// live; and, while it has none, the free 2-hour slots of its agency (J+2 to J+10 working days)
// to book one for the customer, or, with no slot free, the scheduling team asked to call back.
// The case screen redraws the whole case on each of its events: the card is one element per
// case, kept across those redraws, so a form being filled keeps its values.

import type { Appointment, AppointmentList, FreeSlots } from '../../src/appointments/appointments.schemas.js';
import type { CaseDetail } from '../../src/cases/cases.schemas.js';
import { get, post, statusOf } from '../api.js';
import { h, showError } from '../dom.js';
import { addStrings, getLang, type Lang, t, tEnum } from '../i18n.js';
import {
  dayLabel,
  dayOf,
  explainRefusal,
  HELD,
  INTERVENTIONS,
  interventionLabel,
  slotTime,
  statusBadge,
} from './appointment-parts.js';
import { coalesced } from './coalesced.js';

addStrings({
  fr: {
    'book.heading': 'Rendez-vous',
    'book.loading': 'Chargement des rendez-vous…',
    'book.current': 'Rendez-vous du {day}, {time}',
    'book.last': 'Dernier rendez-vous : {day}, {time}',
    'book.rebook': 'Rendez-vous du {day}, {time} à replacer',
    'book.offered': {
      one: '{count} nouveau créneau proposé par SMS : en attente du choix du client.',
      other: '{count} nouveaux créneaux proposés par SMS : en attente du choix du client.',
    },
    'book.callDue': 'Appel au client à passer (changement par l’entreprise).',
    'book.confirmBy': 'confirmation par {channel}{to}',
    'book.see': 'Voir l’écran des rendez-vous',
    'book.form': 'Prendre rendez-vous',
    'book.slots': 'Créneaux libres de 2 heures, du {first} au {last}',
    'book.slotsLoading': 'Recherche des créneaux libres…',
    'book.slotsRefresh': 'Actualiser les créneaux',
    'book.chooseSlot': 'Choisissez un créneau.',
    'book.noSlot':
      'Aucun créneau libre d’ici le {last} : le dossier reste ouvert et l’équipe planification peut rappeler le client.',
    'book.callback': 'Demander le rappel du client par l’équipe planification',
    'book.callbackDone': 'L’équipe planification rappellera le client.',
    'book.type': 'Intervention',
    'book.typeChoose': '— choisir —',
    'book.meterLocation': 'Emplacement du compteur',
    'book.meterLocationHint':
      'Toujours renseigné : « N/A » si le client ne sait pas. Garage, cave, palier… : non accessible tant que le client ne l’a pas confirmé.',
    'book.meterAccessible': 'Compteur accessible',
    'book.accessibilityConfirmed': 'Accessibilité confirmée par le client',
    'book.presence': 'Présence du client requise',
    'book.presenceHint':
      'Requise d’office pour une contestation d’index, des compteurs inversés, une vérification de justesse, une enquête assainissement, un devis, et un compteur non accessible.',
    'book.confirmBy.legend': 'Confirmation envoyée par',
    'book.channel.SMS': 'SMS',
    'book.channel.EMAIL': 'e-mail',
    'book.mobile': 'Portable (facultatif)',
    'book.mobileHint': 'Vide : {mobile}.',
    'book.mobileOnFile': 'le portable du dossier ou du client',
    'book.submit': 'Prendre rendez-vous',
    'book.booking': 'Réservation…',
    'book.booked': 'Rendez-vous pris : le client reçoit sa confirmation.',
    'timeline.appointment.booked': 'Rendez-vous pris',
    'timeline.appointment.confirmed': 'Rendez-vous confirmé',
    'timeline.appointment.cancelled': 'Rendez-vous annulé',
    'timeline.appointment.moved': 'Rendez-vous déplacé',
    'timeline.appointment.missed': 'Rendez-vous manqué',
    'timeline.appointment.slots-offered': 'Nouveaux créneaux proposés au client',
    'timeline.appointment.reply': 'Réponse du client au SMS de rendez-vous',
    'timeline.appointment.call-done': 'Client appelé au sujet du rendez-vous',
    'timeline.appointment.callback-requested': 'Rappel demandé à l’équipe planification',
  },
  en: {
    'book.heading': 'Appointment',
    'book.loading': 'Loading the appointments…',
    'book.current': 'Appointment on {day}, {time}',
    'book.last': 'Last appointment: {day}, {time}',
    'book.rebook': 'Appointment of {day}, {time} to rebook',
    'book.offered': {
      one: '{count} new slot offered by SMS: waiting for the customer’s choice.',
      other: '{count} new slots offered by SMS: waiting for the customer’s choice.',
    },
    'book.callDue': 'Call the customer (the company changed it).',
    'book.confirmBy': 'confirmation by {channel}{to}',
    'book.see': 'See the appointments screen',
    'book.form': 'Book an appointment',
    'book.slots': 'Free 2-hour slots, from {first} to {last}',
    'book.slotsLoading': 'Looking for free slots…',
    'book.slotsRefresh': 'Refresh the slots',
    'book.chooseSlot': 'Choose a slot.',
    'book.noSlot':
      'No free slot until {last}: the case stays open and the scheduling team can call the customer back.',
    'book.callback': 'Ask the scheduling team to call the customer back',
    'book.callbackDone': 'The scheduling team will call the customer back.',
    'book.type': 'Intervention',
    'book.typeChoose': '— choose —',
    'book.meterLocation': 'Meter location',
    'book.meterLocationHint':
      'Always filled in: “N/A” when the customer does not know. Garage, cellar, landing…: not accessible until the customer has confirmed it.',
    'book.meterAccessible': 'Meter accessible',
    'book.accessibilityConfirmed': 'Accessibility confirmed by the customer',
    'book.presence': 'Customer must be present',
    'book.presenceHint':
      'Always required for an index dispute, swapped meters, an accuracy check, a sanitation survey, a quote, and a meter that is not accessible.',
    'book.confirmBy.legend': 'Confirmation sent by',
    'book.channel.SMS': 'SMS',
    'book.channel.EMAIL': 'e-mail',
    'book.mobile': 'Mobile (optional)',
    'book.mobileHint': 'Empty: {mobile}.',
    'book.mobileOnFile': 'the mobile of the case or of the customer',
    'book.submit': 'Book the appointment',
    'book.booking': 'Booking…',
    'book.booked': 'Appointment booked: the customer gets the confirmation.',
    'timeline.appointment.booked': 'Appointment booked',
    'timeline.appointment.confirmed': 'Appointment confirmed',
    'timeline.appointment.cancelled': 'Appointment cancelled',
    'timeline.appointment.moved': 'Appointment moved',
    'timeline.appointment.missed': 'Appointment missed',
    'timeline.appointment.slots-offered': 'New slots offered to the customer',
    'timeline.appointment.reply': 'Customer’s reply to the appointment SMS',
    'timeline.appointment.call-done': 'Customer called about the appointment',
    'timeline.appointment.callback-requested': 'Scheduling team asked to call back',
  },
});

const CLOSED: readonly CaseDetail['status'][] = ['CLOSED', 'CANCELLED'];

interface Card {
  caseId: string;
  /** The language the form was drawn in (another one: drawn again). */
  lang: Lang | null;
  detail: CaseDetail;
  /** The case's appointments (null until loaded). */
  appointments: Appointment[] | null;
  slots: FreeSlots | null;
  slotsError: string | null;
  outcome: { ok: string } | { error: string } | null;
  busy: boolean;
  root: HTMLElement;
  current: HTMLElement;
  form: HTMLFormElement;
  slotList: HTMLElement;
  outcomeBox: HTMLElement;
  loadError: HTMLElement;
}

let card: Card | null = null;

const caseId = () => card?.caseId;
const held = (c: Card) => c.appointments?.find((a) => HELD.includes(a.status)) ?? null;
const bookable = (c: Card) => !CLOSED.includes(c.detail.status) && c.appointments !== null && !held(c);

export const caseAppointment = {
  /** The card of the open case: the same element across redraws of that case. */
  card(detail: CaseDetail): HTMLElement {
    if (!card || card.caseId !== detail.id) {
      card = build(detail);
      void loadAppointments();
    }
    card.detail = detail;
    render();
    return card.root;
  },
  /** An appointment event of the open case, or a reconnection: what the card shows is read again. */
  refresh(): void {
    if (card) void loadAppointments();
  },
  /** Another case opened (or signed out): the previous one's card is forgotten. */
  reset(): void {
    card = null;
  },
};

// ---- loading ----

const loadAppointments = coalesced(async () => {
  const id = caseId();
  if (!id || !card) return;
  try {
    const { appointments } = await get<AppointmentList>(`/api/appointments?caseId=${encodeURIComponent(id)}`);
    if (caseId() !== id) return;
    card.appointments = appointments;
    showError(card.loadError, null);
  } catch (err) {
    if (caseId() !== id) return;
    if (statusOf(err) !== 401) showError(card.loadError, explainRefusal(err));
  }
  // Free slots change with every booking: read them again whenever the form is to be shown.
  if (bookable(card)) void loadSlots();
  render();
});

const loadSlots = coalesced(async () => {
  const id = caseId();
  if (!id || !card) return;
  if (!card.detail.agencyId) {
    // The api would refuse (422): said at once, without asking.
    card.slotsError = t('appt.err.no_agency');
    renderSlots();
    return;
  }
  try {
    const slots = await get<FreeSlots>(`/api/cases/${encodeURIComponent(id)}/slots`);
    if (caseId() !== id) return;
    card.slots = slots;
    card.slotsError = null;
  } catch (err) {
    if (caseId() !== id) return;
    if (statusOf(err) === 401) return;
    card.slots = null;
    card.slotsError = explainRefusal(err);
  }
  renderSlots();
});

// ---- the card ----

function build(detail: CaseDetail): Card {
  const form = h('form', {
    class: 'act-form book-form',
    dataset: { form: 'book' },
    'aria-labelledby': 'book-form-heading',
    onsubmit: (event: Event) => {
      event.preventDefault();
      void book();
    },
  });
  return {
    caseId: detail.id,
    lang: null,
    detail,
    appointments: null,
    slots: null,
    slotsError: null,
    outcome: null,
    busy: false,
    root: h('section', { class: 'case-appointment', 'aria-labelledby': 'book-heading' }),
    current: h('div', { id: 'book-current', tabindex: '-1', 'aria-live': 'polite' }),
    form,
    slotList: h('div', { id: 'book-slots', class: 'slot-days' }),
    outcomeBox: h('div', { 'aria-live': 'polite' }),
    loadError: h('p', { class: 'error', role: 'alert', hidden: true }),
  };
}

/** Draws the card's parts from its state; the form is drawn once and then only shown or hidden. */
function render() {
  if (!card) return;
  const c = card;
  if (c.lang !== getLang()) {
    c.lang = getLang();
    c.form.replaceChildren();
    fillForm(c);
    c.root.replaceChildren(
      h('h4', { id: 'book-heading' }, t('book.heading')),
      c.loadError,
      c.current,
      c.form,
      c.outcomeBox,
    );
    renderSlots();
  }
  renderCurrent(c);
  c.form.hidden = !bookable(c);
  // A closed case that never had one: nothing to show.
  c.root.hidden = CLOSED.includes(c.detail.status) && c.appointments?.length === 0;
  renderOutcome(c);
}

function renderCurrent(c: Card) {
  if (c.appointments === null) {
    c.current.replaceChildren(h('p', { class: 'muted' }, t('book.loading')));
    return;
  }
  const shown = held(c) ?? c.appointments.at(-1);
  if (!shown) {
    c.current.replaceChildren();
    return;
  }
  const when = { day: dayOf(shown.startsAt), time: slotTime(shown) };
  const mobile = shown.confirmBy === 'SMS' && shown.mobile ? ` (${shown.mobile})` : '';
  const parts: Array<HTMLElement | null> = [
    h(
      'p',
      { class: 'appt-head' },
      h(
        'strong',
        {},
        t(shown.status === 'RESCHEDULING' ? 'book.rebook' : held(c) ? 'book.current' : 'book.last', when),
      ),
      ' ',
      statusBadge(shown, 'caseAppointmentStatus'),
    ),
    h(
      'p',
      { class: 'case-meta' },
      h('span', {}, interventionLabel(shown.interventionType)),
      h(
        'span',
        {},
        shown.technicianName ? t('appt.technician', { name: shown.technicianName }) : t('appt.noTechnician'),
      ),
      shown.presenceRequired ? h('span', { class: 'badge warn' }, t('appt.presence')) : null,
      h('span', {}, t('book.confirmBy', { channel: tEnum('book.channel', shown.confirmBy), to: mobile })),
    ),
    shown.offeredSlots.length ? h('p', {}, t('book.offered', { count: shown.offeredSlots.length })) : null,
    shown.callDue ? h('p', { class: 'notice' }, t('book.callDue')) : null,
    h('p', {}, h('a', { href: '#/appointments' }, t('book.see'))),
  ];
  c.current.replaceChildren(...parts.filter((p) => p !== null));
}

function renderOutcome(c: Card) {
  const o = c.outcome;
  c.outcomeBox.replaceChildren(
    ...(o && 'error' in o ? [h('p', { class: 'error', role: 'alert' }, o.error)] : []),
    ...(o && 'ok' in o ? [h('p', { class: 'ok', role: 'status' }, o.ok)] : []),
  );
}

const field = (name: string) => `book-${name}`;

function fillForm(c: Card) {
  const checkbox = (name: string, label: string, { described = false } = {}) =>
    h(
      'label',
      { class: 'check', for: field(name) },
      h('input', {
        type: 'checkbox',
        id: field(name),
        name,
        'aria-describedby': described ? `${field(name)}-hint` : false,
      }),
      ` ${label}`,
    );
  const mobileOnFile = c.detail.interventionMobile ?? t('book.mobileOnFile');
  c.form.append(
    h(
      'fieldset',
      {},
      h('legend', { id: 'book-form-heading' }, t('book.form')),
      h('p', { id: 'book-slots-legend', class: 'hint' }),
      c.slotList,
      h(
        'button',
        { type: 'button', id: 'book-slots-refresh', onclick: () => void loadSlots() },
        t('book.slotsRefresh'),
      ),
      h('label', { for: field('type') }, t('book.type')),
      h(
        'select',
        { id: field('type'), name: 'interventionType', required: true },
        h('option', { value: '' }, t('book.typeChoose')),
        INTERVENTIONS.map((type) => h('option', { value: type }, interventionLabel(type))),
      ),
      h('label', { for: field('meterLocation') }, t('book.meterLocation')),
      h('input', {
        id: field('meterLocation'),
        name: 'meterLocation',
        required: true,
        maxlength: '200',
        autocomplete: 'off',
        'aria-describedby': `${field('meterLocation')}-hint`,
      }),
      h('p', { id: `${field('meterLocation')}-hint`, class: 'hint' }, t('book.meterLocationHint')),
      checkbox('meterAccessible', t('book.meterAccessible')),
      checkbox('accessibilityConfirmed', t('book.accessibilityConfirmed')),
      checkbox('presenceRequired', t('book.presence'), { described: true }),
      h('p', { id: `${field('presenceRequired')}-hint`, class: 'hint' }, t('book.presenceHint')),
      h(
        'fieldset',
        { class: 'inline-choices' },
        h('legend', {}, t('book.confirmBy.legend')),
        (['SMS', 'EMAIL'] as const).map((channel) =>
          h(
            'label',
            { class: 'check' },
            h('input', { type: 'radio', name: 'confirmBy', value: channel, checked: channel === 'SMS' }),
            ` ${t(`book.channel.${channel}`)}`,
          ),
        ),
      ),
      h('label', { for: field('mobile') }, t('book.mobile')),
      h('input', {
        id: field('mobile'),
        name: 'mobile',
        type: 'tel',
        maxlength: '40',
        autocomplete: 'off',
        'aria-describedby': `${field('mobile')}-hint`,
      }),
      h(
        'p',
        { id: `${field('mobile')}-hint`, class: 'hint' },
        t('book.mobileHint', { mobile: mobileOnFile }),
      ),
      h('button', { type: 'submit', class: 'primary', id: 'book-submit' }, t('book.submit')),
    ),
  );
}

/** The free slots as radio buttons, one group per day; the slot chosen stays chosen if still free. */
function renderSlots() {
  if (!card) return;
  const c = card;
  const legend = c.form.querySelector<HTMLElement>('#book-slots-legend');
  const picked = chosen(c.form, 'slot');
  const slots = c.slots;
  if (!slots) {
    if (legend) legend.textContent = c.slotsError ? '' : t('book.slotsLoading');
    c.slotList.replaceChildren(
      ...(c.slotsError ? [h('p', { class: 'error', role: 'alert' }, c.slotsError)] : []),
    );
    return;
  }
  if (legend)
    legend.textContent = t('book.slots', { first: dayLabel(slots.first), last: dayLabel(slots.last) });
  if (slots.slots.length === 0) {
    c.slotList.replaceChildren(
      h('p', { class: 'notice' }, t('book.noSlot', { last: dayLabel(slots.last) })),
      h(
        'button',
        { type: 'button', id: 'book-callback', onclick: () => void askCallback() },
        t('book.callback'),
      ),
    );
    return;
  }
  const days = new Map<string, FreeSlots['slots']>();
  for (const slot of slots.slots) days.set(slot.day, [...(days.get(slot.day) ?? []), slot]);
  c.slotList.replaceChildren(
    ...[...days].map(([day, daySlots]) =>
      h(
        'fieldset',
        { class: 'slot-day' },
        h('legend', {}, dayLabel(day)),
        daySlots.map((slot) =>
          h(
            'label',
            { class: 'slot' },
            h('input', {
              type: 'radio',
              name: 'slot',
              value: slot.startsAt,
              required: true,
              checked: slot.startsAt === picked,
              'aria-describedby': 'book-slots-legend',
            }),
            ` ${slotTime(slot, slots.zone)}`,
          ),
        ),
      ),
    ),
  );
}

// ---- actions ----

function value(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement || control instanceof HTMLSelectElement
    ? control.value.trim()
    : '';
}

/** The value of the radio button checked in the group `name` ('' when none is). */
const chosen = (form: HTMLFormElement, name: string) =>
  form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '';

function checked(form: HTMLFormElement, name: string): boolean {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement && control.checked;
}

async function book() {
  const c = card;
  if (!c || c.busy) return;
  const form = c.form;
  const mobile = value(form, 'mobile');
  const startsAt = chosen(form, 'slot');
  if (!startsAt) {
    c.outcome = { error: t('book.chooseSlot') };
    renderOutcome(c);
    return;
  }
  const body = {
    caseId: c.caseId,
    startsAt,
    interventionType: value(form, 'interventionType'),
    meterLocation: value(form, 'meterLocation'),
    meterAccessible: checked(form, 'meterAccessible'),
    accessibilityConfirmed: checked(form, 'accessibilityConfirmed'),
    presenceRequired: checked(form, 'presenceRequired'),
    confirmBy: chosen(form, 'confirmBy') === 'EMAIL' ? 'EMAIL' : 'SMS',
    ...(mobile ? { mobile } : {}),
  };
  const button = form.querySelector<HTMLButtonElement>('#book-submit');
  c.busy = true;
  // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page.
  button?.setAttribute('aria-disabled', 'true');
  if (button) button.textContent = t('book.booking');
  try {
    await post<Appointment>('/api/appointments', body);
    if (card !== c) return;
    c.outcome = { ok: t('book.booked') };
    form.reset();
    c.slots = null;
  } catch (err) {
    if (card !== c) return;
    c.outcome = { error: explainRefusal(err) };
    if (statusOf(err) === 409) void loadSlots();
  } finally {
    c.busy = false;
    button?.removeAttribute('aria-disabled');
    if (button) button.textContent = t('book.submit');
  }
  await loadAppointments();
  // Booked, the form is hidden: the keyboard goes to the appointment it made.
  if (card === c && c.form.hidden) c.current.focus();
}

async function askCallback() {
  const c = card;
  if (!c) return;
  const mobile = value(c.form, 'mobile');
  try {
    await post(`/api/cases/${encodeURIComponent(c.caseId)}/scheduling-callback`, mobile ? { mobile } : {});
    if (card === c) c.outcome = { ok: t('book.callbackDone') };
  } catch (err) {
    if (card === c) c.outcome = { error: explainRefusal(err) };
  }
  if (card === c) renderOutcome(c);
}
