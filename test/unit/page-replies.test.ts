import { describe, expect, it } from 'vitest';
import { parsePageReply } from '../../src/oncall/page-replies.js';

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
