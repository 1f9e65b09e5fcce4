import { describe, expect, it } from 'vitest';
import { checkComment } from '../../src/cases/comment-rule.js';

// DOMAIN.md section 3: free-text comments must not judge finances, social situation or behaviour.
describe('the comment rule', () => {
  it('accepts facts', () => {
    expect(checkComment('A demandé un échéancier de paiement ; rappel prévu jeudi.')).toEqual({
      ok: true,
      found: [],
    });
    expect(checkComment('Fuite sous l’évier, compteur relevé : 1234 m³.').ok).toBe(true);
  });

  it('[CS-8] refuses judgements whatever the case, accents or punctuation, naming the words', () => {
    expect(checkComment('Client AGRESSIF au téléphone')).toEqual({
      ok: false,
      found: [{ word: 'agressif', kind: 'behaviour' }],
    });
    expect(checkComment('mauvais   payeur, et fauché.').found).toEqual([
      { word: 'mauvais payeur', kind: 'finances' },
      { word: 'fauche', kind: 'finances' },
    ]);
    expect(checkComment('un vrai cas social').found).toEqual([{ word: 'cas social', kind: 'social' }]);
    expect(checkComment('The caller was drunk').found).toEqual([{ word: 'drunk', kind: 'behaviour' }]);
  });

  it('matches whole words only', () => {
    // "fou" in "fournir", "ivre" in "livrer": not judgements.
    expect(checkComment('Doit fournir une attestation ; compteur à livrer.').ok).toBe(true);
  });
});
