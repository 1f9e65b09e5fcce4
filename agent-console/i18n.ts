// Every string shown on screen, in French (the default) and English. Static markup names its
// strings with data-i18n* attributes; scripts call t(). Missing keys fall back to French, then
// to the key itself, so a forgotten translation shows up as readable text, never as a blank.
// A string that depends on a number is given per plural category ({ one, other }), and t() picks
// the one the language's rules (Intl.PluralRules) name for `params.count`.

export type Lang = 'fr' | 'en';
/** A string, or one per plural category of the language ("other" is always there). */
export type Message = string | ({ other: string } & Partial<Record<Intl.LDMLPluralRule, string>>);
type Dictionary = Record<string, Message>;
export type Params = Record<string, string | number | null | undefined>;

const fr: Dictionary = {
  'app.title': 'Console agent',
  'sim.title': 'Simulateur de téléphonie',
  skip: 'Aller au contenu',
  'lang.switch': 'English',
  'lang.switchLabel': 'Switch to English',

  'login.heading': 'Connexion',
  'login.email': 'E-mail',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.busy': 'Connexion…',
  'login.invalid': 'E-mail ou mot de passe incorrect.',
  'login.expired': 'Votre session a expiré : reconnectez-vous.',

  'header.logout': 'Se déconnecter',
  'header.simulator': 'Simulateur',
  'header.console': 'Console agent',
  'header.user': '{name} ({role})',
  'role.AGENT': 'agent',
  'role.SUPERVISOR': 'superviseur',
  'role.ADMIN': 'administrateur',

  'nav.label': 'Écrans',
  'nav.cases': 'Dossiers',
  'nav.oncall': 'Astreinte',
  'nav.alerts': 'Alertes',
  'nav.supervisor': 'Supervision',
  'pop.region': 'Appels entrants',

  'conn.label': 'Temps réel :',
  'conn.connecting': 'connexion…',
  'conn.connected': 'connecté',
  'conn.reconnecting': 'reconnexion…',
  'conn.disconnected': 'déconnecté',
  'conn.incomplete':
    'Reconnecté, mais certains événements manqués n’ont pas pu être récupérés : la liste a été rechargée.',
  'conn.resumed': {
    one: 'Reconnecté : {count} événement manqué récupéré.',
    other: 'Reconnecté : {count} événements manqués récupérés.',
  },

  'cases.heading': 'Dossiers ouverts',
  'cases.refresh': 'Actualiser',
  'cases.empty': 'Aucun dossier ouvert.',
  'cases.count': { one: '{count} dossier ouvert', other: '{count} dossiers ouverts' },
  'cases.loading': 'Chargement…',
  'cases.number': 'n° {number}',
  'cases.multi': 'contacts multiples',
  'cases.detailsToCheck': 'coordonnées à vérifier',
  'cases.due': 'échéance {date}',
  'cases.opened': 'ouvert le {date}',
  'cases.noCustomer': 'client non identifié',

  'detail.heading': 'Détail du dossier',
  'detail.none': 'Choisissez un dossier dans la liste.',
  'detail.title': 'Dossier n° {number}',
  'detail.customer': 'Client',
  'detail.category': 'Catégorie',
  'detail.status': 'Statut',
  'detail.urgency': 'Urgence',
  'detail.kind': 'Nature',
  'detail.opened': 'Ouvert le',
  'detail.due': 'Échéance',
  'detail.description': 'Description',
  'detail.timeline': 'Historique',
  'detail.timelineEmpty': 'Rien pour l’instant.',
  'detail.event': 'Événement',
  'detail.contact': 'Contact',
  'detail.message': 'Message',
  'detail.error': 'erreur {code}',

  'events.heading': 'Événements en direct',
  'events.empty': 'En attente d’événements…',

  'status.OPEN': 'ouvert',
  'status.IN_PROGRESS': 'en cours',
  'status.WAITING': 'en attente',
  'status.CLOSED': 'clos',
  'status.CANCELLED': 'annulé',
  'urgency.URGENT': 'urgent',
  'urgency.PRIORITY': 'prioritaire',
  'urgency.NORMAL': 'normal',
  'kind.REQUEST': 'demande',
  'kind.COMPLAINT': 'réclamation',
  'direction.INBOUND': 'entrant',
  'direction.OUTBOUND': 'sortant',

  'error.network': 'Le serveur ne répond pas. Vérifiez la connexion et réessayez.',
  'error.http': 'Le serveur a répondu {status}.',

  'sim.needLogin': 'Connectez-vous d’abord à la console.',
  'sim.backToLogin': 'Aller à la page de connexion',
  'sim.disabled': 'Le simulateur n’est pas activé sur ce serveur.',

  'call.heading': 'Appeler la ligne',
  'call.line': 'Ligne appelée',
  'call.from': 'Numéro de l’appelant',
  'call.fromHint': 'Laisser vide ou saisir « anonymous » pour un numéro masqué.',
  'call.start': 'Appeler',
  'call.transcript': 'Déroulement de l’appel',
  'call.ivr': 'Serveur vocal :',
  'call.you': 'Vous :',
  'call.keypad': 'Clavier du téléphone',
  'call.typed': 'Touches composées',
  'call.send': 'Envoyer les touches',
  'call.clear': 'Effacer',
  'call.speech': 'Ou dites quelque chose (reconnaissance vocale simulée)',
  'call.sendSpeech': 'Dire',
  'call.record': 'Votre message (simulé)',
  'call.sendRecord': 'Laisser le message',
  'call.hangup': 'Raccrocher',
  'call.ended': 'Appel terminé.',
  'call.dialing': 'Transfert de l’appel vers {number}…',
  'call.waiting': 'La plateforme traite l’appel…',
  'call.queued': 'En attente d’un conseiller (musique d’attente)…',
  'call.waitMore': 'Patienter encore',
  'call.withAgent': 'Un conseiller a décroché : vous êtes en communication. Parlez-lui ci-dessous.',
  'call.sayToAgent': 'Dire au conseiller',
  'call.busyLine': 'Un appel est déjà en cours : raccrochez-le d’abord.',
  'call.answeredAs': 'Appel de la plateforme vers {to}, décroché en tant que technicien.',
  'call.silence': '(silence)',

  'out.heading': 'Ce que la plateforme a envoyé',
  'out.empty': 'Rien d’envoyé pour l’instant.',
  'out.kind.sms': 'SMS',
  'out.kind.call': 'Appel',
  'out.kind.email': 'E-mail',
  'out.route': 'de {from} à {to}',
  'out.answer': 'Décrocher (technicien)',
  'out.decline': 'Refuser',
  'out.outcome': 'Issue',
  'out.outcome.busy': 'occupé',
  'out.outcome.no-answer': 'pas de réponse',
  'out.outcome.failed': 'échec',
  'out.outcome.machine': 'messagerie vocale',
  'out.status.sent': 'envoyé',
  'out.status.delivered': 'remis',
  'out.status.ringing': 'sonne',
  'out.status.in-progress': 'en cours',
  'out.status.completed': 'terminé',
  'out.status.no-answer': 'sans réponse',
  'out.status.busy': 'occupé',
  'out.status.failed': 'échec',
  'out.reply': 'Répondre',

  'sms.heading': 'Répondre par SMS',
  'sms.from': 'Numéro de l’expéditeur',
  'sms.body': 'Message',
  'sms.send': 'Envoyer le SMS',
  'sms.replies': 'Réponses de la plateforme',
  'sms.noReply': 'Message reçu, sans réponse immédiate.',
};

