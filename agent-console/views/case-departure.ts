// The open case's departure card [DP-1]..[DP-4]. On a "departure signalled" case: the planned
// date, what is due (the reminder at +10 days, the call at +30) and the agent's actions: move the
// date, cancel the move, record the actual departure. On another open case of a customer: a form
// to signal their move (planned date, e-mail and mobile for the follow-ups, the owner's details
// for a rented home), which opens the departure case. Like the appointment card, it is one
// element per case, kept across the case screen's redraws, so a form being filled keeps its values.

import type { CaseDetail } from '../../src/cases/cases.schemas.js';
import type { Departure, DepartureOpened } from '../../src/follow-ups/follow-ups.schemas.js';
import { ApiError, get, patch, post, statusOf } from '../api.js';
import { serverNow } from '../clock.js';
import { h, showError } from '../dom.js';
import { addStrings, formatDate, getLang, type Lang, t } from '../i18n.js';
import { coalesced } from './coalesced.js';

addStrings({
  fr: {
    'dep.heading': 'Départ du client',
    'dep.signal': 'Signaler un départ',
    'dep.planned': 'Date de départ prévue',
    'dep.email': 'E-mail pour le suivi (facultatif)',
    'dep.mobile': 'Portable pour le suivi (facultatif)',
    'dep.rented': 'Logement loué',
    'dep.owner': 'Propriétaire ou gestionnaire (obligatoire pour un logement loué)',
    'dep.ownerName': 'Nom',
    'dep.ownerPhone': 'Téléphone',
    'dep.ownerEmail': 'E-mail',
    'dep.ownerAddress': 'Adresse',
    'dep.open': 'Ouvrir le dossier de départ',
    'dep.opened': 'Dossier de départ n° {number} ouvert.',
    'dep.plannedOn': 'Départ prévu le {date}',
    'dep.departedOn': 'Départ effectif enregistré le {date} : les alertes de consommation sont arrêtées.',
    'dep.liable': 'Le client reste redevable jusqu’à la résiliation de son contrat.',
    'dep.timers': 'Suivis prévus',
    'dep.timer.departure-reminder': 'Relance par e-mail ou SMS',
    'dep.timer.departure-call': 'Appel du client',
    'dep.state.PENDING': 'prévu le {date}',
    'dep.state.FIRED': 'fait le {date}',
    'dep.state.CANCELLED': 'annulé',
    'dep.callDue': 'Appel au client à passer (liste « Suivis »).',
    'dep.letterDue': 'Courrier de relance à imprimer (ni e-mail ni portable).',
    'dep.move': 'Reporter au',
    'dep.moveSubmit': 'Reporter le départ',
    'dep.moved': 'Départ reporté : les relances suivent la nouvelle date.',
    'dep.cancel': 'Le client ne part plus',
    'dep.cancelled': 'Départ annulé.',
    'dep.departed': 'Départ effectif le',
    'dep.confirm': 'Enregistrer le départ',
    'dep.confirmed': 'Départ enregistré.',
    'dep.err.invalid': 'Refusé : {message}',
    'dep.err.owner_required':
      'Logement loué : le nom du propriétaire ou du gestionnaire et un moyen de le joindre sont obligatoires.',
    'dep.err.duplicate': 'Ce client a déjà un dossier de départ ouvert.',
    'dep.err.departed': 'Ce client est déjà parti.',
    'dep.err.closed': 'Ce dossier de départ est déjà clos.',
    'dep.err.forbidden': 'Ce client dépend d’une autre agence.',
  },
  en: {
    'dep.heading': 'Customer departure',
    'dep.signal': 'Signal a departure',
    'dep.planned': 'Planned departure date',
    'dep.email': 'E-mail for the follow-up (optional)',
    'dep.mobile': 'Mobile for the follow-up (optional)',
    'dep.rented': 'Rented home',
    'dep.owner': 'Owner or managing agent (required for a rented home)',
    'dep.ownerName': 'Name',
    'dep.ownerPhone': 'Phone',
    'dep.ownerEmail': 'E-mail',
    'dep.ownerAddress': 'Address',
    'dep.open': 'Open the departure case',
    'dep.opened': 'Departure case #{number} opened.',
    'dep.plannedOn': 'Departure planned on {date}',
    'dep.departedOn': 'Actual departure recorded on {date}: consumption alerts are stopped.',
    'dep.liable': 'The customer remains liable until their contract is terminated.',
    'dep.timers': 'Planned follow-ups',
    'dep.timer.departure-reminder': 'Reminder by e-mail or SMS',
    'dep.timer.departure-call': 'Call to the customer',
    'dep.state.PENDING': 'due on {date}',
    'dep.state.FIRED': 'done on {date}',
    'dep.state.CANCELLED': 'cancelled',
    'dep.callDue': 'A call to the customer is due (Follow-ups list).',
    'dep.letterDue': 'A reminder letter is to be printed (no e-mail nor mobile).',
    'dep.move': 'Postpone to',
    'dep.moveSubmit': 'Postpone the departure',
    'dep.moved': 'Departure postponed: the follow-ups follow the new date.',
    'dep.cancel': 'The customer is not leaving',
    'dep.cancelled': 'Departure cancelled.',
    'dep.departed': 'Actual departure on',
    'dep.confirm': 'Record the departure',
    'dep.confirmed': 'Departure recorded.',
    'dep.err.invalid': 'Refused: {message}',
    'dep.err.owner_required':
      'Rented home: the owner’s or managing agent’s name and a way to reach them are required.',
    'dep.err.duplicate': 'This customer already has an open departure case.',
    'dep.err.departed': 'This customer has already left.',
    'dep.err.closed': 'This departure case is already closed.',
    'dep.err.forbidden': 'This customer belongs to another agency.',
  },
});

