// The alerts screen: consumption alerts across supply points with their acknowledgement state
// (filtered by status), one supply point's alert history (#/alerts/<supplyPointId>), an agent's
// acknowledgement for a customer on the phone, and the "letter with the next bill" list.
// Live: every alert.* event re-fetches what it may have changed (coalesced, like the cases list).

import type {
  AcknowledgeReply,
  AlertCustomer,
  AlertList,
  AlertNotice,
  AlertStatus,
  LetterList,
  ListedAlert,
  SupplyPointAlerts,
} from '../../src/alerts/alerts.schemas.js';
import { get, post, saveFile, statusOf } from '../api.js';
import { h, maybe$, quietly, showError } from '../dom.js';
import { addStrings, locale, t, tEnum } from '../i18n.js';
import { coalesced } from './coalesced.js';
import { syncKeyed, unlessSame } from './keyed-list.js';
import type { View, ViewContext } from './view.js';

addStrings({
  fr: {
    'alerts.heading': 'Alertes de consommation',
    'alerts.refresh': 'Actualiser',
    'alerts.filter': 'Statut',
    'alerts.filter.all': 'Toutes',
    'alerts.filter.pending': 'À traiter (non acquittées et sans réponse)',
    'alerts.loading': 'Chargement…',
    'alerts.empty': 'Aucune alerte.',
    'alerts.count': { one: '{count} alerte', other: '{count} alertes' },
    'alerts.countLimited': 'Les {count} alertes les plus récentes',
    'alerts.list': 'Liste des alertes',
    'alerts.status.OPEN': 'non acquittée',
    'alerts.status.ACKNOWLEDGED': 'acquittée',
    'alerts.status.UNANSWERED': 'sans réponse après les relances',
    'alerts.status.DEACTIVATED': 'désactivée',
    'alerts.filterStatus.OPEN': 'Non acquittées',
    'alerts.filterStatus.ACKNOWLEDGED': 'Acquittées',
    'alerts.filterStatus.UNANSWERED': 'Sans réponse après les relances',
    'alerts.filterStatus.DEACTIVATED': 'Désactivées',
    'alerts.ackedVia': 'acquittée par {via} le {date}',
    'alerts.via.sms': 'SMS',
    'alerts.via.email': 'e-mail',
    'alerts.via.agent': 'un agent',
    'alerts.noCustomer': 'sans client',
    'alerts.meter': 'compteur {serial} ({diameter} mm)',
    'alerts.days': {
      one: '{count} jour au-dessus de {threshold} m³/jour depuis le {since}',
      other: '{count} jours au-dessus de {threshold} m³/jour depuis le {since}',
    },
    'alerts.volumes': 'Volumes par jour',
    'alerts.volume': '{day} : {m3} m³',
    'alerts.detected': 'détectée le {date}',
    'alerts.reminders': { one: '{count} relance', other: '{count} relances' },
    'alerts.notifiedBy': 'prévenu par {channels}',
    'alerts.byLetter': 'courrier avec la prochaine facture',
    'alerts.notNotified': 'pas encore prévenu',
    'alerts.channel.SMS': 'SMS',
    'alerts.channel.EMAIL': 'e-mail',
    'alerts.notice': '{channel} ({status})',
    'alerts.notices': '{count} {channel} ({status})',
    'alerts.message.QUEUED': 'en attente',
    'alerts.message.SENDING': 'en cours d’envoi',
    'alerts.message.SENT': 'envoyé',
    'alerts.message.DELIVERED': 'remis',
    'alerts.message.READ': 'lu',
    'alerts.message.UNDELIVERED': 'non remis',
    'alerts.message.FAILED': 'échec',
    'alerts.message.CANCELED': 'annulé',
    'alerts.acknowledge': 'Acquitter',
    'alerts.acknowledgeLabel': 'Acquitter l’alerte du compteur {serial} pour le client',
    'alerts.acknowledging': 'Acquittement…',
    'alerts.acked': 'Alerte du compteur {serial} acquittée.',
    'alerts.alreadyAcked': 'L’alerte du compteur {serial} était déjà acquittée.',
    'alerts.notOpen': 'L’alerte du compteur {serial} n’est plus ouverte : rien n’a changé.',

    'alerts.detail.heading': 'Point de livraison',
    'alerts.detail.none': 'Choisissez un point de livraison dans la liste.',
    'alerts.detail.loading': 'Chargement du point de livraison…',
    'alerts.detail.customer': 'Client',
    'alerts.detail.address': 'Adresse',
    'alerts.detail.meters': 'Compteur(s)',
    'alerts.detail.alertsActive': 'Alertes',
    'alerts.detail.active': 'actives',
    'alerts.detail.inactive': 'désactivées',
    'alerts.detail.threshold': 'Seuil',
    'alerts.detail.ownThreshold': '{m3} m³/jour (demandé par le client)',
    'alerts.detail.diameterThreshold': 'par défaut, selon le diamètre du compteur',
    'alerts.detail.history': 'Historique des alertes',
    'alerts.detail.historyEmpty': 'Aucune alerte sur ce point de livraison.',
    'alerts.detail.previousCustomer': 'client précédent',
    'alerts.detail.back': 'Fermer le point de livraison',

    'alerts.letters.heading': 'Courriers avec la prochaine facture',
    'alerts.letters.hint':
      'Clients sans mobile ni e-mail joignable : l’alerte leur est envoyée par courrier.',
    'alerts.letters.download': 'Télécharger la liste (CSV)',
    'alerts.letters.downloading': 'Téléchargement…',
    'alerts.letters.empty': 'Aucun courrier à joindre.',
    'alerts.letters.count': { one: '{count} courrier à joindre', other: '{count} courriers à joindre' },
    'alerts.letters.more': {
      one: 'et {count} autre dans le fichier CSV',
      other: 'et {count} autres dans le fichier CSV',
    },
    'alerts.letters.item': 'compteur {meter}, détectée le {date}',
  },
  en: {
    'alerts.heading': 'Consumption alerts',
    'alerts.refresh': 'Refresh',
    'alerts.filter': 'Status',
    'alerts.filter.all': 'All',
    'alerts.filter.pending': 'To handle (not acknowledged and unanswered)',
    'alerts.loading': 'Loading…',
    'alerts.empty': 'No alerts.',
    'alerts.count': { one: '{count} alert', other: '{count} alerts' },
    'alerts.countLimited': 'The {count} most recent alerts',
    'alerts.list': 'Alerts',
    'alerts.status.OPEN': 'not acknowledged',
    'alerts.status.ACKNOWLEDGED': 'acknowledged',
    'alerts.status.UNANSWERED': 'unanswered after the reminders',
    'alerts.status.DEACTIVATED': 'deactivated',
    'alerts.filterStatus.OPEN': 'Not acknowledged',
    'alerts.filterStatus.ACKNOWLEDGED': 'Acknowledged',
    'alerts.filterStatus.UNANSWERED': 'Unanswered after the reminders',
    'alerts.filterStatus.DEACTIVATED': 'Deactivated',
    'alerts.ackedVia': 'acknowledged by {via} on {date}',
    'alerts.via.sms': 'SMS',
    'alerts.via.email': 'e-mail',
    'alerts.via.agent': 'an agent',
    'alerts.noCustomer': 'no customer',
    'alerts.meter': 'meter {serial} ({diameter} mm)',
    'alerts.days': {
      one: '{count} day above {threshold} m³/day since {since}',
      other: '{count} days above {threshold} m³/day since {since}',
    },
    'alerts.volumes': 'Daily volumes',
    'alerts.volume': '{day}: {m3} m³',
    'alerts.detected': 'detected on {date}',
    'alerts.reminders': { one: '{count} reminder', other: '{count} reminders' },
    'alerts.notifiedBy': 'told by {channels}',
    'alerts.byLetter': 'letter with the next bill',
    'alerts.notNotified': 'not told yet',
    'alerts.channel.SMS': 'SMS',
    'alerts.channel.EMAIL': 'e-mail',
    'alerts.notice': '{channel} ({status})',
    'alerts.notices': '{count} {channel} ({status})',
    'alerts.message.QUEUED': 'waiting',
    'alerts.message.SENDING': 'sending',
    'alerts.message.SENT': 'sent',
    'alerts.message.DELIVERED': 'delivered',
    'alerts.message.READ': 'read',
    'alerts.message.UNDELIVERED': 'undelivered',
    'alerts.message.FAILED': 'failed',
    'alerts.message.CANCELED': 'cancelled',
    'alerts.acknowledge': 'Acknowledge',
    'alerts.acknowledgeLabel': 'Acknowledge the alert of meter {serial} for the customer',
    'alerts.acknowledging': 'Acknowledging…',
    'alerts.acked': 'Alert of meter {serial} acknowledged.',
    'alerts.alreadyAcked': 'The alert of meter {serial} was already acknowledged.',
    'alerts.notOpen': 'The alert of meter {serial} is no longer open: nothing changed.',

    'alerts.detail.heading': 'Supply point',
    'alerts.detail.none': 'Choose a supply point in the list.',
    'alerts.detail.loading': 'Loading the supply point…',
    'alerts.detail.customer': 'Customer',
    'alerts.detail.address': 'Address',
    'alerts.detail.meters': 'Meter(s)',
    'alerts.detail.alertsActive': 'Alerts',
    'alerts.detail.active': 'on',
    'alerts.detail.inactive': 'off',
    'alerts.detail.threshold': 'Threshold',
    'alerts.detail.ownThreshold': '{m3} m³/day (asked by the customer)',
    'alerts.detail.diameterThreshold': 'the default for the meter diameter',
    'alerts.detail.history': 'Alert history',
    'alerts.detail.historyEmpty': 'No alerts on this supply point.',
    'alerts.detail.previousCustomer': 'previous customer',
    'alerts.detail.back': 'Close the supply point',

    'alerts.letters.heading': 'Letters with the next bill',
    'alerts.letters.hint': 'Customers with no mobile or e-mail that works: their alert goes by letter.',
    'alerts.letters.download': 'Download the list (CSV)',
    'alerts.letters.downloading': 'Downloading…',
    'alerts.letters.empty': 'No letters to add.',
    'alerts.letters.count': { one: '{count} letter to add', other: '{count} letters to add' },
    'alerts.letters.more': 'and {count} more in the CSV file',
    'alerts.letters.item': 'meter {meter}, detected on {date}',
  },
});

