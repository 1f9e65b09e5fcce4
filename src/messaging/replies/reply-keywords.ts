// What an SMS reply says, in French or English, with typos, accents, case and emoji ignored.
// Opt-out words (STOP, ARRET, ...) are only ever read as an opt-out, never as an answer: the
// carriers' rule, and the one a subscriber expects. A four-digit number is the reference of the
// item the reply is for (the outbound SMS quotes it: "répondez OK 4821").

export type ReplyIntent = 'yes' | 'no' | 'opt-out' | 'opt-in' | 'unknown';

export interface ParsedReply<E extends string = never> {
  intent: ReplyIntent | E;
  code: string | null;
}

const OPT_OUT = new Set([
  'stop',
  'stopall',
  'arret',
  'cancel',
  'end',
  'quit',
  'unsubscribe',
  'revoke',
  'optout',
]);
const OPT_IN = new Set(['start', 'unstop']);
const ANSWERS: Readonly<Record<string, 'yes' | 'no'>> = {
  oui: 'yes',
  ok: 'yes',
  okay: 'yes',
  '1': 'yes',
  yes: 'yes',
  yep: 'yes',
  daccord: 'yes',
  confirme: 'yes',
  confirmer: 'yes',
  confirm: 'yes',
  recu: 'yes',
  vu: 'yes',
  note: 'yes',
  accepte: 'yes',
  accepter: 'yes',
  accept: 'yes',
  non: 'no',
  '2': 'no',
  no: 'no',
  nope: 'no',
  annule: 'no',
  annuler: 'no',
  refuse: 'no',
  refus: 'no',
};

/** Lower case, no accents, no punctuation or emoji (but thumbs up and down). */
export function replyWords(body: string): string[] {
  return body
    .replace(/\u{1F44D}/gu, ' ok ')
    .replace(/\u{1F44E}/gu, ' non ')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/d['’ ]accord/g, 'daccord')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A word as written, else with the letters a slip of the thumb doubled ("ouii", "okk") collapsed. */
function lookup<T>(table: Readonly<Record<string, T>>, word: string): T | undefined {
  if (Object.hasOwn(table, word)) return table[word];
  const collapsed = word.replace(/([a-z])\1+/g, '$1');
  return Object.hasOwn(table, collapsed) ? table[collapsed] : undefined;
}

/**
 * The intent of a reply. `extra` adds words for one kind of sender (e.g. "zone" for on-call
 * staff). Several different intents in one message are not guessed: unknown.
 */
export function parseReply<E extends string = never>(
  body: string,
  extra: Readonly<Record<string, E>> = {},
): ParsedReply<E> {
  const words = replyWords(body);
  const code = words.find((w) => /^\d{4}$/.test(w)) ?? null;
  const [first, second] = words;
  if (first === 'arret' && second === 'non') return { intent: 'opt-in', code };
  if (first && OPT_OUT.has(first)) return { intent: 'opt-out', code };
  if (first && OPT_IN.has(first)) return { intent: 'opt-in', code };
  const intents = new Set<ReplyIntent | E>();
  for (const word of words) {
    const intent = lookup<ReplyIntent | E>(extra, word) ?? lookup<ReplyIntent | E>(ANSWERS, word);
    if (intent) intents.add(intent);
  }
  return { intent: intents.size === 1 ? [...intents][0]! : 'unknown', code };
}
