// The narrow ports every channel adapter implements (Twilio, SMTP, simulator). The domain sees
// only these types: vendor statuses and error numbers are translated inside the adapters.

import type { MessageStatus } from '../generated/prisma/enums.js';

export interface ChannelError {
  code: string;
  /** A permanent error is not retried (invalid or landline number, blocked, unsubscribed). */
  permanent: boolean;
  message: string;
}

export type SendResult =
  | { outcome: 'sent'; providerId: string; status: MessageStatus }
  | { outcome: 'failed'; error: ChannelError };

export interface OutboundSms {
  messageId: string;
  to: string;
  body: string;
  statusCallbackUrl: string;
}

export interface OutboundCall {
  messageId: string;
  to: string;
  /** What the call says, for the simulator's record; Twilio fetches twimlUrl instead. */
  body: string;
  twimlUrl: string;
  statusCallbackUrl: string;
}

export interface OutboundEmail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string | undefined;
}

/** What a previous attempt may already have handed to the provider before its worker died. */
export interface SentLookup {
  to: string;
  body: string;
  since: Date;
}

export interface SmsChannel {
  send(sms: OutboundSms): Promise<SendResult>;
  findSent(lookup: SentLookup): Promise<string | null>;
}

export interface VoiceChannel {
  call(call: OutboundCall): Promise<SendResult>;
  findPlaced(lookup: Omit<SentLookup, 'body'>): Promise<string | null>;
}

export interface EmailChannel {
  send(email: OutboundEmail): Promise<SendResult>;
}

export interface Channels {
  sms: SmsChannel;
  voice: VoiceChannel;
  email: EmailChannel;
}
