// The supervisor's live call figures: calls waiting and the longest wait per line, agents per
// state, and for today and the last 15 minutes the service level, abandonment, average speed of
// answer and average handle time (their definitions: src/agents/figures.ts); the day's
// calls as CSV.

import type { QueueFigures } from '../../src/agents/distribution.schemas.js';
import { h } from '../dom.js';
import { addStrings, formatDate, locale, t, tEnum } from '../i18n.js';

addStrings({
  fr: {
    'figures.heading': 'Appels et indicateurs',
    'figures.waiting': 'En attente',
    'figures.longest': 'Attente la plus longue',
    'figures.line': 'Ligne',
    'figures.noneWaiting': 'Aucun appel en attente.',
    'figures.window': 'Période',
    'figures.today': 'Aujourd’hui',
    'figures.lastMinutes': '15 dernières minutes',
    'figures.queued': 'Appels',
    'figures.serviceLevel': 'Taux de service ({seconds} s)',
    'figures.abandonment': 'Abandons',
    'figures.asa': 'Délai moyen de réponse',
    'figures.aht': 'Durée moyenne de traitement',
    'figures.none': '—',
    'figures.csv': 'Appels du jour (CSV)',
    'figures.updated': 'Mis à jour {date}',
  },
  en: {
    'figures.heading': 'Calls and figures',
    'figures.waiting': 'Waiting',
    'figures.longest': 'Longest wait',
    'figures.line': 'Line',
    'figures.noneWaiting': 'No call waiting.',
    'figures.window': 'Window',
    'figures.today': 'Today',
    'figures.lastMinutes': 'Last 15 minutes',
    'figures.queued': 'Calls',
    'figures.serviceLevel': 'Service level ({seconds} s)',
    'figures.abandonment': 'Abandoned',
    'figures.asa': 'Average speed of answer',
    'figures.aht': 'Average handle time',
    'figures.none': '—',
    'figures.csv': 'Today’s calls (CSV)',
    'figures.updated': 'Updated {date}',
  },
});

const percent = (value: number | null) =>
  value === null ? t('figures.none') : new Intl.NumberFormat(locale(), { style: 'percent' }).format(value);
const duration = (seconds: number | null) => {
  if (seconds === null) return t('figures.none');
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
};

export function callFiguresCard(
  figures: QueueFigures | null,
  error: string | null,
  onDownload: () => void,
): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sup-figures', id: 'call-figures' },
    h('h2', { id: 'sup-figures' }, t('figures.heading')),
    error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    figures === null
      ? h('p', { class: 'muted' }, t('cases.loading'))
      : [
          h('p', { class: 'muted' }, t('figures.updated', { date: formatDate(figures.at) })),
          figures.queues.length === 0
            ? h('p', { dataset: { waiting: '0' } }, t('figures.noneWaiting'))
            : h(
                'table',
                { class: 'queues' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    [t('figures.line'), t('figures.waiting'), t('figures.longest')].map((title) =>
                      h('th', { scope: 'col' }, title),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  figures.queues.map((q) =>
                    h(
                      'tr',
                      { dataset: { waitingLine: q.line } },
                      h('th', { scope: 'row' }, q.line),
                      h('td', { dataset: { waiting: String(q.waiting) } }, String(q.waiting)),
                      h('td', {}, duration(q.longestWaitSeconds)),
                    ),
                  ),
                ),
              ),
          h(
            'p',
            {},
            Object.entries(figures.agents)
              .filter(([, count]) => count > 0)
              .map(([state, count]) =>
                h('span', { class: `badge agent-${state}` }, `${tEnum('agentState', state)} : ${count}`),
              )
              .flatMap((badge) => [badge, ' ']),
          ),
          windowsTable(figures),
          h('button', { type: 'button', id: 'figures-csv', onclick: onDownload }, t('figures.csv')),
        ],
  );
}

function windowsTable(figures: QueueFigures): HTMLElement {
  const windows = [
    [t('figures.today'), figures.today],
    [t('figures.lastMinutes'), figures.lastMinutes],
  ] as const;
  const rows: Array<[string, (f: QueueFigures['today']) => string]> = [
    [t('figures.queued'), (f) => String(f.queued)],
    [t('figures.serviceLevel', { seconds: figures.serviceLevelSeconds }), (f) => percent(f.serviceLevel)],
    [t('figures.abandonment'), (f) => percent(f.abandonment)],
    [t('figures.asa'), (f) => duration(f.averageSpeedOfAnswerSeconds)],
    [t('figures.aht'), (f) => duration(f.averageHandleSeconds)],
  ];
  return h(
    'table',
    { class: 'queues', id: 'figures-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('figures.window')),
        windows.map(([title]) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map(([title, value]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, title),
          windows.map(([, f]) => h('td', {}, value(f))),
        ),
      ),
    ),
  );
}
