// "dans 2 h 05", "dépassée de 12 min": the time left before a due date, in the chosen language.

import { serverNow } from '../clock.js';
import { h } from '../dom.js';
import { addStrings, t } from '../i18n.js';

addStrings({
  fr: {
    'countdown.left': 'dans {time}',
    'countdown.over': 'dépassée de {time}',
    'countdown.days': '{d} j {h} h',
    'countdown.hours': '{h} h {m} min',
    'countdown.minutes': '{m} min {s} s',
  },
  en: {
    'countdown.left': 'in {time}',
    'countdown.over': 'overdue by {time}',
    'countdown.days': '{d} d {h} h',
    'countdown.hours': '{h} h {m} min',
    'countdown.minutes': '{m} min {s} s',
  },
});

export function countdown(dueAt: string, now: number): { overdue: boolean; text: string } {
  const ms = new Date(dueAt).getTime() - now;
  const overdue = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const time =
    d > 0
      ? t('countdown.days', { d, h: hours })
      : hours > 0
        ? t('countdown.hours', { h: hours, m: String(m).padStart(2, '0') })
        : t('countdown.minutes', { m, s: String(s).padStart(2, '0') });
  return { overdue, text: t(overdue ? 'countdown.over' : 'countdown.left', { time }) };
}

/**
 * A badge counting down to `dueAt` (red once late), with what the screens' tickers need to
 * update it: data-due-at and data-due-format. `text(left)` words it; by default the time left.
 */
export function countdownBadge(
  dueAt: string,
  format = 'list',
  text: (left: { overdue: boolean; text: string }) => string = (left) => left.text,
): HTMLSpanElement {
  const left = countdown(dueAt, serverNow());
  return h(
    'span',
    { class: `badge due${left.overdue ? ' overdue' : ''}`, dataset: { dueAt, dueFormat: format } },
    text(left),
  );
}