const LIST_LIMIT = 100;
const LETTERS_SHOWN = 50;
const STATUSES: AlertStatus[] = ['OPEN', 'ACKNOWLEDGED', 'UNANSWERED', 'DEACTIVATED'];
const FILTERS = [
  { value: '', label: 'alerts.filter.all' },
  { value: 'OPEN,UNANSWERED', label: 'alerts.filter.pending' },
  ...STATUSES.map((s) => ({
    value: s,
    label: `alerts.filterStatus.${s}`,
  })),
];
const ACKNOWLEDGEABLE = new Set<AlertStatus>(['OPEN', 'UNANSWERED']);
// Events that may change the letter list (an alert put on it, or taken off by its status).
const LETTER_EVENTS = new Set([
  'alert.letter',
  'alert.acknowledged',
  'alert.deactivated',
  'alert.unanswered',
]);

interface State {
  filter: string;
  /** null until the first load, so "no alerts" is not shown while loading. */
  alerts: AlertList | null;
  /** The supply point shown. */
  selectedId: string | null;
  detail: SupplyPointAlerts | null;
  letters: LetterList | null;
  shown: boolean;
  /** Events came while hidden: fetch again when shown. */
  stale: boolean;
}

const initialState = (): State => ({
  filter: '',
  alerts: null,
  selectedId: null,
  detail: null,
  letters: null,
  shown: false,
  stale: true,
});

