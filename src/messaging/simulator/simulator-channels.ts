import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import {
  type Channels,
  type EmailChannel,
  type SmsChannel,
  type VoiceChannel,
  windowStart,
} from '../channel.port.js';
import { postSignedWebhook } from './signed-webhook.js';
import { type SimulatorStore, simulatedSid } from './simulator-store.js';

// The built-in telephony and e-mail provider: records what would have been sent, reports
// delivery through the same signed status callbacks Twilio uses, and lets a person answer
// calls and reply to SMS from the simulator panel.

export interface SimulatorOptions {
  store: SimulatorStore;
  authToken: string;
  fromNumber: string;
  emailFrom: string;
  logger: Logger;
  /** The service's clock: what the panel shows, and what a stalled send's check compares with. */
  clock: Clock;
  /** Delay before the simulated handset reports "delivered". */
  deliveryDelayMs?: number;
  /** How long a placed call rings before it ends unanswered, as Twilio's `Timeout` (30 s). */
  ringTimeoutMs?: number;
}

export function simulatorChannels(options: SimulatorOptions): Channels {
  return { sms: simulatorSms(options), voice: simulatorVoice(options), email: simulatorEmail(options) };
}

function later(options: SimulatorOptions, fn: () => Promise<unknown>, delayMs?: number): void {
  const timer = setTimeout(
    () => {
      fn().catch((err: Error) =>
        options.logger.debug({ err: err.message }, 'simulator callback not delivered'),
      );
    },
    delayMs ?? options.deliveryDelayMs ?? 200,
  );
  timer.unref();
}

function simulatorSms(options: SimulatorOptions): SmsChannel {
  const { store } = options;
  return {
    async send(sms) {
      const sid = simulatedSid('SM');
      await store.record({
        sid,
        kind: 'sms',
        to: sms.to,
        from: options.fromNumber,
        body: sms.body,
        statusCallbackUrl: sms.statusCallbackUrl,
        status: 'sent',
        at: options.clock.now().toISOString(),
      });
      later(options, async () => {
        await store.update(sid, 'delivered');
        await postSignedWebhook(options.authToken, sms.statusCallbackUrl, {
          MessageSid: sid,
          MessageStatus: 'delivered',
          To: sms.to,
          From: options.fromNumber,
        });
      });
      return { outcome: 'sent', providerId: sid, status: 'SENT' };
    },
    async listSent(lookup) {
      return (await store.recent(500))
        .filter(
          (i) =>
            i.kind === 'sms' &&
            i.to === lookup.to &&
            i.body === lookup.body &&
            Date.parse(i.at) >= windowStart(lookup.since),
        )
        .map((i) => i.sid);
    },
  };
}

function simulatorVoice(options: SimulatorOptions): VoiceChannel {
  const { store } = options;
  return {
    async call(call) {
      const sid = simulatedSid('CA');
      await store.record({
        sid,
        kind: 'call',
        to: call.to,
        from: options.fromNumber,
        body: call.body,
        twimlUrl: call.twimlUrl,
        statusCallbackUrl: call.statusCallbackUrl,
        status: 'ringing',
        at: options.clock.now().toISOString(),
      });
      const status = (CallStatus: string, extra: Record<string, string> = {}) =>
        postSignedWebhook(options.authToken, call.statusCallbackUrl, {
          CallSid: sid,
          CallStatus,
          To: call.to,
          From: options.fromNumber,
          ...extra,
        });
      later(options, () => status('ringing'));
      // Nobody picked up in the panel: the call ends unanswered, as Twilio's does after its
      // Timeout, so the page goes on to its next attempt instead of waiting on a ringing phone.
      later(
        options,
        async () => {
          if ((await store.get(sid))?.status !== 'ringing') return;
          await store.update(sid, 'no-answer');
          await status('no-answer', { CallDuration: '0' });
        },
        options.ringTimeoutMs ?? 30_000,
      );
      return { outcome: 'sent', providerId: sid, status: 'SENT' };
    },
    async listPlaced(lookup) {
      return (await store.recent(500))
        .filter(
          (i) => i.kind === 'call' && i.to === lookup.to && Date.parse(i.at) >= windowStart(lookup.since),
        )
        .map((i) => i.sid);
    },
  };
}

function simulatorEmail(options: SimulatorOptions): EmailChannel {
  return {
    async send(email) {
      const sid = simulatedSid('EM');
      await options.store.record({
        sid,
        kind: 'email',
        to: email.to,
        from: options.emailFrom,
        subject: email.subject,
        body: email.text,
        status: 'delivered',
        at: options.clock.now().toISOString(),
      });
      return { outcome: 'sent', providerId: sid, status: 'DELIVERED' };
    },
  };
}