const en: Dictionary = {
  'app.title': 'Agent console',
  'sim.title': 'Telephony simulator',
  skip: 'Skip to content',
  'lang.switch': 'Français',
  'lang.switchLabel': 'Passer en français',

  'login.heading': 'Sign in',
  'login.email': 'E-mail',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.busy': 'Signing in…',
  'login.invalid': 'Wrong e-mail or password.',
  'login.expired': 'Your session has expired: please sign in again.',

  'header.logout': 'Sign out',
  'header.simulator': 'Simulator',
  'header.console': 'Agent console',
  'header.user': '{name} ({role})',
  'role.AGENT': 'agent',
  'role.SUPERVISOR': 'supervisor',
  'role.ADMIN': 'administrator',

  'nav.label': 'Screens',
  'nav.cases': 'Cases',
  'nav.oncall': 'On call',
  'nav.alerts': 'Alerts',
  'nav.supervisor': 'Supervision',
  'pop.region': 'Incoming calls',

  'conn.label': 'Live:',
  'conn.connecting': 'connecting…',
  'conn.connected': 'connected',
  'conn.reconnecting': 'reconnecting…',
  'conn.disconnected': 'disconnected',
  'conn.incomplete': 'Reconnected, but some missed events could not be recovered: the list was reloaded.',
  'conn.resumed': {
    one: 'Reconnected: {count} missed event recovered.',
    other: 'Reconnected: {count} missed events recovered.',
  },

  'cases.heading': 'Open cases',
  'cases.refresh': 'Refresh',
  'cases.empty': 'No open cases.',
  'cases.count': { one: '{count} open case', other: '{count} open cases' },
  'cases.loading': 'Loading…',
  'cases.number': '#{number}',
  'cases.multi': 'multiple contacts',
  'cases.detailsToCheck': 'details to check',
  'cases.due': 'due {date}',
  'cases.opened': 'opened {date}',
  'cases.noCustomer': 'unidentified customer',

  'detail.heading': 'Case details',
  'detail.none': 'Pick a case from the list.',
  'detail.title': 'Case #{number}',
  'detail.customer': 'Customer',
  'detail.category': 'Category',
  'detail.status': 'Status',
  'detail.urgency': 'Urgency',
  'detail.kind': 'Kind',
  'detail.opened': 'Opened',
  'detail.due': 'Due',
  'detail.description': 'Description',
  'detail.timeline': 'History',
  'detail.timelineEmpty': 'Nothing yet.',
  'detail.event': 'Event',
  'detail.contact': 'Contact',
  'detail.message': 'Message',
  'detail.error': 'error {code}',

  'events.heading': 'Live events',
  'events.empty': 'Waiting for events…',

  'status.OPEN': 'open',
  'status.IN_PROGRESS': 'in progress',
  'status.WAITING': 'waiting',
  'status.CLOSED': 'closed',
  'status.CANCELLED': 'cancelled',
  'urgency.URGENT': 'urgent',
  'urgency.PRIORITY': 'priority',
  'urgency.NORMAL': 'normal',
  'kind.REQUEST': 'request',
  'kind.COMPLAINT': 'complaint',
  'direction.INBOUND': 'inbound',
  'direction.OUTBOUND': 'outbound',

  'error.network': 'The server is not answering. Check the connection and try again.',
  'error.http': 'The server answered {status}.',

  'sim.needLogin': 'Sign in to the console first.',
  'sim.backToLogin': 'Go to the sign-in page',
  'sim.disabled': 'The simulator is not enabled on this server.',

  'call.heading': 'Call the line',
  'call.line': 'Line to call',
  'call.from': 'Caller’s number',
  'call.fromHint': 'Leave empty or type “anonymous” for a withheld number.',
  'call.start': 'Call',
  'call.transcript': 'Call transcript',
  'call.ivr': 'Voice server:',
  'call.you': 'You:',
  'call.keypad': 'Phone keypad',
  'call.typed': 'Keys pressed',
  'call.send': 'Send keys',
  'call.clear': 'Clear',
  'call.speech': 'Or say something (simulated speech recognition)',
  'call.sendSpeech': 'Say',
  'call.record': 'Your message (simulated)',
  'call.sendRecord': 'Leave the message',
  'call.hangup': 'Hang up',
  'call.ended': 'Call ended.',
  'call.dialing': 'Transferring the call to {number}…',
  'call.waiting': 'The platform is handling the call…',
  'call.queued': 'Waiting for an agent (hold music)…',
  'call.waitMore': 'Keep waiting',
  'call.withAgent': 'An agent picked up: you are on the call. Speak to them below.',
  'call.sayToAgent': 'Say to the agent',
  'call.busyLine': 'A call is already in progress: hang it up first.',
  'call.answeredAs': 'Platform call to {to}, answered as the technician.',
  'call.silence': '(silence)',

  'out.heading': 'What the platform sent',
  'out.empty': 'Nothing sent yet.',
  'out.kind.sms': 'SMS',
  'out.kind.call': 'Call',
  'out.kind.email': 'E-mail',
  'out.route': 'from {from} to {to}',
  'out.answer': 'Answer (technician)',
  'out.decline': 'Decline',
  'out.outcome': 'Outcome',
  'out.outcome.busy': 'busy',
  'out.outcome.no-answer': 'no answer',
  'out.outcome.failed': 'failed',
  'out.outcome.machine': 'voicemail',
  'out.status.sent': 'sent',
  'out.status.delivered': 'delivered',
  'out.status.ringing': 'ringing',
  'out.status.in-progress': 'in progress',
  'out.status.completed': 'completed',
  'out.status.no-answer': 'no answer',
  'out.status.busy': 'busy',
  'out.status.failed': 'failed',
  'out.reply': 'Reply',

  'sms.heading': 'Reply by SMS',
  'sms.from': 'Sender’s number',
  'sms.body': 'Message',
  'sms.send': 'Send the SMS',
  'sms.replies': 'Platform replies',
  'sms.noReply': 'Message received, no immediate reply.',
};

