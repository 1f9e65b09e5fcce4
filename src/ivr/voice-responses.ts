import twilio from 'twilio';
import type { Locale } from '../generated/prisma/enums.js';
import type { Templates } from '../messaging/templates.js';
import { type ServiceLine, welcomePrompt } from './service-lines.js';

// Fixed answers are rendered to TwiML once at start-up: on the webhook path, answering is a
// map lookup, not an XML build.

const { VoiceResponse } = twilio.twiml;
const VOICE_LANGUAGE: Record<Locale, 'fr-FR' | 'en-GB'> = { fr: 'fr-FR', en: 'en-GB' };
const MAX_MESSAGE_SECONDS = 180;

export interface VoiceResponses {
  greeting(line: ServiceLine, recognised: boolean): string;
  afterRecording(locale: Locale, recorded: boolean): string;
  unknownLine: string;
  /** What a caller hears when anything fails: an apology and a voicemail, never an error. */
  apology(locale: Locale): string;
  say(locale: Locale, text: string): string;
}

export function buildVoiceResponses(
  templates: Templates,
  lines: ServiceLine[],
  locales: readonly Locale[],
): VoiceResponses {
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

  const greetings = new Map<string, string>();
  for (const line of lines) {
    for (const recognised of [true, false]) {
      const r = new VoiceResponse();
      say(r, line.locale, templates.render(welcomePrompt(line), line.locale));
      if (recognised) say(r, line.locale, templates.render('voice/caller-recognised', line.locale));
      say(r, line.locale, templates.render('voice/leave-message', line.locale));
      record(r);
      // Reached only when the caller records nothing (Twilio goes on with the next verb).
      say(r, line.locale, templates.render('voice/no-message', line.locale));
      r.hangup();
      greetings.set(`${line.name}:${recognised}`, r.toString());
    }
  }

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
    greeting: (line, recognised) => greetings.get(`${line.name}:${recognised}`)!,
    afterRecording: (locale, wasRecorded) => (wasRecorded ? recorded(locale) : notRecorded(locale)),
    unknownLine: unknown.toString(),
    apology,
    say(locale, text) {
      const r = new VoiceResponse();
      say(r, locale, text);
      r.hangup();
      return r.toString();
    },
  };
}
