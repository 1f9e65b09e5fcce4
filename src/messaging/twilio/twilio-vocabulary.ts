// Twilio's words translated to ours, at the edge (statuses and error numbers).

import type { MessageStatus } from '../../generated/prisma/enums.js';
import type { ChannelError } from '../channel.port.js';

const STATUS: Record<string, MessageStatus> = {
  // messages
  accepted: 'SENT',
  scheduled: 'SENT',
  queued: 'SENT',
  sending: 'SENT',
  sent: 'SENT',
  delivered: 'DELIVERED',
  undelivered: 'UNDELIVERED',
  failed: 'FAILED',
  read: 'READ',
  canceled: 'CANCELED',
  receiving: 'RECEIVED',
  received: 'RECEIVED',
  // calls
  initiated: 'SENT',
  ringing: 'RINGING',
  'in-progress': 'IN_PROGRESS',
  completed: 'COMPLETED',
  busy: 'BUSY',
  'no-answer': 'NO_ANSWER',
};

export function fromTwilioStatus(status: string | undefined): MessageStatus | undefined {
  return status === undefined ? undefined : STATUS[status];
}

// Errors that will fail again whatever we do: the number or the recipient is the problem.
// https://www.twilio.com/docs/api/errors
const PERMANENT_CODES = new Set([
  21211, // invalid 'To' phone number
  21214, // 'To' number cannot be reached
  21217, // phone number does not appear to be valid
  21401, // invalid phone number
  21408, // permission to send to this region not enabled
  21610, // recipient replied STOP
  21612, // 'To' not reachable via this channel
  21614, // 'To' is not a valid mobile number (landline)
  30003, // unreachable destination handset
  30004, // message blocked
  30005, // unknown destination handset
  30006, // landline or unreachable carrier
  30007, // filtered as spam
]);

export function twilioError(err: unknown): ChannelError {
  const e = err as { status?: number; code?: number | string; message?: string } | undefined;
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const code = e?.code !== undefined ? Number(e.code) : undefined;
  const message = e?.message ?? String(err);
  if (code !== undefined && PERMANENT_CODES.has(code))
    return { code: `twilio-${code}`, permanent: true, message };
  // 429 and 5xx are Twilio telling us to come back later; so are network errors (no status).
  if (status === undefined || status === 429 || status >= 500) {
    // A 429 or 503 says the request was turned away; no answer or another 5xx leaves it unknown.
    const refused = status === 429 || status === 503;
    return {
      code: code ? `twilio-${code}` : `http-${status ?? 'network'}`,
      permanent: false,
      message,
      refused,
    };
  }
  // Other 4xx: our request is wrong (auth, parameters); retrying will not help.
  return { code: code ? `twilio-${code}` : `http-${status}`, permanent: true, message };
}

/** Delivery-callback error codes that mean the number itself is unusable. */
export function isPermanentDeliveryError(code: string | undefined): boolean {
  return code !== undefined && PERMANENT_CODES.has(Number(code));
}
