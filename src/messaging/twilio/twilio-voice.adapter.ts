import {
  type OutboundCall,
  type SendResult,
  type SentLookup,
  type VoiceChannel,
  windowStart,
} from '../channel.port.js';
import { type Created, leanCreate, type TwilioClient } from './twilio-client.js';
import type { TwilioSender } from './twilio-sms.adapter.js';
import { fromTwilioStatus, twilioError } from './twilio-vocabulary.js';

const CALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

export function twilioVoiceChannel(
  client: TwilioClient,
  sender: TwilioSender,
  ringTimeoutSeconds = 30,
): VoiceChannel {
  const createCall = leanCreate<CreateForm>(client, 'Calls.json') ?? sdkCreate(client);
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
        const placed = await createCall({
          To: call.to,
          From: sender.from,
          Url: call.twimlUrl,
          StatusCallback: call.statusCallbackUrl,
          StatusCallbackEvent: CALL_EVENTS,
          // Wait for the greeting's end so a voicemail gets the whole message after the beep.
          MachineDetection: 'DetectMessageEnd',
          Timeout: String(ringTimeoutSeconds),
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

/** Calls.json create parameters, as Twilio names them. */
type CreateForm = {
  To: string;
  From: string;
  Url: string;
  StatusCallback: string;
  StatusCallbackEvent: string[];
  MachineDetection: string;
  Timeout: string;
};

function sdkCreate(client: TwilioClient): (form: CreateForm) => Promise<Created> {
  return (form) =>
    client.calls.create({
      to: form.To,
      from: form.From,
      url: form.Url,
      statusCallback: form.StatusCallback,
      statusCallbackEvent: form.StatusCallbackEvent,
      machineDetection: form.MachineDetection,
      timeout: Number(form.Timeout),
    });
}