/** The screen's elements, built once per sign-in. */
interface Elements {
  heading: HTMLHeadingElement;
  refresh: HTMLButtonElement;
  filter: HTMLSelectElement;
  count: HTMLParagraphElement;
  listError: HTMLParagraphElement;
  list: HTMLUListElement;
  detailError: HTMLParagraphElement;
  detail: HTMLDivElement;
  lettersCount: HTMLParagraphElement;
  lettersError: HTMLParagraphElement;
  letters: HTMLUListElement;
  download: HTMLButtonElement;
}

let state = initialState();
let ctx: ViewContext | null = null;
let el: Elements | null = null; // set with ctx by start, cleared with it by stop
let translated: Array<[HTMLElement, string, string | undefined]> = []; // redone on a language change

/** What showError shows of a failed call. */
const failure = (err: unknown) => (err instanceof Error ? err : String(err));

export const alertsView: View = {
  id: 'alerts',
  label: 'nav.alerts',
  start(context) {
    ctx = context;
    state = initialState();
    el = build(context.root);
    renderAll();
  },
  show(supplyPointId) {
    state.shown = true;
    if (state.stale) {
      // First showing, or events came while hidden: everything again, without reading it all out.
      state.stale = false;
      quietNext = true;
      void loadAlerts();
      void loadLetters();
    }
    if (supplyPointId && supplyPointId !== state.selectedId) {
      state.selectedId = supplyPointId;
      state.detail = null;
      markSelected();
      renderDetail();
      void loadDetailFor({ focus: true });
    } else if (!supplyPointId) {
      state.selectedId = null;
      state.detail = null;
      markSelected();
      renderDetail();
      el?.heading.focus();
    }
  },
  hide() {
    state.shown = false;
  },
  onEvent(event) {
    if (event.type.startsWith('alert.')) {
      if (!state.shown) {
        state.stale = true;
        return;
      }
      void loadAlerts();
      if (LETTER_EVENTS.has(event.type)) void loadLetters();
      if (state.selectedId && event.data.supplyPointId === state.selectedId) void loadDetail();
    } else if (event.type === 'alert-threshold.changed') {
      if (state.shown && state.detail?.supplyPoint.customerId === event.data.customerId) void loadDetail();
    }
  },
  onSynced({ reload }) {
    if (!reload) return;
    if (!state.shown) {
      state.stale = true;
      return;
    }
    void loadAlerts();
    void loadLetters();
    if (state.selectedId) void loadDetail();
  },
  render() {
    for (const [node, key, attribute] of translated)
      if (attribute) node.setAttribute(attribute, t(key));
      else node.textContent = t(key);
    renderAll({ quiet: true });
  },
  stop() {
    ctx = null;
    el = null;
    translated = [];
    state = initialState();
    quietNext = false;
    listedFilter = null;
    focusDetail = false;
  },
};

