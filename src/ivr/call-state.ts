import type { Locale } from '../generated/prisma/enums.js';
import type { Redis } from '../platform/redis.js';
import { redisScript } from '../platform/redis-script.js';

// The state of a call in progress lives in Redis, keyed by CallSid, so any api process can
// serve the next webhook, and it expires on its own if Twilio never tells us the call ended.

export type CallInput = {
  step: string;
  digits?: string;
  speech?: string;
  accepted: boolean;
};

export interface CallState {
  callSid: string;
  line: string;
  locale: Locale;
  from: string | null;
  /** Customers the caller may be: several while a shared number is not resolved. */
  customerIds: string[];
  startedAt: string;
  /** The step waiting for the caller (gather, record, transfer) or the hang-up reached. */
  step: string;
  /**
   * How many answers this call has had. Each answer's action URLs carry it, so a webhook Twilio
   * retries is recognised (its seq is behind) and answered again, not run twice.
   */
  seq: number;
  /** Failed inputs at the current gather step. */
  attempts: number;
  /** Inputs saved by gather steps and values set by actions, for branches and actions. */
  vars: Record<string, string>;
  path: string[];
  inputs: CallInput[];
  /** The last action outcome or the way the call went on (voicemail, transferred, ...). */
  outcome: string | null;
  caseId: string | null;
  /** The TwiML of the last answer, served again to a replayed webhook. */
  reply: string;
}

const key = (callSid: string) => `call:${callSid}`;

// Compare-and-set on the answer count: of two processes serving the same webhook, one wins.
// The count is read with a pattern rather than by decoding the whole state (its last TwiML
// included) on every step: only the top-level "seq" is a number right after its key, since any
// "seq" inside a string value would have its quotes escaped.
const ADVANCE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if string.match(current, '"seq":(%d+)') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

export interface CallStates {
  /** Stores the state unless the call is already known; returns the state that is stored. */
  start(state: CallState): Promise<{ state: CallState; replay: boolean }>;
  get(callSid: string): Promise<CallState | null>;
  /** Stores `next` if the stored state is still at answer `seq`; false when another request won. */
  advance(seq: number, next: CallState): Promise<boolean>;
  end(callSid: string): Promise<void>;
}

export function createCallStates(redis: Redis, ttlSeconds: number): CallStates {
  const runAdvance = redisScript(redis, ADVANCE);
  return {
    async start(state) {
      const created = await redis.set(key(state.callSid), JSON.stringify(state), {
        NX: true,
        EX: ttlSeconds,
      });
      if (created === 'OK') return { state, replay: false };
      const existing = await redis.get(key(state.callSid));
      return { state: existing ? (JSON.parse(existing) as CallState) : state, replay: true };
    },
    async get(callSid) {
      const raw = await redis.get(key(callSid));
      return raw ? (JSON.parse(raw) as CallState) : null;
    },
    async advance(seq, next) {
      const done = await runAdvance([key(next.callSid)], [String(seq), JSON.stringify(next)]);
      return done === 1;
    },
    async end(callSid) {
      await redis.del(key(callSid));
    },
  };
}
