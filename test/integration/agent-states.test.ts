import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE, AVAILABLE, agentStateDeps, changeState } from '../../src/agents/agent-state.store.js';
import { markSeen } from '../../src/agents/heartbeat.js';
import { takeOfflineTheGone } from '../../src/agents/offline-sweep.js';
import { at, stoppedAt } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// Agents say when they can take calls: available, on a break (why), offline. The live state is in
// Redis for every process; each change is a row in PostgreSQL; an agent whose consoles are gone is
// taken offline after the grace period.

const clock = stoppedAt(at('2026-11-24T09:00'));
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ clock, env: { AGENT_OFFLINE_GRACE_SECONDS: '30' } });
});

afterAll(async () => {
  await h?.close();
});

const as = (token: string) => (method: 'GET' | 'PUT', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });
const userIdOf = async (token: string) =>
  ((await as(token)('GET', '/api/agents/me')).json() as { userId: string }).userId;

describe('agent states', () => {
  it('starts offline, goes available and on a break with its reason, each change recorded and told live', async () => {
    const agent = as(await h.login('AGENT'));
    const before = await h.services.events.latestId();
    expect((await agent('GET', '/api/agents/me')).json()).toMatchObject({ state: 'OFFLINE' });

    clock.set(at('2026-11-24T09:01'));
    const available = await agent('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    expect(available.statusCode, available.body).toBe(200);
    expect(available.json()).toMatchObject({
      state: 'AVAILABLE',
      reason: null,
      since: at('2026-11-24T09:01').toISOString(),
    });

    clock.set(at('2026-11-24T10:30'));
    const noReason = await agent('PUT', '/api/agents/me/state', { state: 'BREAK' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().error).toBe('reason_required');
    const onBreak = await agent('PUT', '/api/agents/me/state', { state: 'BREAK', reason: ' Pause café ' });
    expect(onBreak.json()).toMatchObject({ state: 'BREAK', reason: 'Pause café' });
    expect((await agent('GET', '/api/agents/me')).json()).toMatchObject({
      state: 'BREAK',
      reason: 'Pause café',
    });

    const userId = onBreak.json().userId;
    const changes = await h.services.db.agentStateChange.findMany({
      where: { userId },
      orderBy: { id: 'asc' },
    });
    expect(changes.map((c) => [c.state, c.reason, c.at.toISOString()])).toEqual([
      ['AVAILABLE', null, at('2026-11-24T09:01').toISOString()],
      ['BREAK', 'Pause café', at('2026-11-24T10:30').toISOString()],
    ]);
    const told = (await h.services.events.since(before)).filter((e) => e.type === 'agent.state');
    expect(told.map((e) => e.data.state)).toEqual(['AVAILABLE', 'BREAK']);
  });

  it('keeps the available agents in order of waiting, the longest idle first', async () => {
    const first = await h.login('AGENT');
    const second = await h.login('AGENT');
    clock.set(at('2026-11-24T11:00'));
    await as(second)('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    clock.set(at('2026-11-24T11:05'));
    await as(first)('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    const order = await h.services.redis.zRange(AVAILABLE, 0, -1);
    const ids = [await userIdOf(second), await userIdOf(first)];
    expect(order.filter((id) => ids.includes(id))).toEqual(ids);
    await as(second)('PUT', '/api/agents/me/state', { state: 'OFFLINE' });
    expect(await h.services.redis.zRange(AVAILABLE, 0, -1)).not.toContain(ids[0]);
  });

  it('refuses a change while offered or on a call (409), and shows supervisors every state, not agents', async () => {
    const token = await h.login('AGENT');
    const agent = as(token);
    const me = await h.services.db.user.findUniqueOrThrow({ where: { id: await userIdOf(token) } });
    await changeState(agentStateDeps(h.services), me, 'ON_CALL', null);
    const refused = await agent('PUT', '/api/agents/me/state', { state: 'OFFLINE' });
    expect(refused.statusCode).toBe(409);
    expect((await agent('GET', '/api/agents/me')).json().state).toBe('ON_CALL');

    expect((await agent('GET', '/api/agents')).statusCode).toBe(403);
    const supervisor = as(await h.login('SUPERVISOR'));
    const listed = (await supervisor('GET', '/api/agents')).json() as Array<{
      userId: string;
      state: string;
    }>;
    expect(listed.find((a) => a.userId === me.id)?.state).toBe('ON_CALL');
    expect((await agent('PUT', '/api/agents/me/state', { state: 'ON_CALL' })).statusCode).toBe(400);
  });

  it('reads the state back from PostgreSQL when Redis has lost it', async () => {
    const token = await h.login('AGENT');
    await as(token)('PUT', '/api/agents/me/state', { state: 'BREAK', reason: 'Formation' });
    const userId = await userIdOf(token);
    await h.services.redis.del(`agent:${userId}`);
    expect((await as(token)('GET', '/api/agents/me')).json()).toMatchObject({
      state: 'BREAK',
      reason: 'Formation',
    });
  });

  it('takes offline an agent whose consoles are all gone past the grace period, and no one else', async () => {
    const goneToken = await h.login('AGENT');
    const hereToken = await h.login('AGENT');
    await as(goneToken)('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    await as(hereToken)('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    const [gone, here] = [await userIdOf(goneToken), await userIdOf(hereToken)];
    // The grace period passes: the heartbeat goes on for one console only.
    await h.services.redis.del(`agent:seen:${gone}`);
    await markSeen(h.services.redis, [here], 30);

    await takeOfflineTheGone(agentStateDeps(h.services));
    expect((await as(goneToken)('GET', '/api/agents/me')).json()).toMatchObject({
      state: 'OFFLINE',
      reason: 'console fermée',
    });
    expect((await as(hereToken)('GET', '/api/agents/me')).json().state).toBe('AVAILABLE');
    expect(await h.services.redis.sIsMember(ACTIVE, gone)).toBe(0);
  });

  it('counts the agents per state for Prometheus, from the live states in Redis', async () => {
    const before = await h.app.inject({ method: 'GET', url: '/metrics' });
    const count = (text: string, state: string) =>
      Number(
        new RegExp(`^contact_centre_agents\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 'NaN',
      );
    const availableBefore = count(before.body, 'AVAILABLE');
    const onBreakBefore = count(before.body, 'BREAK');
    await as(await h.login('AGENT'))('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    await as(await h.login('AGENT'))('PUT', '/api/agents/me/state', { state: 'BREAK', reason: 'Réunion' });
    const after = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(count(after, 'AVAILABLE')).toBe(availableBefore + 1);
    expect(count(after, 'BREAK')).toBe(onBreakBefore + 1);
  });
});
