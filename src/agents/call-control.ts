import type { VoiceChannel } from '../messaging/channel.port.js';
import type { TwilioClient } from '../messaging/twilio/twilio-client.js';
import type { Redis } from '../platform/redis.js';
import type { EventBus } from '../realtime/event-bus.js';

/** What the service does to a caller's live call: move it out of the queue, or end it. */
export interface CallControl {
  /** The call leaves what it is doing (the queue's hold music) for the TwiML at `url`. */
  redirect(callSid: string, url: string): Promise<void>;
  /** The agent hangs up: the caller's call ends. */
  hangUp(callSid: string): Promise<void>;
  /**
   * Calls back a caller who kept their place: when they pick up, Twilio fetches `url` (which
   * rings the agent who took the call); the call's end is posted to `statusCallbackUrl`.
   */
  callBack(call: { to: string; from: string; url: string; statusCallbackUrl: string }): Promise<void>;
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
    async callBack(call) {
      await client.calls.create({
        to: call.to,
        from: call.from,
        url: call.url,
        method: 'POST',
        statusCallback: call.statusCallbackUrl,
        statusCallbackEvent: ['completed'],
        timeout: 30,
      });
    },
  };
}

export const parkedInstructionKey = (callSid: string) => `sim:call-control:${callSid}`;

/** Plays an instruction on a simulated call: a URL to fetch its TwiML from, or "hangup". */
export type CallCarrier = (callSid: string, instruction: string) => Promise<void>;

export interface SimulatorCallControl extends CallControl {
  /** The api's simulator carries the calls from now on (src/messaging/simulator). */
  carry(carrier: CallCarrier): void;
}

export const isSimulated = (control: CallControl): control is SimulatorCallControl => 'carry' in control;

/**
 * Without Twilio, the simulator carries the caller. In the api process it plays what the
 * service asks of the call at once; elsewhere (a worker) the instruction is parked in Redis and
 * the simulator panel, told live, has the api play it.
 */
export function simulatorCallControl(
  redis: Redis,
  events: EventBus,
  /** The simulator's voice channel: the callback rings in the panel, to answer as the customer. */
  voice: VoiceChannel,
): SimulatorCallControl {
  let carrier: CallCarrier | null = null;
  const instruct = async (callSid: string, instruction: string) => {
    if (carrier) return carrier(callSid, instruction);
    await redis.set(parkedInstructionKey(callSid), instruction, { EX: 3600 });
    await events.publish({ type: 'simulator.call-control', data: { sid: callSid } });
  };
  return {
    redirect: (callSid, url) => instruct(callSid, url),
    hangUp: (callSid) => instruct(callSid, 'hangup'),
    async callBack(call) {
      const placed = await voice.call({
        messageId: call.url,
        to: call.to,
        body: 'Rappel du service client',
        twimlUrl: call.url,
        statusCallbackUrl: call.statusCallbackUrl,
      });
      if (placed.outcome !== 'sent') throw new Error(`callback not placed: ${placed.error.message}`);
    },
    carry(next) {
      carrier = next;
    },
  };
}
