import { describe, expect, it } from 'vitest';
import { parseOutcomeReply } from '../../src/oncall/page-outcome.js';
import { parsePageReply } from '../../src/oncall/page-replies.js';
import { at } from '../support/clock.js';

// What an on-call technician's SMS reply means: case, accents and punctuation ignored.

describe('replies to a page', () => {
  it.each([
    ['OK', 'accept', null],
    ['ok 4821', 'accept', '4821'],
    ['Oui, 4821 !', 'accept', '4821'],
    ['1', 'accept', null],
    ['NON 4821', 'refuse', '4821'],
    ['2', 'refuse', null],
    ['Zone blanche', 'poor-coverage', null],
    ['RÉSEAU', 'poor-coverage', null],
    ['pas de couverture ici', 'poor-coverage', null],
  ])('reads "%s" as %s (code %s)', (body, intent, code) => {
    expect(parsePageReply(body)).toEqual({ intent, code });
  });

  it('does not guess when a reply says two things, or nothing it knows', () => {
    expect(parsePageReply('oui non').intent).toBe('unknown');
    expect(parsePageReply('je suis sur la route 🚗').intent).toBe('unknown');
    expect(parsePageReply('').intent).toBe('unknown');
  });
});

describe('[ON-11] the decision after the call-back, as texted', () => {
  const NOW = at('2026-11-24T22:30');
  const read = (body: string) => parseOutcomeReply(body, NOW, 'Europe/Paris');

  it('[ON-11] reads an intervention at a time, today if still to come, else tomorrow', () => {
    expect(read('RDV 23h15')).toEqual({
      kind: 'outcome',
      outcome: 'INTERVENTION_PLANNED',
      interventionAt: at('2026-11-24T23:15'),
      code: null,
    });
    expect(read('passage 8h')).toMatchObject({ interventionAt: at('2026-11-25T08:00') });
    expect(read('Rendez-vous demain 14:30')).toMatchObject({ interventionAt: at('2026-11-25T14:30') });
    expect(read('visit tomorrow 2:30pm')).toMatchObject({ interventionAt: at('2026-11-25T14:30') });
    expect(read('intervention 9 am 4821')).toMatchObject({
      interventionAt: at('2026-11-25T09:00'),
      code: '4821',
    });
  });

  it('[ON-11] reads solved remotely and not ours, in French and English, accents and case ignored', () => {
    for (const body of ['RESOLU', 'Réglé', 'dépanné par téléphone', 'solved', 'FIXED 4821'])
      expect(read(body), body).toMatchObject({
        kind: 'outcome',
        outcome: 'SOLVED_REMOTELY',
        interventionAt: null,
      });
    for (const body of [
      'PAS NOUS',
      'pas pour nous',
      'coupure gaz',
      'hors périmètre',
      'not ours',
      'power outage',
    ])
      expect(read(body), body).toMatchObject({ kind: 'outcome', outcome: 'NOT_OURS' });
    expect(read('resolu 4821')).toMatchObject({ code: '4821' });
  });

  it('[ON-11] does not guess an intervention without a time, nor two decisions at once', () => {
    expect(read('RDV')).toEqual({ kind: 'unclear', code: null });
    expect(read('rdv 25h')).toEqual({ kind: 'unclear', code: null });
    expect(read('RDV 4821')).toEqual({ kind: 'unclear', code: '4821' });
    expect(read('resolu, pas nous')).toEqual({ kind: 'unclear', code: null });
  });

  it('[ON-11] leaves acceptances, refusals and the rest to the other replies', () => {
    for (const body of ['OK 4821', 'non', 'ZONE', "ok j'arrive", '1'])
      expect(read(body), body).toEqual({ kind: 'none' });
  });
});