// ---- loading (coalesced: a burst of events while a load runs causes one more load) ----

const whileSignedIn = () => ctx !== null;
let quietNext = false; // the next list is drawn without reading it out (a stale list refreshed)
let listedFilter: string | null = null; // the filter of the list on screen: another one is a new list, drawn quietly
const loadAlerts = coalesced(async () => {
  const filter = state.filter;
  const query = new URLSearchParams({ limit: String(LIST_LIMIT), ...(filter ? { status: filter } : {}) });
  try {
    const alerts = await get<AlertList>(`/api/alerts?${query}`);
    if (!ctx || !el || filter !== state.filter) return; // another filter was chosen meanwhile
    state.alerts = alerts;
    showError(el.listError, null);
  } catch (err) {
    if (!ctx || !el) return;
    if (statusOf(err) !== 401) showError(el.listError, failure(err));
  }
  renderList({ quiet: quietNext || listedFilter !== filter });
  quietNext = false;
  listedFilter = filter;
}, whileSignedIn);

let focusDetail = false;
const loadDetail = coalesced(async () => {
  const id = state.selectedId;
  if (!id) return;
  try {
    const detail = await get<SupplyPointAlerts>(`/api/supply-points/${encodeURIComponent(id)}/alerts`);
    if (!ctx || !el || state.selectedId !== id) return; // another supply point was opened meanwhile
    state.detail = detail;
    showError(el.detailError, null);
  } catch (err) {
    if (!ctx || !el || state.selectedId !== id) return;
    state.detail = null;
    if (statusOf(err) !== 401) showError(el.detailError, failure(err));
  }
  renderDetail();
  if (focusDetail) {
    focusDetail = false;
    (maybe$('#alerts-detail-title', el.detail) ?? el.detailError).focus();
  }
}, whileSignedIn);

const loadLetters = coalesced(async () => {
  try {
    const letters = await get<LetterList>('/api/alerts/letters');
    if (!ctx || !el) return;
    state.letters = letters;
    showError(el.lettersError, null);
  } catch (err) {
    if (!ctx || !el) return;
    if (statusOf(err) !== 401) showError(el.lettersError, failure(err));
  }
  renderLetters();
}, whileSignedIn);

