import twilio from 'twilio';
import type { Locale } from '../generated/prisma/enums.js';
import type { Templates } from '../messaging/templates.js';
import { VOICE_LANGUAGE } from './flow-engine.js';

// The answers outside any flow (apology, unknown line, voicemail receipt), rendered to TwiML
// once at start-up.

const { VoiceResponse } = twilio.twiml;
const MAX_MESSAGE_SECONDS = 180;

export interface VoiceResponses {
  afterRecording(locale: Locale, recorded: boolean): string;
  unknownLine: string;
  /** Takes a caller out of an agent queue (their call goes on to the flow's fallback). */
  leaveQueue: string;
  /** What a caller hears when anything fails: an apology and a voicemail, never an error. */
  apology(locale: Locale): string;
  say(locale: Locale, text: string): string;
}

export function buildVoiceResponses(templates: Templates, locales: readonly Locale[]): VoiceResponses {
  const say = (response: InstanceType<typeof VoiceResponse>, locale: Locale, text: string) =>
    response.say({ language: VOICE_LANGUAGE[locale] }, text);

  const record = (response: InstanceType<typeof VoiceResponse>) =>
    response.record({
      action: '/twilio/voice/recording',
      method: 'POST',
      maxLength: MAX_MESSAGE_SECONDS,
      finishOnKey: '#',
      playBeep: true,
      timeout: 8,
    });

  const perLocale = (build: (r: InstanceType<typeof VoiceResponse>, locale: Locale) => void) => {
    const map = new Map<Locale, string>();
    for (const locale of locales) {
      const r = new VoiceResponse();
      build(r, locale);
      map.set(locale, r.toString());
    }
    return (locale: Locale) => map.get(locale) ?? map.get('fr')!;
  };

  const apology = perLocale((r, locale) => {
    say(r, locale, templates.render('voice/apology', locale));
    record(r);
    r.hangup();
  });
  const recorded = perLocale((r, locale) => {
    say(r, locale, templates.render('voice/message-recorded', locale));
    r.hangup();
  });
  const notRecorded = perLocale((r, locale) => {
    say(r, locale, templates.render('voice/no-message', locale));
    r.hangup();
  });
  const unknown = new VoiceResponse();
  say(unknown, 'fr', templates.render('voice/unknown-line', 'fr'));
  say(unknown, 'en', templates.render('voice/unknown-line', 'en'));
  unknown.hangup();

  return {
    afterRecording: (locale, wasRecorded) => (wasRecorded ? recorded(locale) : notRecorded(locale)),
    unknownLine: unknown.toString(),
    leaveQueue: new VoiceResponse().leave().toString(),
    apology,
    say(locale, text) {
      const r = new VoiceResponse();
      say(r, locale, text);
      r.hangup();
      return r.toString();
    },
  };
}
