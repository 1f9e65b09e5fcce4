import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallState, createCallStates } from '../../src/ivr/call-state.js';
import { connectRedis, createRedis, type Redis } from '../../src/platform/redis.js';
import { flushRedis, redisUrlForWorker } from '../support/redis-db.js';

// The call state's compare-and-set: of two requests answering the same step, one advances the
// call; a stale step never overwrites a newer one; and it survives Redis forgetting its scripts.

let redis: Redis;

beforeAll(async () => {
  const url = redisUrlForWorker();
  await flushRedis(url);
  redis = createRedis(url, () => {});
  await connectRedis(redis, url);
});

afterAll(async () => {
  await redis.close();
});

const stateOf = (callSid: string, seq: number, extra: Partial<CallState> = {}): CallState => ({
  callSid,
  line: 'daytime',
  locale: 'fr',
  from: '+33612345678',
  customerIds: [],
  startedAt: '2026-11-24T09:00:00.000Z',
  step: 'menu',
  seq,
  attempts: 0,
  // A caller's input or a TwiML that spells out "seq" must not be taken for the count.
  vars: { seq: '7', said: '"seq":9' },
  path: [],
  inputs: [],
  outcome: null,
  caseId: null,
  reply: '<Response><Gather action="/twilio/voice/step?seq=1"/></Response>',
  ...extra,
});

describe('call state', () => {
  it('advances a call once per answer count; the loser of a race and a stale step change nothing', async () => {
    const states = createCallStates(redis, 60);
    await states.start(stateOf('CA-race', 0));
    expect(await states.advance(0, stateOf('CA-race', 1, { step: 'identify' }))).toBe(true);
    expect(await states.advance(0, stateOf('CA-race', 1, { step: 'other' }))).toBe(false);
    expect((await states.get('CA-race'))?.step).toBe('identify');
    expect(await states.advance(1, stateOf('CA-race', 2, { step: 'recognised' }))).toBe(true);
    expect(await states.advance(1, stateOf('CA-race', 2, { step: 'late' }))).toBe(false);
    expect(await states.get('CA-race')).toMatchObject({ seq: 2, step: 'recognised' });
    // An unknown or expired call is never created by an advance.
    expect(await states.advance(0, stateOf('CA-gone', 1))).toBe(false);
    expect(await states.get('CA-gone')).toBeNull();
  });

  it('keeps working after Redis forgets its scripts (a restart)', async () => {
    const states = createCallStates(redis, 60);
    await states.start(stateOf('CA-flush', 0));
    expect(await states.advance(0, stateOf('CA-flush', 1))).toBe(true);
    await redis.scriptFlush();
    expect(await states.advance(1, stateOf('CA-flush', 2))).toBe(true);
    expect((await states.get('CA-flush'))?.seq).toBe(2);
  });

  it('keeps the expiry the call started with', async () => {
    const states = createCallStates(redis, 60);
    await states.start(stateOf('CA-ttl', 0));
    await states.advance(0, stateOf('CA-ttl', 1));
    const ttl = await redis.ttl('call:CA-ttl');
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
