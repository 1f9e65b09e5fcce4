// The supervisor's screen: the calls and their live figures (call-figures.ts), the agents' states,
// case queues per agency with their SLA breaches, the multi-contact
// cases flagged for priority, and who is online with the case each one has open (two agents on
// one case are pointed out, so they do not both answer the same customer).

import type { AgentStatus } from '../../src/agents/agents.schemas.js';
import type { QueueFigures } from '../../src/agents/distribution.schemas.js';
import type { CaseQueue, SupervisedCase, SupervisionReply } from '../../src/cases/supervision.schemas.js';
import type { OnlineUser, PresenceReply } from '../../src/realtime/realtime.schemas.js';
import { get, saveFile, statusOf } from '../api.js';
import { h } from '../dom.js';
import { addStrings, formatDate, t, tEnum } from '../i18n.js';
import { callFiguresCard } from './call-figures.js';
import { coalesced } from './coalesced.js';
import { countdownBadge } from './countdown.js';
import type { View, ViewContext } from './view.js';

addStrings({
  fr: {
    'sup.queues': 'Files de dossiers par agence',
    'sup.agency': 'Agence',
    'sup.noAgency': 'sans agence',
    'sup.open': 'Ouverts',
    'sup.urgent': 'Urgents',
    'sup.overdue': 'Échéance dépassée',
    'sup.dueSoon': 'Échéance dans l’heure',
    'sup.multi': 'Multi-contacts',
    'sup.breaches': 'Échéances dépassées',
    'sup.noBreach': 'Aucune échéance dépassée.',
    'sup.multiHeading': 'Dossiers multi-contacts (à traiter en priorité)',
    'sup.noMulti': 'Aucun dossier multi-contacts.',
    'sup.sensitiveHeading': 'Courriers sensibles (équipe dédiée)',
    'sup.noSensitive': 'Aucun courrier sensible en cours.',
    'sup.online': 'En ligne',
    'sup.nobody': 'Personne d’autre n’est connecté.',
    'sup.viewing': 'sur le dossier n° {number}',
    'sup.viewingUnknown': 'sur un dossier',
    'sup.idle': 'aucun dossier ouvert',
    'sup.together': '{count} personnes sur ce dossier',
    'sup.updated': 'Mis à jour {date}',
    'sup.case': 'n° {number} · {subject}',
    'sup.agents': 'États des agents',
    'sup.agentSince': 'depuis {date}',
    'sup.noAgent': 'Aucun agent.',
  },
  en: {
    'sup.queues': 'Case queues per agency',
    'sup.agency': 'Agency',
    'sup.noAgency': 'no agency',
    'sup.open': 'Open',
    'sup.urgent': 'Urgent',
    'sup.overdue': 'Overdue',
    'sup.dueSoon': 'Due within the hour',
    'sup.multi': 'Multi-contact',
    'sup.breaches': 'Overdue cases',
    'sup.noBreach': 'No overdue case.',
    'sup.multiHeading': 'Multi-contact cases (to handle first)',
    'sup.noMulti': 'No multi-contact case.',
    'sup.sensitiveHeading': 'Sensitive letters (dedicated team)',
    'sup.noSensitive': 'No sensitive letter open.',
    'sup.online': 'Online',
    'sup.nobody': 'Nobody else is signed in.',
    'sup.viewing': 'on case no. {number}',
    'sup.viewingUnknown': 'on a case',
    'sup.idle': 'no case open',
    'sup.together': '{count} people on this case',
    'sup.updated': 'Updated {date}',
    'sup.case': 'no. {number} · {subject}',
    'sup.agents': 'Agents’ states',
    'sup.agentSince': 'since {date}',
    'sup.noAgent': 'No agent.',
  },
});

/** SLA breaches appear with time, not only with events: look again every so often. */
const REFRESH_MS = 30_000;

let ctx: ViewContext | null = null;
let data: SupervisionReply | null = null; // /api/supervision
let online: OnlineUser[] | null = null; // /api/presence users
let agents: AgentStatus[] | null = null; // /api/agents
let figures: QueueFigures | null = null; // /api/calls/figures
const errors: Record<'supervision' | 'presence' | 'agents' | 'figures', string | null> = {
  supervision: null,
  presence: null,
  agents: null,
  figures: null,
};
let timer: ReturnType<typeof setInterval> | undefined;
let shown = false;
let caseNumbers = new Map<string, number>(); // caseId → number, for the presence list

