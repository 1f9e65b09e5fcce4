// The Follow-ups screen: the agency's work lists (DOMAIN.md sections 3, 6 and 7): calls to
// make, field tasks, letters to print, overdue cases, each downloadable as CSV; for supervisors,
// the day's termination lists [TR-4]. Live: a follow-up timer firing publishes an event
// (departure.call-due, vacant-housing.*…) and the lists are read again (coalesced), so a task
// appears without a reload; only the rows that changed are redrawn.

import type { WorkListsAnswer } from '../../src/follow-ups/follow-ups.schemas.js';
import type { TerminationLists } from '../../src/termination/termination.schemas.js';
import { get, post, saveFile, statusOf } from '../api.js';
import { h, showError } from '../dom.js';
import { addStrings, formatDate, t } from '../i18n.js';
import type { DomainEvent } from '../live.js';
import { coalesced } from './coalesced.js';
import { syncKeyed, unlessSame } from './keyed-list.js';
import type { View, ViewContext } from './view.js';

addStrings({
  fr: {
    'nav.follow-ups': 'Suivis',
    'wl.heading': 'Suivis du jour',
    'wl.refresh': 'Actualiser',
    'wl.csv': 'Télécharger (CSV)',
    'wl.csvLabel': 'Télécharger la liste « {list} » (CSV)',
    'wl.loading': 'Chargement…',
    'wl.at': 'Listes lues à {time}',
    'wl.case': 'dossier n° {number}',
    'wl.since': 'depuis le {date}',
    'wl.dueAt': 'échéance dépassée le {date}',
    'wl.noPhone': 'pas de numéro au dossier',
    'wl.calls': 'Appels à passer',
    'wl.calls.empty': 'Aucun appel à passer.',
    'wl.call.departure': 'Départ sans nouvelles (30 jours)',
    'wl.call.appointment-change': 'Rendez-vous changé par l’entreprise',
    'wl.call.holding-reply': 'Réponse d’attente par téléphone',
    'wl.call.scheduling': 'Rappel de l’équipe planification',
    'wl.reached': 'Client joint',
    'wl.noAnswer': 'Pas de réponse',
    'wl.outcomeLabel': '{outcome} : dossier n° {number}',
    'wl.done.reached': 'Appel du dossier n° {number} enregistré.',
    'wl.done.no-answer':
      'Pas de réponse au dossier n° {number} : un relevé du compteur est à faire sur place.',
    'wl.fieldTasks': 'Interventions terrain',
    'wl.fieldTasks.empty': 'Aucune intervention à planifier.',
    'wl.field.close-connection': 'Logement vacant : fermer le branchement',
    'wl.field.meter-survey': 'Départ sans réponse : relever le compteur',
    'wl.supplyPoint': 'point de livraison {reference}',
    'wl.gone': 'Client parti : branchement fermé',
    'wl.present': 'Client présent',
    'wl.done.field': 'Intervention du dossier n° {number} enregistrée.',
    'wl.letters': 'Courriers à imprimer',
    'wl.letters.empty': 'Aucun courrier à imprimer.',
    'wl.letter.departure-reminder': 'Relance de départ (ni e-mail ni portable)',
    'wl.letter.new-occupant': 'Lettre « au nouvel occupant »',
    'wl.letterPick': 'Imprimé : dossier n° {number}',
    'wl.printed': 'Marquer imprimés',
    'wl.done.printed': {
      one: '{count} courrier marqué imprimé.',
      other: '{count} courriers marqués imprimés.',
    },
    'wl.overdue': 'Dossiers en retard',
    'wl.overdue.empty': 'Aucun dossier en retard.',
    'wl.termination': 'Résiliations du jour',
    'wl.termination.toTerminate': 'À résilier',
    'wl.termination.toRemind': 'À relancer par écrit (7 jours avant)',
    'wl.termination.managementDecision': 'Décision de la direction',
    'wl.termination.empty': 'Personne.',
    'wl.termination.line': '{name} · {reference} · coupé le {interrupted} · résiliation le {day}',
    'wl.error.conflict': 'Cette tâche n’est plus à faire (déjà traitée) : la liste est relue.',
  },
  en: {
    'nav.follow-ups': 'Follow-ups',
    'wl.heading': 'Today’s follow-ups',
    'wl.refresh': 'Refresh',
    'wl.csv': 'Download (CSV)',
    'wl.csvLabel': 'Download the list “{list}” (CSV)',
    'wl.loading': 'Loading…',
    'wl.at': 'Lists read at {time}',
    'wl.case': 'case #{number}',
    'wl.since': 'since {date}',
    'wl.dueAt': 'deadline passed on {date}',
    'wl.noPhone': 'no number on file',
    'wl.calls': 'Calls to make',
    'wl.calls.empty': 'No calls to make.',
    'wl.call.departure': 'Departure without news (30 days)',
    'wl.call.appointment-change': 'Appointment changed by the company',
    'wl.call.holding-reply': 'Holding reply by phone',
    'wl.call.scheduling': 'Scheduling team call-back',
    'wl.reached': 'Customer reached',
    'wl.noAnswer': 'No answer',
    'wl.outcomeLabel': '{outcome}: case #{number}',
    'wl.done.reached': 'Call of case #{number} recorded.',
    'wl.done.no-answer': 'No answer on case #{number}: a meter survey is to be done on site.',
    'wl.fieldTasks': 'Field tasks',
    'wl.fieldTasks.empty': 'No field task to plan.',
    'wl.field.close-connection': 'Vacant home: close the connection',
    'wl.field.meter-survey': 'Departure without answer: survey the meter',
    'wl.supplyPoint': 'supply point {reference}',
    'wl.gone': 'Customer gone: connection closed',
    'wl.present': 'Customer still there',
    'wl.done.field': 'Field task of case #{number} recorded.',
    'wl.letters': 'Letters to print',
    'wl.letters.empty': 'No letter to print.',
    'wl.letter.departure-reminder': 'Departure reminder (no e-mail nor mobile)',
    'wl.letter.new-occupant': 'Letter “to the new occupant”',
    'wl.letterPick': 'Printed: case #{number}',
    'wl.printed': 'Mark printed',
    'wl.done.printed': { one: '{count} letter marked printed.', other: '{count} letters marked printed.' },
    'wl.overdue': 'Overdue cases',
    'wl.overdue.empty': 'No overdue case.',
    'wl.termination': 'Today’s terminations',
    'wl.termination.toTerminate': 'To terminate',
    'wl.termination.toRemind': 'Written reminder (7 days before)',
    'wl.termination.managementDecision': 'Management decision',
    'wl.termination.empty': 'Nobody.',
    'wl.termination.line': '{name} · {reference} · cut off on {interrupted} · termination on {day}',
    'wl.error.conflict': 'This task is no longer due (already done): the list is read again.',
  },
});