function loadDetailFor({ focus }: { focus: boolean }) {
  if (focus) focusDetail = true;
  return loadDetail();
}

// ---- the screen's frame ----

/** An element whose text (or attribute) is the translation of `key`, redone on a language change. */
function tr<E extends HTMLElement>(node: E, key: string, attribute?: string): E {
  translated.push([node, key, attribute]);
  if (attribute) node.setAttribute(attribute, t(key));
  else node.textContent = t(key);
  return node;
}

function build(root: HTMLElement): Elements {
  translated = [];
  root.classList.add('columns', 'alerts-screen');
  const filter = h(
    'select',
    {
      id: 'alerts-filter',
      onchange: () => {
        state.filter = filter.value;
        void loadAlerts();
      },
    },
    FILTERS.map((f) => tr(h('option', { value: f.value }), f.label)),
  );
  const parts: Elements = {
    heading: tr(h('h2', { id: 'alerts-heading', tabindex: '-1' }), 'alerts.heading'),
    refresh: tr(h('button', { type: 'button', onclick: () => reloadEverything() }), 'alerts.refresh'),
    filter,
    count: h('p', { id: 'alerts-count', class: 'muted', role: 'status' }),
    listError: h('p', { id: 'alerts-error', class: 'error', role: 'alert', hidden: true }),
    list: tr(
      h('ul', {
        id: 'alerts-list',
        class: 'alert-list',
        'aria-live': 'polite',
        'aria-relevant': 'additions',
      }),
      'alerts.list',
      'aria-label',
    ),

    detailError: h('p', { class: 'error', role: 'alert', tabindex: '-1', hidden: true }),
    detail: h('div', { id: 'alerts-detail' }),

    lettersCount: h('p', { id: 'alerts-letters-count', class: 'muted', role: 'status' }),
    lettersError: h('p', { class: 'error', role: 'alert', hidden: true }),
    letters: h('ul', { id: 'alerts-letters', class: 'letter-list' }),
    download: tr(
      h('button', { type: 'button', id: 'alerts-letters-csv', onclick: downloadLetters }),
      'alerts.letters.download',
    ),
  };
  root.replaceChildren(
    h(
      'div',
      { class: 'column' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'alerts-heading' },
        h('div', { class: 'card-head' }, parts.heading, parts.refresh),
        h(
          'div',
          { class: 'alerts-filter' },
          tr(h('label', { for: 'alerts-filter' }), 'alerts.filter'),
          parts.filter,
        ),
        parts.count,
        parts.listError,
        parts.list,
      ),
    ),
    h(
      'div',
      { class: 'column' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'alerts-detail-heading' },
        tr(h('h2', { id: 'alerts-detail-heading' }), 'alerts.detail.heading'),
        parts.detailError,
        parts.detail,
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'alerts-letters-heading' },
        h(
          'div',
          { class: 'card-head' },
          tr(h('h2', { id: 'alerts-letters-heading' }), 'alerts.letters.heading'),
          parts.download,
        ),
        tr(h('p', { class: 'hint' }), 'alerts.letters.hint'),
        parts.lettersCount,
        parts.lettersError,
        parts.letters,
      ),
    ),
  );
  return parts;
}

function reloadEverything() {
  void loadAlerts();
  void loadLetters();
  if (state.selectedId) void loadDetailFor({ focus: false });
}

function renderAll({ quiet = false } = {}) {
  if (!el) return;
  renderList({ quiet });
  renderDetail();
  renderLetters();
}

// ---- formatting ----

/** A calendar day ("2026-11-22" or its midnight UTC), as the day it is, whatever the time zone. */
function formatDay(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeZone: 'UTC' }).format(date);
}

function formatMoment(value: string | null): string {
  if (!value) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short' }).format(
    new Date(value),
  );
}

const m3 = (litres: number) =>
  new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(litres / 1000);

function customerLabel(customer: AlertCustomer | null): string {
  if (!customer) return t('alerts.noCustomer');
  const name =
    [customer.lastName, customer.firstName].filter(Boolean).join(' ') || customer.companyName || '';
  return `${name} · ${customer.reference}`;
}

