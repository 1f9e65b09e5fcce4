import type { Redis } from '../platform/redis.js';

// The state of a call in progress lives in Redis, keyed by CallSid, so any api process can
// serve the next webhook, and it expires on its own if Twilio never tells us the call ended.

export interface CallState {
  callSid: string;
  line: string;
  locale: 'fr' | 'en';
  from: string | null;
  customerIds: string[];
  startedAt: string;
  path: string[];
}

const key = (callSid: string) => `call:${callSid}`;

export interface CallStates {
  /** Stores the state unless the call is already known; returns the state that is stored. */
  start(state: CallState): Promise<{ state: CallState; replay: boolean }>;
  get(callSid: string): Promise<CallState | null>;
  end(callSid: string): Promise<void>;
}

export function createCallStates(redis: Redis, ttlSeconds: number): CallStates {
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
    async end(callSid) {
      await redis.del(key(callSid));
    },
  };
}
