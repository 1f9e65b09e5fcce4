import {
  type OutboundCall,
  type SendResult,
  type SentLookup,
  type VoiceChannel,
  windowStart,
} from '../channel.port.js';
import type { TwilioClient } from './twilio-client.js';
import type { TwilioSender } from './twilio-sms.adapter.js';
import { fromTwilioStatus, twilioError } from './twilio-vocabulary.js';

const CALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

export function twilioVoiceChannel(
  client: TwilioClient,
  sender: TwilioSender,
  ringTimeoutSeconds = 30,
): VoiceChannel {
  return {
    async call(call: OutboundCall): Promise<SendResult> {
      if (!sender.from) {
        return {
          outcome: 'failed',
          error: {
            code: 'no-caller-id',
            permanent: true,
            message: 'TWILIO_FROM_NUMBER is required to place calls',
          },
        };
      }
      try {
        const placed = await client.calls.create({
          to: call.to,
          from: sender.from,
          url: call.twimlUrl,
          statusCallback: call.statusCallbackUrl,
          statusCallbackEvent: CALL_EVENTS,
          // Wait for the greeting's end so a voicemail gets the whole message after the beep.
          machineDetection: 'DetectMessageEnd',
          timeout: ringTimeoutSeconds,
        });
        return { outcome: 'sent', providerId: placed.sid, status: fromTwilioStatus(placed.status) ?? 'SENT' };
      } catch (err) {
        return { outcome: 'failed', error: twilioError(err) };
      }
    },

    async listPlaced(lookup: Omit<SentLookup, 'body'>): Promise<string[]> {
      const recent = await client.calls.list({ to: lookup.to, limit: 20 });
      return recent
        .filter((c) => c.dateCreated && c.dateCreated.getTime() >= windowStart(lookup.since))
        .map((c) => c.sid);
    },
  };
}
