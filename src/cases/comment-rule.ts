// Free-text comments must not judge a customer's finances, social situation or behaviour
// (DOMAIN.md section 3): the customer may read their file, and such words help nobody. A note
// naming one of these is refused with the words found, so the agent rephrases it as facts
// ("a demandé un échéancier", not "mauvais payeur"). A list cannot catch every judgement: it
// catches the usual ones, and the refusal reminds of the rule.

const JUDGEMENTS: Record<'finances' | 'social' | 'behaviour', readonly string[]> = {
  finances: [
    'mauvais payeur',
    'mauvaise payeuse',
    'insolvable',
    'fauche',
    'fauchee',
    'radin',
    'radine',
    'pauvre',
    'surendette',
    'surendettee',
    'sans le sou',
    'bad payer',
    'deadbeat',
  ],
  social: [
    'cas social',
    'assiste',
    'assistee',
    'profiteur',
    'profiteuse',
    'chomeur',
    'chomeuse',
    'rmiste',
    'pauvrete',
    'sdf',
    'welfare',
    'scrounger',
  ],
  behaviour: [
    'agressif',
    'agressive',
    'impoli',
    'impolie',
    'hysterique',
    'fou',
    'folle',
    'cingle',
    'cinglee',
    'ivre',
    'alcoolique',
    'menteur',
    'menteuse',
    'escroc',
    'fraudeur',
    'fraudeuse',
    'penible',
    'idiot',
    'idiote',
    'debile',
    'crazy',
    'drunk',
    'liar',
    'aggressive',
    'hysterical',
    'stupid',
  ],
};

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ');

const PATTERNS = Object.entries(JUDGEMENTS).flatMap(([kind, words]) =>
  words.map((word) => ({ kind, word, pattern: new RegExp(`(^| )${fold(word).trim()}( |$)`) })),
);

export interface CommentCheck {
  ok: boolean;
  /** The words found, as written in the list, with what they judge. */
  found: Array<{ word: string; kind: string }>;
}

export function checkComment(text: string): CommentCheck {
  const folded = ` ${fold(text)} `;
  const found = PATTERNS.filter(({ pattern }) => pattern.test(folded)).map(({ word, kind }) => ({
    word,
    kind,
  }));
  return { ok: found.length === 0, found };
}
