import {
  type OutboundSms,
  type SendResult,
  type SentLookup,
  type SmsChannel,
  windowStart,
} from '../channel.port.js';
import { type Created, leanCreate, type TwilioClient } from './twilio-client.js';
import { fromTwilioStatus, twilioError } from './twilio-vocabulary.js';

export interface TwilioSender {
  from: string | undefined;
  messagingServiceSid: string | undefined;
}

export function twilioSmsChannel(client: TwilioClient, sender: TwilioSender): SmsChannel {
  const createMessage = leanCreate<CreateForm>(client, 'Messages.json') ?? sdkCreate(client);
  return {
    async send(sms: OutboundSms): Promise<SendResult> {
      try {
        const message = await createMessage({
          To: sms.to,
          Body: sms.body,
          StatusCallback: sms.statusCallbackUrl,
          ...(sender.messagingServiceSid
            ? { MessagingServiceSid: sender.messagingServiceSid }
            : { From: sender.from! }),
        });
        return {
          outcome: 'sent',
          providerId: message.sid,
          status: fromTwilioStatus(message.status) ?? 'SENT',
        };
      } catch (err) {
        return { outcome: 'failed', error: twilioError(err) };
      }
    },

    async listSent(lookup: SentLookup): Promise<string[]> {
      const recent = await client.messages.list({ to: lookup.to, limit: 50 });
      return recent
        .filter(
          (m) =>
            m.body === lookup.body && m.dateCreated && m.dateCreated.getTime() >= windowStart(lookup.since),
        )
        .map((m) => m.sid);
    },
  };
}

/** Messages.json create parameters, as Twilio names them. */
type CreateForm = { To: string; Body: string; StatusCallback: string } & (
  | { From: string }
  | { MessagingServiceSid: string }
);
type CreateMessage = (form: CreateForm) => Promise<Created>;

function sdkCreate(client: TwilioClient): CreateMessage {
  return (form) =>
    client.messages.create({
      to: form.To,
      body: form.Body,
      statusCallback: form.StatusCallback,
      ...('MessagingServiceSid' in form
        ? { messagingServiceSid: form.MessagingServiceSid }
        : { from: form.From }),
    });
}