function statusText(alert: ListedAlert): string {
  if (alert.status === 'ACKNOWLEDGED' && alert.acknowledgedAt)
    return t('alerts.ackedVia', {
      via: tEnum('alerts.via', alert.acknowledgedVia),
      date: formatMoment(alert.acknowledgedAt),
    });
  return tEnum('alerts.status', alert.status);
}

/** The badge agents (and the browser tests) read the acknowledgement state from. */
function statusBadge(alert: ListedAlert, { inList }: { inList: boolean }) {
  return h(
    'span',
    {
      class: `badge alert-status alert-status-${alert.status}`,
      dataset: inList
        ? { alertId: alert.id, alertStatus: alert.status }
        : { historyAlertId: alert.id, alertStatus: alert.status },
    },
    statusText(alert),
  );
}

function noticeText(alert: ListedAlert): string {
  // Two mobiles on file are two SMS: said once with how many, per channel and status.
  const groups = new Map<string, AlertNotice & { count: number }>();
  for (const notice of alert.notices) {
    const key = `${notice.channel} ${notice.status}`;
    groups.set(key, { ...notice, count: (groups.get(key)?.count ?? 0) + 1 });
  }
  const told = [...groups.values()].map((group) =>
    t(group.count > 1 ? 'alerts.notices' : 'alerts.notice', {
      count: group.count,
      channel: tEnum('alerts.channel', group.channel),
      status: tEnum('alerts.message', group.status),
    }),
  );
  const parts: string[] = [];
  if (told.length) parts.push(t('alerts.notifiedBy', { channels: told.join(', ') }));
  if (alert.byLetter) parts.push(t('alerts.byLetter'));
  if (!parts.length) parts.push(t('alerts.notNotified'));
  return parts.join(' · ');
}

function episodeText(alert: ListedAlert): string {
  return t('alerts.days', {
    count: alert.daysAbove,
    threshold: m3(alert.thresholdLitres),
    since: formatDay(alert.episodeStart),
  });
}

function volumesList(alert: ListedAlert) {
  return h(
    'ul',
    { class: 'alert-volumes', 'aria-label': t('alerts.volumes') },
    alert.volumes.map((v) => h('li', {}, t('alerts.volume', { day: formatDay(v.day), m3: m3(v.litres) }))),
  );
}

function acknowledgeButton(alert: ListedAlert) {
  if (!ACKNOWLEDGEABLE.has(alert.status)) return null;
  return h(
    'button',
    {
      type: 'button',
      class: 'primary alert-ack',
      dataset: { focus: 'ack' },
      'aria-label': t('alerts.acknowledgeLabel', { serial: alert.meter.serial }),
      onclick: (click: Event) => {
        if (click.currentTarget instanceof HTMLButtonElement) void acknowledge(alert, click.currentTarget);
      },
    },
    t('alerts.acknowledge'),
  );
}

// ---- the list ----

function alertRow(alert: ListedAlert) {
  return h(
    'li',
    { class: 'alert-item', dataset: { alertRow: alert.id } },
    h(
      'h3',
      { class: 'alert-title' },
      h(
        'a',
        {
          href: `#/alerts/${encodeURIComponent(alert.supplyPointId)}`,
          dataset: { focus: 'link', supplyPointId: alert.supplyPointId },
        },
        alert.supplyPoint.reference,
      ),
      ' — ',
      `${alert.supplyPoint.addressLine}, ${alert.supplyPoint.postcode} ${alert.supplyPoint.city}`,
    ),
    h(
      'p',
      { class: 'case-meta' },
      statusBadge(alert, { inList: true }),
      h('span', {}, customerLabel(alert.customer)),
      h('span', {}, t('alerts.meter', { serial: alert.meter.serial, diameter: alert.meter.diameterMm })),
    ),
    h('p', { class: 'alert-episode' }, episodeText(alert)),
    volumesList(alert),
    h(
      'p',
      { class: 'case-meta muted' },
      h('span', {}, t('alerts.detected', { date: formatDay(alert.detectedOn) })),
      h('span', {}, noticeText(alert)),
      h('span', {}, t('alerts.reminders', { count: alert.remindersSent })),
    ),
    acknowledgeButton(alert),
  );
}

/**
 * Redraws the list keeping the element of every alert that did not change: the list is an
 * aria-live region, and only what changed (an alert acknowledged, a new one) should be read out.
 * `quiet` (new filter, language change) silences the region for the redraw.
 */
