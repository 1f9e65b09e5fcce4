import type { LightMyRequestResponse } from 'fastify';
import { type Heard, interpretTwiml } from '../../src/messaging/simulator/twiml-interpreter.js';
import type { TwilioParams } from '../../src/platform/twilio-webhook.js';
import type { Harness } from './harness.js';

// A caller on the phone, as Twilio carries them: every answer goes to the URL the last TwiML
// named, signed, with the call's parameters.

let calls = 0;

export class PhoneCall {
  readonly sid: string;
  heard: Heard = { said: [], next: { kind: 'hangup' } };
  last: LightMyRequestResponse | null = null;

  constructor(
    private readonly h: Harness,
    readonly from: string,
    readonly to: string,
  ) {
    calls += 1;
    this.sid = `CA${String(process.pid).padStart(8, '0')}${String(calls).padStart(8, '0')}${Date.now().toString(16).padStart(16, '0')}`;
  }

  private params(extra: TwilioParams = {}): TwilioParams {
    return {
      CallSid: this.sid,
      AccountSid: this.h.settings.twilio.accountSid,
      From: this.from,
      To: this.to,
      Direction: 'inbound',
      CallStatus: 'in-progress',
      ...extra,
    };
  }

  async post(path: string, extra: TwilioParams = {}): Promise<Heard> {
    this.last = await this.h.twilioPost(path, this.params(extra));
    if (this.last.statusCode !== 200)
      throw new Error(`${path} answered ${this.last.statusCode}: ${this.last.body}`);
    this.heard = interpretTwiml(this.last.body);
    return this.heard;
  }

  dial(): Promise<Heard> {
    return this.post('/twilio/voice/incoming', { CallStatus: 'ringing' });
  }

  /** The URL the call waits on (a gather's or a recording's action). */
  get waitingOn(): string {
    const next = this.heard.next;
    if (next.kind === 'gather' || next.kind === 'record') return next.action;
    if ((next.kind === 'enqueue' || next.kind === 'dial') && next.action) return next.action;
    throw new Error(`the call is not waiting for the caller (${next.kind})`);
  }

  press(digits: string): Promise<Heard> {
    return this.post(this.waitingOn, { Digits: digits });
  }

  speak(words: string): Promise<Heard> {
    return this.post(this.waitingOn, { SpeechResult: words, Confidence: '0.87' });
  }

  /** Whether the IVR is reading back the address on file for the caller to confirm [ON-4]. */
  get asksAddress(): boolean {
    return (
      this.heard.next.kind === 'gather' &&
      this.heard.said.some(
        (s) => s.startsWith("L'adresse concernée est bien") || s.startsWith('Is the address'),
      )
    );
  }

  /** Confirms the address read back (key 1), when the IVR asks; what was then said, else nothing. */
  async confirmAddress(): Promise<string[]> {
    return this.asksAddress ? (await this.press('1')).said : [];
  }

  /** Says nothing until the gather times out (Twilio posts with no input). */
  silence(): Promise<Heard> {
    return this.post(this.waitingOn, {});
  }

  record(seconds = 15): Promise<Heard> {
    return this.post(this.waitingOn, {
      RecordingUrl: `https://api.twilio.test/recordings/RE${this.sid.slice(2)}`,
      RecordingDuration: String(seconds),
      RecordingSid: `RE${this.sid.slice(2)}`,
    });
  }

  /**
   * A night call on the out-of-hours line from start to end: a breakdown (key 2), the address
   * confirmed, a description of the fault recorded, then the hang-up. Everything the caller heard.
   */
  async reportBreakdown(): Promise<string[]> {
    const heard = [await this.dial(), await this.press('2')];
    const confirmed = await this.confirmAddress();
    heard.push(await this.record(25));
    await this.hangUp();
    return [...heard.slice(0, 2).flatMap((h) => h.said), ...confirmed, ...heard[2]!.said];
  }

  async hangUp(): Promise<void> {
    const ended = await this.h.twilioPost(
      '/twilio/voice/status',
      this.params({ CallStatus: 'completed', CallDuration: '64' }),
    );
    if (ended.statusCode !== 204) throw new Error(`status callback answered ${ended.statusCode}`);
  }
}
