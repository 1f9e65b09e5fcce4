import { describe, expect, it } from 'vitest';
import { interpretTwiml } from '../../src/messaging/simulator/twiml-interpreter.js';

describe('TwiML as a phone hears it', () => {
  it('collects what is said up to the verb the call waits on', () => {
    const heard = interpretTwiml(
      '<?xml version="1.0"?><Response><Say language="fr-FR">Bonjour</Say><Gather action="/next" numDigits="1"><Say>Tapez 1</Say></Gather><Say>jamais dit</Say></Response>',
    );
    expect(heard.said).toEqual(['Bonjour', 'Tapez 1']);
    expect(heard.next).toEqual({ kind: 'gather', action: '/next', numDigits: 1, input: 'dtmf' });
  });

  it('stops on Record and on Hangup', () => {
    expect(
      interpretTwiml('<Response><Say>Laissez un message</Say><Record action="/rec"/></Response>').next,
    ).toEqual({ kind: 'record', action: '/rec' });
    expect(interpretTwiml('<Response><Say>Au revoir</Say><Hangup/></Response>')).toEqual({
      said: ['Au revoir'],
      next: { kind: 'hangup' },
    });
  });
});