function renderList({ quiet = false } = {}) {
  if (!el) return;
  const list = el.list;
  const alerts = state.alerts;
  if (alerts === null) {
    el.count.textContent = t('alerts.loading');
    return;
  }
  el.count.textContent = !alerts.length
    ? t('alerts.empty')
    : alerts.length >= LIST_LIMIT
      ? t('alerts.countLimited', { count: alerts.length })
      : t('alerts.count', { count: alerts.length });

  const active = document.activeElement;
  const focused =
    active instanceof HTMLElement && list.contains(active)
      ? {
          id: active.closest<HTMLElement>('[data-alert-row]')?.dataset.alertRow,
          key: active.dataset.focus,
        }
      : null;
  const draw = () =>
    syncKeyed(
      list,
      alerts,
      (alert) => alert.id,
      (alert, existing) => unlessSame(existing, alert, () => alertRow(alert)),
    );
  if (quiet) quietly(list, draw);
  else draw();

  markSelected();

  if (focused?.id && !list.contains(document.activeElement)) {
    const row = maybe$(`[data-alert-row="${CSS.escape(focused.id)}"]`, list);
    // The button pressed may be gone (the alert is acknowledged now): its title link then.
    (
      row?.querySelector<HTMLElement>(`[data-focus="${focused.key}"]`) ??
      row?.querySelector<HTMLElement>('[data-focus="link"]')
    )?.focus();
  }
}

/** The open supply point's alerts say so; an attribute change, which the live region does not read out. */
function markSelected() {
  for (const link of el?.list.querySelectorAll<HTMLAnchorElement>('a[data-supply-point-id]') ?? [])
    if (link.dataset.supplyPointId === state.selectedId) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
}

const acknowledging = new Set<string>(); // alert ids whose acknowledgement is on its way

async function acknowledge(alert: ListedAlert, button: HTMLButtonElement) {
  if (acknowledging.has(alert.id)) return;
  acknowledging.add(alert.id);
  // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page.
  button.setAttribute('aria-disabled', 'true');
  button.textContent = t('alerts.acknowledging');
  try {
    const { outcome } = await post<AcknowledgeReply>(
      `/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`,
    );
    ctx?.notify(
      t(outcome === 'already' ? 'alerts.alreadyAcked' : 'alerts.acked', { serial: alert.meter.serial }),
    );
  } catch (err) {
    const status = statusOf(err);
    if (status === 409) ctx?.notify(t('alerts.notOpen', { serial: alert.meter.serial }));
    else if (status !== 401 && el) showError(el.listError, failure(err));
  } finally {
    acknowledging.delete(alert.id);
    button.removeAttribute('aria-disabled');
    button.textContent = t('alerts.acknowledge');
  }
  // The alert.acknowledged event reloads too; this one is for a server that had nothing to say.
  void loadAlerts();
  if (state.selectedId === alert.supplyPointId) void loadDetailFor({ focus: false });
}

// ---- one supply point ----

type SupplyPoint = SupplyPointAlerts['supplyPoint'];

function renderDetail() {
  if (!el) return;
  const box = el.detail;
  const hadFocus = box.contains(document.activeElement);
  if (!state.selectedId) {
    box.replaceChildren(h('p', { class: 'muted' }, t('alerts.detail.none')));
    return;
  }
  const detail = state.detail;
  if (!detail) {
    box.replaceChildren(el.detailError.hidden ? h('p', { class: 'muted' }, t('alerts.detail.loading')) : '');
    return;
  }
  const { supplyPoint, alerts } = detail;
  const field = (label: string, value: string) => [h('dt', {}, label), h('dd', {}, value)];
  const customer = supplyPoint.customer;
  box.replaceChildren(
    h('h3', { id: 'alerts-detail-title', tabindex: '-1' }, supplyPoint.reference),
    h(
      'dl',
      { class: 'fields' },
      field(
        t('alerts.detail.address'),
        `${supplyPoint.addressLine}, ${supplyPoint.postcode} ${supplyPoint.city}`,
      ),
      field(t('alerts.detail.customer'), customerLabel(customer)),
      field(
        t('alerts.detail.meters'),
        supplyPoint.meters
          .map((m) => t('alerts.meter', { serial: m.serial, diameter: m.diameterMm }))
          .join(', '),
      ),
      customer
        ? [
            ...field(
              t('alerts.detail.alertsActive'),
              t(customer.alertsActive ? 'alerts.detail.active' : 'alerts.detail.inactive'),
            ),
            ...field(
              t('alerts.detail.threshold'),
              customer.alertThresholdLitres
                ? t('alerts.detail.ownThreshold', { m3: m3(customer.alertThresholdLitres) })
                : t('alerts.detail.diameterThreshold'),
            ),
          ]
        : [],
    ),
    h('h4', {}, t('alerts.detail.history')),
    alerts.length
      ? h(
          'ol',
          { class: 'timeline alert-history' },
          alerts.map((alert) => historyItem(alert, supplyPoint)),
        )
      : h('p', { class: 'muted' }, t('alerts.detail.historyEmpty')),
    h('p', {}, h('a', { href: '#/alerts' }, t('alerts.detail.back'))),
  );
  if (hadFocus) maybe$('#alerts-detail-title', box)?.focus();
}