type Lists = WorkListsAnswer;
type Call = Lists['calls'][number];
type FieldTask = Lists['fieldTasks'][number];
type Letter = Lists['letters'][number];
type Overdue = Lists['overdue'][number];
type TerminationList = keyof Omit<TerminationLists, 'day'>;

/** The live events after which a work list may have changed. */
const RELEVANT =
  /^(departure|vacant-housing|work-list|appointment|termination)\.|^case\.(closed|cancelled|answered|holding-)/;
const TERMINATION_LISTS: readonly TerminationList[] = ['toTerminate', 'toRemind', 'managementDecision'];
const TERMINATION_CSV = {
  toTerminate: 'to-terminate',
  toRemind: 'to-remind',
  managementDecision: 'management-decision',
};

interface Elements {
  at: HTMLParagraphElement;
  error: HTMLParagraphElement;
  notice: HTMLParagraphElement;
  calls: HTMLUListElement;
  fieldTasks: HTMLUListElement;
  letters: HTMLUListElement;
  printed: HTMLButtonElement;
  overdue: HTMLUListElement;
  counts: Record<'calls' | 'fieldTasks' | 'letters' | 'overdue', HTMLElement>;
  termination: HTMLElement | null;
}

let ctx: ViewContext | null = null;
let el: Elements | null = null;
let lists: Lists | null = null;
let termination: TerminationLists | null = null;
let shown = false;
/** Events came while hidden: read again when shown. */
let stale = true;

