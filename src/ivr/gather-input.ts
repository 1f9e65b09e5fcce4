import type { Static } from '@sinclair/typebox';
import type { TwilioParams } from '../platform/twilio-webhook.js';
import type { GatherStep } from './flow-schema.js';

// What a caller's answer to a gather step means: keys pressed, or words said (French or
// English, accents and case ignored, digits said as words understood).

type Gather = Static<typeof GatherStep>;

export interface InterpretedInput {
  /** The step to go to, or null when the input is missing or not valid. */
  target: string | null;
  /** The value saved (digits, or the words said). */
  value: string | null;
  heard: { digits?: string; speech?: string };
}

const DIGIT_WORDS: Record<string, string> = {
  zero: '0',
  zéro: '0',
  un: '1',
  une: '1',
  one: '1',
  deux: '2',
  two: '2',
  trois: '3',
  three: '3',
  quatre: '4',
  four: '4',
  cinq: '5',
  five: '5',
  six: '6',
  sept: '7',
  seven: '7',
  huit: '8',
  eight: '8',
  neuf: '9',
  nine: '9',
  oh: '0',
};

/** A free answer longer than this is cut (Twilio's transcripts of a minute are far shorter). */
const FREE_SPEECH_MAX_CHARS = 500;

export function normalizeWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** "quatre 5 six" → "456"; null when the words are not all digits. */
function spokenDigits(words: string[]): string | null {
  const digits = words.map((w) => (/^\d+$/.test(w) ? w : DIGIT_WORDS[w]));
  return digits.every((d) => d !== undefined) && digits.length > 0 ? digits.join('') : null;
}

export function interpretInput(step: Gather, params: TwilioParams): InterpretedInput {
  const digits = (params.Digits ?? '').replace(/#$/, '').trim();
  const speech = (params.SpeechResult ?? '').trim();
  const heard = { ...(digits ? { digits } : {}), ...(speech ? { speech } : {}) };
  // A free answer in words (a speech-only gather without choices or digits: an address, a name)
  // is kept as Twilio heard it, for the person who will read it.
  if (speech && !digits && !step.choices && !step.numDigits && !step.input.includes('dtmf'))
    return { target: step.next ?? null, value: speech.slice(0, FREE_SPEECH_MAX_CHARS), heard };
  const words = normalizeWords(speech);
  const value = digits || spokenDigits(words) || (speech === '' ? null : words.join(' '));
  if (value === null) return { target: null, value: null, heard };

  if (step.choices) {
    const normalized = Object.entries(step.choices).map(
      ([key, to]) => [normalizeWords(key).join(' ') || key, to] as const,
    );
    const byKey = normalized.find(([key]) => key === value);
    // Said: any choice word in the sentence ("oui c'est urgent" matches "urgent").
    const byWord = byKey ?? normalized.find(([key]) => !/^[0-9*#]$/.test(key) && words.includes(key));
    return byWord ? { target: byWord[1], value: byWord[0], heard } : { target: null, value: null, heard };
  }
  if (step.numDigits && !new RegExp(`^\\d{${step.numDigits}}$`).test(value))
    return { target: null, value: null, heard };
  return { target: step.next ?? null, value, heard };
}