const dictionaries: Record<Lang, Dictionary> = { fr, en };
const STORAGE_KEY = 'console.lang';
const listeners = new Set<(lang: Lang) => void>();
const isLang = (value: string | null): value is Lang => value === 'fr' || value === 'en';

const stored = localStorage.getItem(STORAGE_KEY);
let lang: Lang = isLang(stored) ? stored : 'fr';

/**
 * Each screen keeps its own strings beside its code and adds them here when it loads; a key
 * defined twice is a mistake, said in the console rather than silently overwritten.
 */
export function addStrings(strings: Record<Lang, Dictionary>): void {
  for (const name of ['fr', 'en'] as const) {
    const dictionary = dictionaries[name];
    for (const [key, text] of Object.entries(strings[name])) {
      if (key in dictionary) console.warn(`i18n: ${name} key ${key} defined twice`);
      dictionary[key] = text;
    }
  }
}

export function getLang(): Lang {
  return lang;
}

const pluralRules = { fr: new Intl.PluralRules('fr-FR'), en: new Intl.PluralRules('en-GB') };

/** The string of `message` for `count` (French says "0 dossier", English "0 cases"). */
function pick(message: Message, count: unknown): string {
  if (typeof message === 'string') return message;
  const category = typeof count === 'number' ? pluralRules[lang].select(count) : 'other';
  return message[category] ?? message.other;
}