const isSupervisor = () => ctx?.user.role === 'SUPERVISOR' || ctx?.user.role === 'ADMIN';

export const workListsView: View = {
  id: 'follow-ups',
  label: 'nav.follow-ups',
  start(context) {
    ctx = context;
    lists = null;
    termination = null;
    stale = true;
    el = build(context.root);
  },
  show() {
    shown = true;
    if (stale) void load();
  },
  hide() {
    shown = false;
  },
  onEvent(event: DomainEvent) {
    if (!RELEVANT.test(event.type)) return;
    if (shown) void load();
    else stale = true;
  },
  onSynced() {
    if (shown) void load();
    else stale = true;
  },
  render() {
    if (el && ctx) {
      el = build(ctx.root);
      renderAll();
    }
  },
  stop() {
    ctx = null;
    el = null;
    shown = false;
  },
};

const load = coalesced(
  async () => {
    stale = false;
    try {
      const [read, day] = await Promise.all([
        get<Lists>('/api/work-lists'),
        isSupervisor() ? get<TerminationLists>('/api/termination/lists') : Promise.resolve(null),
      ]);
      lists = read;
      termination = day;
      if (el) showError(el.error, null);
    } catch (err) {
      if (el && statusOf(err) !== 401) showError(el.error, err as Error);
    }
    renderAll();
  },
  () => ctx !== null,
);

// ---- the screen ----

function section(id: string, title: string, csv: string | null, ...content: Node[]): HTMLElement {
  const count = h('span', { class: 'muted', dataset: { count: id } });
  return h(
    'section',
    { class: 'work-list', 'aria-labelledby': `wl-${id}-heading`, dataset: { workList: id } },
    h('h3', { id: `wl-${id}-heading` }, title, ' ', count),
    csv &&
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-label': t('wl.csvLabel', { list: title }),
          onclick: () =>
            void saveFile(csv, `${id}.csv`).catch((err: Error) => el && showError(el.error, err)),
        },
        t('wl.csv'),
      ),
    ...content,
  );
}

function build(root: HTMLElement): Elements {
  const list = (label: string) =>
    h('ul', { class: 'work-items', 'aria-label': label, 'aria-live': 'polite' });
  const calls = list(t('wl.calls'));
  const fieldTasks = list(t('wl.fieldTasks'));
  const letters = list(t('wl.letters'));
  const overdue = list(t('wl.overdue'));
  const printed = h('button', { type: 'button', onclick: () => void markPrinted() }, t('wl.printed'));
  const sections = {
    calls: section('calls', t('wl.calls'), `/api/work-lists/calls.csv`, calls),
    fieldTasks: section('field-tasks', t('wl.fieldTasks'), '/api/work-lists/field-tasks.csv', fieldTasks),
    letters: section('letters', t('wl.letters'), '/api/work-lists/letters.csv', letters, printed),
    overdue: section('overdue', t('wl.overdue'), '/api/work-lists/overdue.csv', overdue),
  };
  const countOf = (node: HTMLElement) => node.querySelector<HTMLElement>('[data-count]')!;
  const terminationBox = isSupervisor()
    ? h('section', {
        class: 'work-list',
        'aria-labelledby': 'wl-termination-heading',
        dataset: { workList: 'termination' },
      })
    : null;
  const elements: Elements = {
    at: h('p', { class: 'muted', 'aria-live': 'polite' }),
    error: h('p', { class: 'error', role: 'alert', hidden: true }),
    notice: h('p', { class: 'notice', role: 'status', hidden: true }),
    calls,
    fieldTasks,
    letters,
    printed,
    overdue,
    counts: {
      calls: countOf(sections.calls),
      fieldTasks: countOf(sections.fieldTasks),
      letters: countOf(sections.letters),
      overdue: countOf(sections.overdue),
    },
    termination: terminationBox,
  };
  root.replaceChildren(
    h(
      'header',
      { class: 'view-header' },
      h('h2', {}, t('wl.heading')),
      h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('wl.refresh')),
    ),
    elements.at,
    elements.error,
    elements.notice,
    h(
      'div',
      { class: 'work-lists' },
      ...Object.values(sections),
      ...(terminationBox ? [terminationBox] : []),
    ),
  );
  return elements;
}