const DEPARTURE_CATEGORY = 'departure';
const OPEN = ['OPEN', 'IN_PROGRESS', 'WAITING'];

interface Card {
  caseId: string;
  detail: CaseDetail;
  lang: Lang | null;
  departure: Departure | null;
  root: HTMLElement;
  body: HTMLElement;
  outcome: HTMLElement;
  error: HTMLElement;
  /** The signal form, built once per case so that what is typed survives redraws. */
  form: HTMLElement | null;
}

let card: Card | null = null;
let navigate: (hash: string) => void = () => {};

const isDeparture = (detail: CaseDetail) => detail.category === DEPARTURE_CATEGORY;

export const caseDeparture = {
  /** The card of the open case, or null when there is nothing to show or do about a departure. */
  card(detail: CaseDetail, go: (hash: string) => void): HTMLElement | null {
    navigate = go;
    if (!isDeparture(detail) && !(detail.customer && OPEN.includes(detail.status))) return null;
    if (!card || card.caseId !== detail.id) {
      card = build(detail);
      if (isDeparture(detail)) void loadDeparture();
    }
    card.detail = detail;
    render();
    return card.root;
  },
  /** An event of the open case: the departure is read again. */
  refresh(): void {
    if (card && isDeparture(card.detail)) void loadDeparture();
  },
  reset(): void {
    card = null;
  },
};

const loadDeparture = coalesced(async () => {
  const id = card?.caseId;
  if (!id || !card) return;
  try {
    const departure = await get<Departure>(`/api/departures/${encodeURIComponent(id)}`);
    if (card?.caseId !== id) return;
    card.departure = departure;
    showError(card.error, null);
  } catch (err) {
    if (card?.caseId === id && statusOf(err) !== 401) showError(card.error, explain(err));
  }
  render();
});

function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const key = `dep.err.${err.code}`;
  return t(key) === key ? err.message : t(key, { message: err.message });
}

function build(detail: CaseDetail): Card {
  return {
    caseId: detail.id,
    detail,
    lang: null,
    departure: null,
    root: h('section', { class: 'case-departure', 'aria-labelledby': 'dep-heading' }),
    body: h('div', { 'aria-live': 'polite' }),
    outcome: h('p', { class: 'notice', role: 'status', hidden: true }),
    error: h('p', { class: 'error', role: 'alert', hidden: true }),
    form: null,
  };
}

function render() {
  if (!card) return;
  const c = card;
  if (c.lang !== getLang()) {
    c.lang = getLang();
    c.form = isDeparture(c.detail) ? null : signalForm(c);
    c.root.replaceChildren(h('h4', { id: 'dep-heading' }, t('dep.heading')), c.error, c.body, c.outcome);
  }
  if (c.form) c.body.replaceChildren(c.form);
  else c.body.replaceChildren(...departureParts(c));
}

// ---- a departure case ----

const localDay = (ms: number) => new Date(ms).toLocaleDateString('sv-SE'); // YYYY-MM-DD
const dayWords = (iso: string) =>
  new Intl.DateTimeFormat(getLang() === 'en' ? 'en-GB' : 'fr-FR', {
    dateStyle: 'full',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));

