import type { TwilioClient } from '../messaging/twilio/twilio-client.js';
import type { Redis } from '../platform/redis.js';

/** What the service does to a caller's live call: move it out of the queue, or end it. */
export interface CallControl {
  /** The call leaves what it is doing (the queue's hold music) for the TwiML at `url`. */
  redirect(callSid: string, url: string): Promise<void>;
  /** The agent hangs up: the caller's call ends. */
  hangUp(callSid: string): Promise<void>;
}

/** A call Twilio no longer has in progress (the caller hung up meanwhile). */
export class CallGone extends Error {}

// Twilio answers 404 for an unknown call and 21220 for a call no longer in progress.
const GONE_CODES = new Set([20404, 21220]);

export function twilioCallControl(client: TwilioClient): CallControl {
  const update = async (callSid: string, change: { url?: string; method?: 'POST'; status?: 'completed' }) => {
    try {
      await client.calls(callSid).update(change);
    } catch (err) {
      const { status, code } = err as { status?: number; code?: number };
      if (status === 404 || (code !== undefined && GONE_CODES.has(code)))
        throw new CallGone(`call ${callSid} is no longer in progress`);
      throw err;
    }
  };
  return {
    redirect: (callSid, url) => update(callSid, { url, method: 'POST' }),
    hangUp: (callSid) => update(callSid, { status: 'completed' }),
  };
}

export const simulatorRedirectKey = (callSid: string) => `sim:call-control:${callSid}`;

/**
 * Without Twilio, the simulator carries the caller: it reads what the service asked of the call
 * (a redirect to the agent, a hang-up) and plays it (src/messaging/simulator).
 */
export function simulatorCallControl(redis: Redis): CallControl {
  const ask = async (callSid: string, what: string) => {
    await redis.set(simulatorRedirectKey(callSid), what, { EX: 3600 });
  };
  return {
    redirect: (callSid, url) => ask(callSid, url),
    hangUp: (callSid) => ask(callSid, 'hangup'),
  };
}
