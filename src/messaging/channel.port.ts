// The narrow ports every channel adapter implements (Twilio, SMTP, simulator). The domain sees
// only these types: vendor statuses and error numbers are translated inside the adapters.

import type { MessageStatus } from '../generated/prisma/enums.js';

export interface ChannelError {
  code: string;
  /** A permanent error is not retried (invalid or landline number, blocked, unsubscribed). */
  permanent: boolean;
  message: string;
  /**
   * The provider answered that it did not take the message (too many requests, unavailable): the
   * next attempt sends again without first asking the provider whether this one went out.
   */
  refused?: boolean;
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
  /** The previous attempt's claim: nothing created before it can be its send. */
  since: Date;
}

/** Provider timestamps have whole seconds: a send in the claim's second counts. */
export const windowStart = (since: Date): number => Math.floor(since.getTime() / 1000) * 1000;

export interface SmsChannel {
  send(sms: OutboundSms): Promise<SendResult>;
  /** The sids of the messages to that number with that body created since the claim, newest first. */
  listSent(lookup: SentLookup): Promise<string[]>;
}

export interface VoiceChannel {
  call(call: OutboundCall): Promise<SendResult>;
  /** The sids of the calls to that number created since the claim, newest first. */
  listPlaced(lookup: Omit<SentLookup, 'body'>): Promise<string[]>;
}

export interface EmailChannel {
  send(email: OutboundEmail): Promise<SendResult>;
}

export interface Channels {
  sms: SmsChannel;
  voice: VoiceChannel;
  email: EmailChannel;
}