/** What a failed call shows: its message. */
const failure = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const supervisorView: View = {
  id: 'supervisor',
  label: 'nav.supervisor',
  roles: ['SUPERVISOR', 'ADMIN'],
  start(context) {
    ctx = context;
    data = null;
    online = null;
    agents = null;
    figures = null;
    shown = false;
    Object.assign(errors, { supervision: null, presence: null, agents: null, figures: null });
    render();
  },
  // Hidden, the screen fetches nothing: it loads everything again each time it is shown.
  show() {
    shown = true;
    loadAll();
    clearInterval(timer);
    timer = setInterval(loadAll, REFRESH_MS);
    ctx?.root.querySelector('h2')?.focus();
  },
  hide() {
    shown = false;
    clearInterval(timer);
  },
  onEvent(event) {
    if (shown && (event.type.startsWith('case.') || event.type === 'call.screen-pop')) void loadSupervision();
    if (shown && event.type === 'agent.state') void loadAgents();
    if (shown && (event.type === 'agent.state' || event.type.startsWith('call.'))) void loadFigures();
  },
  onPresence() {
    if (shown) void loadPresence();
  },
  onSynced({ reload }) {
    if (shown && reload) loadAll();
  },
  render,
  stop() {
    clearInterval(timer);
    shown = false;
    ctx = null;
  },
};

// Each loader: a burst of events while it runs causes one more load, not one each.
const loadSupervision = coalesced(
  async () => {
    if (!ctx) return;
    try {
      data = await get<SupervisionReply>('/api/supervision');
      errors.supervision = null;
    } catch (err) {
      if (statusOf(err) !== 401) errors.supervision = failure(err);
    }
    render();
  },
  () => ctx !== null,
);

const loadPresence = coalesced(
  async () => {
    if (!ctx) return;
    try {
      const presence = await get<PresenceReply>('/api/presence');
      online = presence.users;
      caseNumbers = new Map(Object.entries(presence.caseNumbers));
      errors.presence = null;
    } catch (err) {
      if (statusOf(err) !== 401) errors.presence = failure(err);
    }
    render();
  },
  () => ctx !== null,
);

const loadAgents = coalesced(
  async () => {
    if (!ctx) return;
    try {
      agents = await get<AgentStatus[]>('/api/agents');
      errors.agents = null;
    } catch (err) {
      if (statusOf(err) !== 401) errors.agents = failure(err);
    }
    render();
  },
  () => ctx !== null,
);

const loadFigures = coalesced(
  async () => {
    if (!ctx) return;
    try {
      figures = await get<QueueFigures>('/api/calls/figures');
      errors.figures = null;
    } catch (err) {
      if (statusOf(err) !== 401) errors.figures = failure(err);
    }
    render();
  },
  () => ctx !== null,
);

async function downloadDay() {
  const day = figures?.day;
  if (!day) return;
  try {
    await saveFile(`/api/calls/day.csv?day=${day}`, `appels-${day}.csv`);
  } catch (err) {
    if (statusOf(err) !== 401) errors.figures = failure(err);
    render();
  }
}

function loadAll() {
  void loadFigures();
  void loadSupervision();
  void loadPresence();
  void loadAgents();
}

function render(): void {
  const root = ctx?.root;
  if (!root) return;
  const active = document.activeElement;
  const hadFocus = active && root.contains(active) ? active.id : null;
  root.replaceChildren(
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'column' },
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'sup-queues' },
          h('h2', { id: 'sup-queues', tabindex: '-1' }, t('sup.queues')),
          errors.supervision || errors.presence
            ? h('p', { class: 'error', role: 'alert' }, errors.supervision ?? errors.presence)
            : null,
          data ? h('p', { class: 'muted' }, t('sup.updated', { date: formatDate(data.at) })) : null,
          data ? queuesTable(data.queues) : h('p', { class: 'muted' }, t('cases.loading')),
        ),
        caseList('sup-breaches', t('sup.breaches'), data?.overdue, t('sup.noBreach')),
        caseList('sup-multi', t('sup.multiHeading'), data?.multiContact, t('sup.noMulti')),
        caseList('sup-sensitive', t('sup.sensitiveHeading'), data?.sensitive, t('sup.noSensitive')),
      ),
      h(
        'div',
        { class: 'column' },
        callFiguresCard(figures, errors.figures, () => void downloadDay()),
        agentList(),
        onlineList(),
      ),
    ),
  );
  if (hadFocus) document.getElementById(hadFocus)?.focus();
}

