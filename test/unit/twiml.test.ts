import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { Twiml } from '../../src/ivr/twiml.js';

// The engine's string-built TwiML must be byte for byte what the twilio SDK writes.

const { VoiceResponse } = twilio.twiml;
const TEXT = 'Tapez 1 <ou> dites "urgence" & l\'adresse';

describe('TwiML built as strings', () => {
  it('writes a gather with its prompt as the SDK does', () => {
    const ours = new Twiml();
    const sdk = new VoiceResponse();
    const attributes = {
      input: ['dtmf', 'speech'] as ('dtmf' | 'speech')[],
      action: '/twilio/voice/step?seq=2&x=1',
      method: 'POST' as const,
      language: 'fr-FR' as const,
      timeout: 6,
      actionOnEmptyResult: true,
      numDigits: 1,
      speechTimeout: 'auto',
    };
    ours.say({ language: 'fr-FR' }, 'Bonjour');
    sdk.say({ language: 'fr-FR' }, 'Bonjour');
    ours.gather(attributes).say({ language: 'fr-FR' }, TEXT);
    sdk.gather(attributes).say({ language: 'fr-FR' }, TEXT);
    expect(ours.toString()).toBe(sdk.toString());
  });

  it('writes record, enqueue, dial, pause, leave and hangup as the SDK does', () => {
    const ours = new Twiml();
    const sdk = new VoiceResponse();
    const record = {
      action: '/twilio/voice/step?seq=3',
      method: 'POST' as const,
      maxLength: 180,
      finishOnKey: '#',
      playBeep: true,
      timeout: 8,
    };
    ours.record(record);
    sdk.record(record);
    const enqueue = {
      action: '/a',
      method: 'POST' as const,
      waitUrl: '/w?seq=1',
      waitUrlMethod: 'POST' as const,
    };
    ours.enqueue(enqueue, 'agents');
    sdk.enqueue(enqueue, 'agents');
    ours.dial({ action: '/d', method: 'POST', timeout: 30 }, '+33472000001');
    sdk.dial({ action: '/d', method: 'POST', timeout: 30 }, '+33472000001');
    ours.pause({ length: 10 }).leave().hangup();
    sdk.pause({ length: 10 });
    sdk.leave();
    sdk.hangup();
    expect(ours.toString()).toBe(sdk.toString());
    expect(new Twiml().toString()).toBe(new VoiceResponse().toString());
  });
});
