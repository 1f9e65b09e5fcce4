import type { OutboundSms, SendResult, SentLookup, SmsChannel } from '../channel.port.js';
import type { TwilioClient } from './twilio-client.js';
import { fromTwilioStatus, twilioError } from './twilio-vocabulary.js';

export interface TwilioSender {
  from: string | undefined;
  messagingServiceSid: string | undefined;
}

export function twilioSmsChannel(client: TwilioClient, sender: TwilioSender): SmsChannel {
  return {
    async send(sms: OutboundSms): Promise<SendResult> {
      try {
        const message = await client.messages.create({
          to: sms.to,
          body: sms.body,
          statusCallback: sms.statusCallbackUrl,
          ...(sender.messagingServiceSid
            ? { messagingServiceSid: sender.messagingServiceSid }
            : { from: sender.from! }),
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

    async findSent(lookup: SentLookup): Promise<string | null> {
      const recent = await client.messages.list({ to: lookup.to, limit: 50 });
      const match = recent.find(
        (m) =>
          m.body === lookup.body &&
          m.dateCreated &&
          m.dateCreated.getTime() >= lookup.since.getTime() - 60_000,
      );
      return match?.sid ?? null;
    },
  };
}