/** Who can take calls now: each agent's state, why when on a break, and since when. */
function agentList() {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sup-agents' },
    h('h2', { id: 'sup-agents' }, t('sup.agents')),
    errors.agents ? h('p', { class: 'error', role: 'alert' }, errors.agents) : null,
    agents === null
      ? h('p', { class: 'muted' }, t('cases.loading'))
      : agents.length === 0
        ? h('p', { class: 'muted' }, t('sup.noAgent'))
        : h(
            'ul',
            { class: 'online-list', id: 'sup-agents-list' },
            agents.map((agent) =>
              h(
                'li',
                { dataset: { agentState: agent.state, agentName: agent.displayName } },
                h('strong', {}, agent.displayName),
                ' ',
                h('span', { class: `badge agent-${agent.state}` }, tEnum('agentState', agent.state)),
                agent.reason ? ` ${agent.reason}` : '',
                agent.state === 'OFFLINE'
                  ? ''
                  : h(
                      'span',
                      { class: 'muted' },
                      ` ${t('sup.agentSince', { date: formatDate(agent.since) })}`,
                    ),
              ),
            ),
          ),
  );
}

function queuesTable(queues: readonly CaseQueue[]) {
  const cell = (value: number, warn = false) =>
    h('td', { class: warn && value > 0 ? 'overdue' : '' }, String(value));
  return h(
    'table',
    { class: 'queues' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          t('sup.agency'),
          t('sup.open'),
          t('sup.urgent'),
          t('sup.overdue'),
          t('sup.dueSoon'),
          t('sup.multi'),
        ].map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      queues.map((q) =>
        h(
          'tr',
          { dataset: { queueAgency: q.agencyId ?? 'none' } },
          h('th', { scope: 'row' }, q.agency ?? t('sup.noAgency')),
          cell(q.open),
          cell(q.urgent, true),
          h(
            'td',
            { class: q.overdue > 0 ? 'overdue' : '', dataset: { overdue: String(q.overdue) } },
            String(q.overdue),
          ),
          cell(q.dueWithinHour),
          cell(q.multiContact, true),
        ),
      ),
    ),
  );
}

function caseList(id: string, title: string, cases: readonly SupervisedCase[] | undefined, empty: string) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    !cases
      ? null
      : cases.length === 0
        ? h('p', { class: 'muted' }, empty)
        : h(
            'ul',
            { class: 'case-list', id: `${id}-list` },
            cases.map((kase) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#/cases/${kase.id}` },
                  t('sup.case', { number: kase.number, subject: kase.subject }),
                ),
                ' ',
                h('span', { class: `badge urgency-${kase.urgency}` }, tEnum('urgency', kase.urgency)),
                ' ',
                kase.agency ? h('span', { class: 'muted' }, kase.agency.name) : null,
                kase.dueAt ? countdownBadge(kase.dueAt) : null,
              ),
            ),
          ),
  );
}

function onlineList() {
  const users = (online ?? []).filter((u) => u.userId !== ctx?.user.id);
  // How many people have each case open: more than one means two may answer the same customer.
  const perCase = new Map<string, number>();
  for (const user of online ?? []) for (const id of user.viewing) perCase.set(id, (perCase.get(id) ?? 0) + 1);
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sup-online' },
    h('h2', { id: 'sup-online' }, t('sup.online')),
    online === null
      ? h('p', { class: 'muted' }, t('cases.loading'))
      : users.length === 0
        ? h('p', { class: 'muted' }, t('sup.nobody'))
        : h(
            'ul',
            { class: 'online-list', id: 'sup-online-list', 'aria-live': 'polite' },
            users.map((user) =>
              h(
                'li',
                { dataset: { onlineUser: user.displayName } },
                h('strong', {}, user.displayName),
                ` (${tEnum('role', user.role)}) `,
                user.viewing.length === 0
                  ? h('span', { class: 'muted' }, t('sup.idle'))
                  : user.viewing.map((id) => {
                      const number = caseNumbers.get(id);
                      const together = perCase.get(id) ?? 0;
                      return h(
                        'span',
                        { dataset: { viewing: id } },
                        h(
                          'a',
                          { href: `#/cases/${id}` },
                          number !== undefined ? t('sup.viewing', { number }) : t('sup.viewingUnknown'),
                        ),
                        together > 1
                          ? h('span', { class: 'badge warn' }, t('sup.together', { count: together }))
                          : null,
                      );
                    }),
              ),
            ),
          ),
  );
}
