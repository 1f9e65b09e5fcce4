import { describe, expect, it } from 'vitest';
import { parseReply } from '../../src/messaging/replies/reply-keywords.js';

// How the gateway reads a subscriber's SMS reply.

describe('reading a reply', () => {
  it.each([
    ['OUI', 'yes'],
    ['oui merci', 'yes'],
    ['Ok', 'yes'],
    ['ouii', 'yes'],
    ['okk !!', 'yes'],
    ['D’accord', 'yes'],
    ["d'accord, c'est noté", 'yes'],
    ['Yes', 'yes'],
    ['1', 'yes'],
    ['👍', 'yes'],
    ['Non', 'no'],
    ['NON merci', 'no'],
    ['2', 'no'],
    ['annulé', 'no'],
    ['no', 'no'],
  ])('reads "%s" as %s', (body, intent) => {
    expect(parseReply(body).intent).toBe(intent);
  });

  it.each(['STOP', 'stop', 'Stop svp', 'ARRÊT', 'arret', 'UNSUBSCRIBE', 'Cancel', 'END', 'quit', 'STOPALL'])(
    'reads "%s" as an opt-out, never as an answer',
    (body) => {
      expect(parseReply(body).intent).toBe('opt-out');
    },
  );

  it.each(['START', 'unstop', 'ARRET NON', 'Arrêt non'])('reads "%s" as an opt-in', (body) => {
    expect(parseReply(body).intent).toBe('opt-in');
  });

  it('finds the reference of the item answered', () => {
    expect(parseReply('OK 4821')).toEqual({ intent: 'yes', code: '4821' });
    expect(parseReply('4821 oui')).toEqual({ intent: 'yes', code: '4821' });
    expect(parseReply('oui')).toEqual({ intent: 'yes', code: null });
  });

  it('does not guess a reply that says two things, or nothing it knows', () => {
    expect(parseReply('oui non').intent).toBe('unknown');
    expect(parseReply('Qui êtes-vous ?').intent).toBe('unknown');
    expect(parseReply('🙂').intent).toBe('unknown');
    expect(parseReply('').intent).toBe('unknown');
  });
});