function renderAll() {
  if (!el) return;
  if (!lists) {
    el.at.textContent = t('wl.loading');
    return;
  }
  el.at.textContent = t('wl.at', { time: formatDate(lists.at) });
  el.counts.calls.textContent = `(${lists.calls.length})`;
  el.counts.fieldTasks.textContent = `(${lists.fieldTasks.length})`;
  el.counts.letters.textContent = `(${lists.letters.length})`;
  el.counts.overdue.textContent = `(${lists.overdue.length})`;
  drawList(el.calls, lists.calls, (item) => `${item.kind}-${item.caseId}`, drawCall, 'wl.calls.empty');
  drawList(
    el.fieldTasks,
    lists.fieldTasks,
    (item) => `${item.kind}-${item.caseId}`,
    drawFieldTask,
    'wl.fieldTasks.empty',
  );
  drawList(
    el.letters,
    lists.letters,
    (item) => `${item.kind}-${item.caseId}`,
    drawLetter,
    'wl.letters.empty',
  );
  el.printed.hidden = lists.letters.length === 0;
  drawList(el.overdue, lists.overdue, (item) => item.caseId, drawOverdue, 'wl.overdue.empty');
  renderTermination();
}

function drawList<T>(
  list: HTMLUListElement,
  items: readonly T[],
  keyOf: (item: T) => string,
  draw: (item: T) => HTMLElement,
  empty: string,
) {
  if (items.length === 0) {
    list.replaceChildren(h('li', { class: 'muted' }, t(empty)));
    return;
  }
  syncKeyed(list, items, keyOf, (item, existing) => unlessSame(existing, item, () => draw(item)));
}

const caseLink = (item: { caseId: string; caseNumber: number }) =>
  h('a', { href: `#/cases/${item.caseId}` }, t('wl.case', { number: item.caseNumber }));

function drawCall(call: Call): HTMLElement {
  const actions =
    call.kind === 'departure'
      ? h(
          'div',
          { class: 'row-actions' },
          outcomeButton(call, 'reached', t('wl.reached')),
          outcomeButton(call, 'no-answer', t('wl.noAnswer')),
        )
      : null;
  return h(
    'li',
    { class: 'work-item', dataset: { callRow: call.caseId, kind: call.kind } },
    h('strong', {}, t(`wl.call.${call.kind}`)),
    ' · ',
    caseLink(call),
    ` · ${call.subject} · `,
    call.phone
      ? h('a', { href: `tel:${call.phone}` }, call.phone)
      : h('span', { class: 'muted' }, t('wl.noPhone')),
    h('span', { class: 'muted' }, ` · ${t('wl.since', { date: formatDate(call.since) })}`),
    actions,
  );
}

function outcomeButton(call: Call, outcome: 'reached' | 'no-answer', label: string) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-label': t('wl.outcomeLabel', { outcome: label, number: call.caseNumber }),
      onclick: () =>
        void act(`/api/work-lists/calls/${call.caseId}/outcome`, { kind: call.kind, outcome }, () =>
          t(`wl.done.${outcome}`, { number: call.caseNumber }),
        ),
    },
    label,
  );
}

