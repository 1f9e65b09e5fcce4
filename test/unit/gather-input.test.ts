import { describe, expect, it } from 'vitest';
import { interpretInput } from '../../src/ivr/gather-input.js';

const menu = {
  type: 'gather' as const,
  prompt: 'voice/menu',
  retryPrompt: 'voice/menu-again',
  input: ['dtmf' as const, 'speech' as const],
  numDigits: 1,
  choices: { '1': 'emergency', urgence: 'emergency', gaz: 'emergency', '2': 'breakdown', '9': 'english' },
  fallback: 'identify',
};
const reference = {
  type: 'gather' as const,
  prompt: 'voice/ask',
  retryPrompt: 'voice/ask-again',
  input: ['dtmf' as const, 'speech' as const],
  save: 'reference',
  next: 'lookup',
  fallback: 'message',
};

describe('what a caller answers to a gather', () => {
  it.each([
    [{ Digits: '1' }, 'emergency'],
    [{ Digits: '9' }, 'english'],
    [{ SpeechResult: 'Urgence !' }, 'emergency'],
    [{ SpeechResult: 'ça sent le GAZ ici' }, 'emergency'],
    [{ SpeechResult: 'Deux.' }, 'breakdown'],
    [{ SpeechResult: 'two' }, 'breakdown'],
  ])('%j goes to %s', (params, target) => {
    expect(interpretInput(menu, params).target).toBe(target);
  });

  it.each([[{}], [{ Digits: '7' }], [{ SpeechResult: 'bonjour' }], [{ SpeechResult: '' }]])(
    '%j is not a valid menu answer',
    (params) => {
      expect(interpretInput(menu, params).target).toBeNull();
    },
  );

  it('keeps keyed digits without the finishing hash', () => {
    expect(interpretInput(reference, { Digits: '100123#' })).toMatchObject({
      target: 'lookup',
      value: '100123',
    });
  });

  it('understands digits said as French or English words', () => {
    expect(interpretInput(reference, { SpeechResult: 'un zéro 0 un deux trois' }).value).toBe('100123');
    expect(interpretInput(reference, { SpeechResult: 'nine oh one' }).value).toBe('901');
  });

  it('refuses digits of the wrong length when the step expects a fixed number', () => {
    const postcode = { ...reference, numDigits: 5 };
    expect(interpretInput(postcode, { Digits: '6900' }).target).toBeNull();
    expect(interpretInput(postcode, { Digits: '69003' }).target).toBe('lookup');
  });

  it('records what was heard, for the call trace', () => {
    expect(interpretInput(menu, { Digits: '7' }).heard).toEqual({ digits: '7' });
    expect(interpretInput(menu, { SpeechResult: 'hello' }).heard).toEqual({ speech: 'hello' });
  });
});