function departureParts(c: Card): Node[] {
  const d = c.departure;
  if (!d) return [h('p', { class: 'muted' }, '…')];
  const open = OPEN.includes(d.status);
  const parts: Node[] = [
    h(
      'p',
      { dataset: { plannedDate: d.plannedDate } },
      t('dep.plannedOn', { date: dayWords(d.plannedDate) }),
    ),
  ];
  if (d.departedAt)
    parts.push(
      h('p', {}, t('dep.departedOn', { date: formatDate(d.departedAt) })),
      h('p', {}, t('dep.liable')),
    );
  if (d.callDue) parts.push(h('p', { class: 'late' }, t('dep.callDue')));
  if (d.letterDue) parts.push(h('p', { class: 'late' }, t('dep.letterDue')));
  parts.push(
    h('h5', {}, t('dep.timers')),
    h(
      'ul',
      { class: 'dep-timers' },
      ...d.timers.map((timer) =>
        h(
          'li',
          { dataset: { timer: timer.kind, state: timer.state } },
          `${t(`dep.timer.${timer.kind}`)} : `,
          t(`dep.state.${timer.state}`, {
            date: formatDate(timer.state === 'FIRED' ? timer.firedAt : timer.dueAt),
          }),
        ),
      ),
    ),
  );
  if (open && !d.departedAt) parts.push(...actions(c, d));
  return parts;
}

function actions(c: Card, d: Departure): Node[] {
  const moveTo = h('input', {
    type: 'date',
    name: 'plannedDate',
    required: true,
    min: localDay(serverNow()),
  });
  const departedOn = h('input', {
    type: 'date',
    name: 'departedAt',
    required: true,
    max: localDay(serverNow()),
  });
  const path = `/api/departures/${encodeURIComponent(d.caseId)}`;
  return [
    h(
      'form',
      {
        class: 'act-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void run(c, () => patch(path, { plannedDate: moveTo.value }), t('dep.moved'));
        },
      },
      h('label', {}, t('dep.move'), ' ', moveTo),
      h('button', { type: 'submit' }, t('dep.moveSubmit')),
    ),
    h(
      'form',
      {
        class: 'act-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          // The day the customer left, at noon local time, or now if that is still to come today.
          const noon = new Date(`${departedOn.value}T12:00:00`).getTime();
          const departedAt = new Date(Math.min(noon, serverNow())).toISOString();
          void run(c, () => post(`${path}/confirmed`, { departedAt }), t('dep.confirmed'));
        },
      },
      h('label', {}, t('dep.departed'), ' ', departedOn),
      h('button', { type: 'submit' }, t('dep.confirm')),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => void run(c, () => post(`${path}/cancel`, {}), t('dep.cancelled')),
      },
      t('dep.cancel'),
    ),
  ];
}

async function run(c: Card, call: () => Promise<unknown>, done: string) {
  try {
    await call();
    c.outcome.textContent = done;
    c.outcome.hidden = false;
    showError(c.error, null);
  } catch (err) {
    showError(c.error, explain(err));
  }
  void loadDeparture();
}

// ---- signalling a departure from another case of the customer ----

function signalForm(c: Card): HTMLElement {
  const input = (name: string, label: string, attrs: Record<string, string | boolean> = {}) =>
    h('label', {}, label, ' ', h('input', { name, ...attrs }));
  const owner = h(
    'fieldset',
    { hidden: true },
    h('legend', {}, t('dep.owner')),
    input('ownerName', t('dep.ownerName'), { maxlength: '200' }),
    input('ownerPhone', t('dep.ownerPhone'), { type: 'tel' }),
    input('ownerEmail', t('dep.ownerEmail'), { type: 'email' }),
    input('ownerAddress', t('dep.ownerAddress'), { maxlength: '400' }),
  );
  const rented = h('input', {
    type: 'checkbox',
    name: 'rented',
    onchange: () => {
      owner.hidden = !rented.checked;
    },
  });
  const form = h(
    'form',
    {
      class: 'act-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void signal(c, form);
      },
    },
    input('plannedDate', t('dep.planned'), { type: 'date', required: true, min: localDay(serverNow()) }),
    input('email', t('dep.email'), { type: 'email' }),
    input('mobile', t('dep.mobile'), { type: 'tel' }),
    h('label', {}, rented, ' ', t('dep.rented')),
    owner,
    h('button', { type: 'submit' }, t('dep.open')),
  );
  return h('details', { class: 'dep-signal' }, h('summary', {}, t('dep.signal')), form);
}

async function signal(c: Card, form: HTMLFormElement) {
  const customerId = c.detail.customer?.id;
  if (!customerId) return;
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const rented = (form.elements.namedItem('rented') as HTMLInputElement).checked;
  const optional = (name: string) => value(name) || undefined;
  const body = {
    customerId,
    plannedDate: value('plannedDate'),
    email: optional('email'),
    mobile: optional('mobile'),
    rented,
    owner:
      rented && value('ownerName')
        ? {
            name: value('ownerName'),
            phone: optional('ownerPhone'),
            email: optional('ownerEmail'),
            address: optional('ownerAddress'),
          }
        : undefined,
  };
  try {
    const opened = await post<DepartureOpened>('/api/departures', body);
    showError(c.error, null);
    c.outcome.textContent = t('dep.opened', { number: opened.number });
    navigate(`#/cases/${opened.caseId}`);
  } catch (err) {
    showError(c.error, explain(err));
  }
}