function drawFieldTask(task: FieldTask): HTMLElement {
  const done = (outcome: 'customer-gone' | 'customer-present', label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': t('wl.outcomeLabel', { outcome: label, number: task.caseNumber }),
        onclick: () =>
          void act(`/api/work-lists/field-tasks/${task.caseId}/done`, { kind: task.kind, outcome }, () =>
            t('wl.done.field', { number: task.caseNumber }),
          ),
      },
      label,
    );
  return h(
    'li',
    { class: 'work-item', dataset: { fieldTaskRow: task.caseId, kind: task.kind } },
    h('strong', {}, t(`wl.field.${task.kind}`)),
    ' · ',
    caseLink(task),
    ` · ${task.address}`,
    task.supplyPoint ? ` · ${t('wl.supplyPoint', { reference: task.supplyPoint })}` : null,
    h('span', { class: 'muted' }, ` · ${t('wl.since', { date: formatDate(task.since) })}`),
    h(
      'div',
      { class: 'row-actions' },
      done('customer-gone', t('wl.gone')),
      task.kind === 'meter-survey' ? done('customer-present', t('wl.present')) : null,
    ),
  );
}

function drawLetter(letter: Letter): HTMLElement {
  return h(
    'li',
    { class: 'work-item', dataset: { letterRow: letter.caseId, kind: letter.kind } },
    h(
      'label',
      {},
      h('input', {
        type: 'checkbox',
        name: 'printed',
        value: JSON.stringify({ caseId: letter.caseId, kind: letter.kind }),
        'aria-label': t('wl.letterPick', { number: letter.caseNumber }),
      }),
      ' ',
      h('strong', {}, t(`wl.letter.${letter.kind}`)),
    ),
    ' · ',
    caseLink(letter),
    ` · ${letter.addressee} · ${letter.address}`,
    h('span', { class: 'muted' }, ` · ${t('wl.since', { date: formatDate(letter.since) })}`),
  );
}

function drawOverdue(item: Overdue): HTMLElement {
  return h(
    'li',
    { class: 'work-item', dataset: { overdueRow: item.caseId } },
    caseLink(item),
    ` · ${item.subject} · `,
    h('span', { class: 'late' }, t('wl.dueAt', { date: formatDate(item.dueAt) })),
  );
}

function renderTermination() {
  const box = el?.termination;
  if (!box) return;
  const day = termination?.day;
  box.replaceChildren(
    h('h3', { id: 'wl-termination-heading' }, t('wl.termination'), day ? ` · ${day}` : ''),
    ...TERMINATION_LISTS.map((name) => {
      const lines = termination?.[name] ?? [];
      const title = t(`wl.termination.${name}`);
      return h(
        'div',
        { dataset: { terminationList: name } },
        h('h4', {}, `${title} (${lines.length})`),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-label': t('wl.csvLabel', { list: title }),
            onclick: () => void saveFile(`/api/termination/${TERMINATION_CSV[name]}.csv`, `${name}.csv`),
          },
          t('wl.csv'),
        ),
        lines.length === 0
          ? h('p', { class: 'muted' }, t('wl.termination.empty'))
          : h(
              'ul',
              { class: 'work-items' },
              ...lines.map((line) =>
                h(
                  'li',
                  {},
                  t('wl.termination.line', {
                    name: line.name,
                    reference: line.customerReference,
                    interrupted: line.interruptedOn,
                    day: line.terminationDay,
                  }),
                ),
              ),
            ),
      );
    }),
  );
}

// ---- the agent's actions ----

async function act(path: string, body: unknown, done: () => string) {
  if (!el) return;
  try {
    await post(path, body);
    el.notice.textContent = done();
    el.notice.hidden = false;
    showError(el.error, null);
  } catch (err) {
    showError(el.error, statusOf(err) === 409 ? t('wl.error.conflict') : (err as Error));
  }
  await load();
}

async function markPrinted() {
  if (!el) return;
  const picked = [...el.letters.querySelectorAll<HTMLInputElement>('input[name="printed"]:checked')].map(
    (box) => JSON.parse(box.value) as { caseId: string; kind: string },
  );
  if (picked.length === 0) return;
  await act('/api/work-lists/letters/printed', { items: picked }, () =>
    t('wl.done.printed', { count: picked.length }),
  );
}