function historyItem(alert: ListedAlert, supplyPoint: SupplyPoint) {
  // An alert of an earlier occupant: its name stays out of the successor's page.
  const previous = alert.customerId !== supplyPoint.customerId;
  return h(
    'li',
    {},
    h('time', { datetime: alert.detectedOn.slice(0, 10) }, formatDay(alert.detectedOn)),
    h(
      'span',
      { class: 'case-meta' },
      statusBadge(alert, { inList: false }),
      h('span', {}, t('alerts.meter', { serial: alert.meter.serial, diameter: alert.meter.diameterMm })),
      previous ? h('span', { class: 'badge warn' }, t('alerts.detail.previousCustomer')) : null,
    ),
    h('span', { class: 'timeline-text' }, episodeText(alert)),
    volumesList(alert),
    h(
      'span',
      { class: 'timeline-text muted' },
      noticeText(alert),
      ' · ',
      t('alerts.reminders', { count: alert.remindersSent }),
    ),
    previous ? null : acknowledgeButton(alert),
  );
}

// ---- letters with the next bill ----

function renderLetters() {
  if (!el) return;
  const letters = state.letters;
  if (letters === null) {
    el.lettersCount.textContent = t('alerts.loading');
    el.letters.replaceChildren();
    return;
  }
  el.lettersCount.textContent = letters.length
    ? t('alerts.letters.count', { count: letters.length })
    : t('alerts.letters.empty');
  const items = letters
    .slice(0, LETTERS_SHOWN)
    .map((row) =>
      h(
        'li',
        { class: 'letter-item', dataset: { letterAlertId: row.alertId } },
        h(
          'strong',
          {},
          [row.last_name, row.first_name].filter(Boolean).join(' ') || row.customer_ref,
          ` · ${row.customer_ref}`,
        ),
        h('span', {}, ` — ${row.address}, ${row.postcode} ${row.city}`),
        h(
          'span',
          { class: 'muted' },
          ` — ${t('alerts.letters.item', { meter: row.meter, date: formatDay(row.detected_on) })}`,
        ),
      ),
    );
  if (letters.length > LETTERS_SHOWN)
    items.push(
      h('li', { class: 'muted' }, t('alerts.letters.more', { count: letters.length - LETTERS_SHOWN })),
    );
  el.letters.replaceChildren(...items);
}

/** The CSV needs the bearer token, which a plain link cannot carry (saveFile). */
let downloading = false;

async function downloadLetters() {
  if (downloading || !el) return;
  downloading = true;
  const button = el.download;
  // aria-disabled, not disabled: a disabled button drops the keyboard focus to the page.
  button.setAttribute('aria-disabled', 'true');
  button.textContent = t('alerts.letters.downloading');
  try {
    await saveFile('/api/alerts/letters?format=csv', 'alertes-courrier.csv');
    if (el) showError(el.lettersError, null);
  } catch (err) {
    // A refused token has signed the console out already (api.ts).
    if (el && statusOf(err) !== 401) showError(el.lettersError, failure(err));
  } finally {
    downloading = false;
    button.removeAttribute('aria-disabled');
    button.textContent = t('alerts.letters.download');
  }
}