/** Translates `key`, replacing `{name}` placeholders with `params.name`; `params.count` picks the plural. */
export function t(key: string, params: Params = {}): string {
  const message = dictionaries[lang][key] ?? fr[key] ?? key;
  return pick(message, params.count).replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Translates a server enum value (e.g. status.OPEN), showing the raw value if unknown. */
export function tEnum(prefix: string, value: string | null | undefined): string {
  const key = `${prefix}.${value}`;
  const message = dictionaries[lang][key] ?? fr[key];
  return message === undefined ? String(value ?? '') : pick(message, undefined);
}

export function setLang(next: Lang): void {
  if (next === lang) return;
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  applyTranslations();
  for (const listener of listeners) listener(lang);
}

export function toggleLang(): void {
  setLang(lang === 'fr' ? 'en' : 'fr');
}

/** Called after every language change, so pages can redraw what they built from data. */
export function onLangChange(listener: (lang: Lang) => void): void {
  listeners.add(listener);
}

/** Fills the static markup (the <title> too): data-i18n, data-i18n-placeholder, data-i18n-aria-label. */
export function applyTranslations(root: ParentNode = document): void {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]'))
    node.textContent = t(node.dataset.i18n!);
  for (const node of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]'))
    node.placeholder = t(node.dataset.i18nPlaceholder!);
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-aria-label]'))
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel!));
}

/** The BCP 47 locale of the chosen language, for Intl formats. */
export function locale(): string {
  return lang === 'fr' ? 'fr-FR' : 'en-GB';
}

/** Dates in the chosen language, in the browser's time zone. */
export function formatDate(value: string | number | Date | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(date);
}

/** The switch names the other language, in that language (lang attribute for screen readers). */
export function renderLangSwitch(button: HTMLElement): void {
  button.textContent = t('lang.switch');
  button.setAttribute('lang', lang === 'fr' ? 'en' : 'fr');
  button.setAttribute('aria-label', t('lang.switchLabel'));
}
