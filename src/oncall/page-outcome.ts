import { DateTime } from 'luxon';
import type { PageOutcome } from '../generated/prisma/enums.js';
import { replyWords } from '../messaging/replies/reply-keywords.js';

// [ON-11] What the technician decided after calling the customer back, as they text it: an
// intervention at a time ("RDV 14h30", "passage demain 9h", "visit 2:30pm"), solved remotely
// ("RESOLU", "solved"), or not ours ("PAS NOUS", "coupure gaz", "not ours"). French or English,
// case and accents ignored; a four-digit code picks one page among several, as for acceptance.

export type OutcomeReply =
  | { kind: 'outcome'; outcome: PageOutcome; interventionAt: Date | null; code: string | null }
  /** It says an intervention but no time, or two outcomes: the sender gets the formats. */
  | { kind: 'unclear'; code: string | null }
  /** No outcome word: not an outcome reply (an acceptance, a refusal...). */
  | { kind: 'none' };

const PLANNED_WORDS = new Set([
  'rdv',
  'rendezvous',
  'inter',
  'intervention',
  'passage',
  'visite',
  'visit',
  'planned',
  'appointment',
]);
const SOLVED_WORDS = new Set(['resolu', 'regle', 'depanne', 'solved', 'fixed', 'resolved', 'remote']);
const NOT_OURS_WORDS = new Set(['coupure', 'outage', 'horsperimetre', 'pasnous', 'notours']);
// "pas nous", "pas pour nous", "hors périmètre", "not ours": joined before the words are read.
const PHRASES: Array<[RegExp, string]> = [
  [/\bpas (pour )?nous\b/g, ' pasnous '],
  [/\bhors (perimetre|contrat)\b/g, ' horsperimetre '],
  [/\bnot ours\b/g, ' notours '],
  [/\brendez vous\b/g, ' rendezvous '],
];

/** "14h30", "14 h", "9h", "14:30", "2:30pm", "9 am": minutes from midnight, or null. */
function timeOfDay(text: string): number | null {
  const m = /\b(\d{1,2})\s*(?:h|:)\s*(\d{2})?\s*(am|pm)?\b|\b(\d{1,2})\s*(am|pm)\b/.exec(text);
  if (!m) return null;
  let hour = Number(m[1] ?? m[4]);
  const minute = Number(m[2] ?? 0);
  const meridiem = m[3] ?? m[5];
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  return hour < 24 && minute < 60 ? hour * 60 + minute : null;
}

/** Reads an outcome reply; `now` and `zone` place a time of day on the next such time to come. */
export function parseOutcomeReply(body: string, now: Date, zone: string): OutcomeReply {
  let text = replyWords(body).join(' ');
  for (const [phrase, joined] of PHRASES) text = text.replace(phrase, joined);
  const words = text.split(' ').filter(Boolean);
  const found = new Set<PageOutcome>();
  for (const word of words) {
    if (PLANNED_WORDS.has(word)) found.add('INTERVENTION_PLANNED');
    if (SOLVED_WORDS.has(word)) found.add('SOLVED_REMOTELY');
    if (NOT_OURS_WORDS.has(word)) found.add('NOT_OURS');
  }
  if (found.size === 0) return { kind: 'none' };
  // replyWords splits "14h30" into "14h30" (letters and digits stay together) and "14:30" in two.
  const timeText = body
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
  const code = /(?<![\d:h])\b(\d{4})\b(?![:h]\d)/.exec(timeText)?.[1] ?? null;
  if (found.size > 1) return { kind: 'unclear', code };
  const [outcome] = found as Set<PageOutcome>;
  if (outcome !== 'INTERVENTION_PLANNED')
    return { kind: 'outcome', outcome: outcome!, interventionAt: null, code };
  const minute = timeOfDay(timeText.replace(/\b\d{4}\b(?![:h]\d)/g, ' '));
  if (minute === null) return { kind: 'unclear', code };
  const local = DateTime.fromJSDate(now, { zone });
  let at = local.startOf('day').set({ hour: Math.floor(minute / 60), minute: minute % 60 });
  // A time already past today means tomorrow; "demain" says so outright.
  if (/\b(demain|tomorrow)\b/.test(timeText) || at < local) at = at.plus({ days: 1 });
  return { kind: 'outcome', outcome: 'INTERVENTION_PLANNED', interventionAt: at.toJSDate(), code };
}
