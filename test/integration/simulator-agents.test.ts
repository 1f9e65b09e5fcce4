import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { at, stoppedAt } from '../support/clock.js';
import { consoleSocket } from '../support/console-socket.js';
import { type Harness, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';

// Without a Twilio account the simulator carries the caller: a daytime call waits in the queue
// (hearing its place) until an agent takes it in the console; then the simulated caller is with
// that agent, what they say reaches the agent's console, and either side hangs up. With no agent,
// the caller waits until the queue's time runs out and leaves a message.

const DAYTIME = '+33970000002';
const clock = stoppedAt(at('2026-11-24T10:00')); // a Tuesday: open
let h: Harness;
let socket: Socket;
const events: DomainEvent[] = [];

beforeAll(async () => {
  h = await startHarness({ clock, listen: true });
});

afterAll(async () => {
  socket?.disconnect();
  await h?.close();
});

const as = (token: string) => (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

type Step = { sid: string; said: string[]; next: { kind: string; number?: string } };

describe('agents in the simulator', () => {
  it('waits with no agent until the queue gives up, then takes a message', async () => {
    const panel = as(await h.login('AGENT'));
    const started = (
      await panel('POST', '/api/simulator/calls', { from: '+33612345678', to: DAYTIME })
    ).json() as Step;
    expect(started.said).toContain('Un conseiller va vous répondre. Merci de patienter.');
    expect(started.next.kind).toBe('enqueue');

    clock.set(at('2026-11-24T10:00:30'));
    const still = (await panel('POST', `/api/simulator/calls/${started.sid}/input`, {})).json() as Step;
    expect(still.next.kind).toBe('enqueue');
    expect(still.said[0]).toMatch(/^Vous êtes le prochain appelant\./);

    clock.set(at('2026-11-24T10:03:01')); // past the flow's 180 s
    const left = (await panel('POST', `/api/simulator/calls/${started.sid}/input`, {})).json() as Step;
    expect(left.said.some((s) => s.startsWith('Tous nos conseillers sont occupés'))).toBe(true);
    expect(left.next.kind).toBe('record');
    expect(
      await h.services.db.queuedCall.findUniqueOrThrow({ where: { callSid: started.sid } }),
    ).toMatchObject({
      outcome: 'LEFT',
    });
  });

  it('connects the simulated caller to the agent who answers, carries what they say, and hangs up', async () => {
    clock.set(at('2026-11-24T11:00'));
    const agentToken = await h.login('AGENT');
    const agent = as(agentToken);
    socket = await consoleSocket(h, agentToken);
    socket.on('event', (event: DomainEvent) => events.push(event));
    await agent('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    const userId = (await agent('GET', '/api/agents/me')).json().userId as string;
    // Without Twilio the console's softphone is the simulator's: no token, the same identity.
    expect((await agent('POST', '/api/calls/softphone-token')).json()).toEqual({
      kind: 'simulator',
      identity: `agent-${userId}`,
      token: null,
      expiresAt: null,
    });

    const panel = as(await h.login('SUPERVISOR'));
    const started = (
      await panel('POST', '/api/simulator/calls', { from: '+33612345679', to: DAYTIME })
    ).json() as Step;
    expect(started.next.kind).toBe('enqueue');
    const pop = await until(async () =>
      events.find((e) => e.type === 'call.screen-pop' && e.data.callSid === started.sid),
    );
    const offerId = (pop.data.offer as { offerId: string }).offerId;
    expect((await agent('POST', `/api/calls/offers/${offerId}/accept`)).statusCode).toBe(200);

    // The simulator moved the caller to the agent's softphone, and says so live to the panel.
    const moved = await until(async () =>
      events.find((e) => e.type === 'simulator.call' && e.data.sid === started.sid),
    );
    expect(moved.data.next).toMatchObject({ kind: 'dial', number: `client:agent-${userId}` });

    await panel('POST', `/api/simulator/calls/${started.sid}/input`, {
      speech: 'Bonjour, ma facture est fausse',
    });
    const said = await until(async () => events.find((e) => e.type === 'call.caller-said'));
    expect(said.data).toEqual({ callSid: started.sid, text: 'Bonjour, ma facture est fausse' });

    clock.set(at('2026-11-24T11:04'));
    expect((await panel('POST', `/api/simulator/calls/${started.sid}/hangup`)).statusCode).toBe(204);
    expect((await agent('GET', '/api/agents/me')).json()).toMatchObject({ state: 'WRAP_UP' });
    expect(
      await h.services.db.queuedCall.findUniqueOrThrow({ where: { callSid: started.sid } }),
    ).toMatchObject({
      outcome: 'ANSWERED',
      agentId: userId,
      endedAt: at('2026-11-24T11:04'),
    });
  });

  it('ends the simulated call when the agent hangs up', async () => {
    clock.set(at('2026-11-24T12:00'));
    const agentToken = await h.login('AGENT');
    const agent = as(agentToken);
    const own: DomainEvent[] = [];
    const console2 = await consoleSocket(h, agentToken);
    console2.on('event', (event: DomainEvent) => own.push(event));
    await agent('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    const panel = as(await h.login('SUPERVISOR'));
    const started = (
      await panel('POST', '/api/simulator/calls', { from: '+33612345670', to: DAYTIME })
    ).json() as Step;
    const pop = await until(async () => own.find((e) => e.type === 'call.screen-pop'));
    await agent('POST', `/api/calls/offers/${(pop.data.offer as { offerId: string }).offerId}/accept`);
    expect((await agent('POST', '/api/calls/current/hangup')).statusCode).toBe(204);
    const ended = await until(async () =>
      own.find((e) => e.type === 'agent.state' && e.data.state === 'WRAP_UP') ? true : undefined,
    );
    expect(ended).toBe(true);
    expect(
      (await panel('POST', `/api/simulator/calls/${started.sid}/input`, { speech: 'allô ?' })).statusCode,
    ).toBe(404);
    // Signed off: once its wrap-up is over (the next test's clock is hours later) the distribution's
    // sweep would otherwise make this agent available to the next test's caller.
    expect((await agent('PUT', '/api/agents/me/state', { state: 'OFFLINE' })).statusCode).toBe(200);
    console2.disconnect();
  });

  it('keeps the place of a caller who asks for a callback; the agent who takes it has the panel ring them', async () => {
    clock.set(at('2026-11-24T14:00'));
    const panel = as(await h.login('SUPERVISOR'));
    const started = (
      await panel('POST', '/api/simulator/calls', { from: '+33612345671', to: DAYTIME })
    ).json() as Step;
    clock.set(at('2026-11-24T14:01:05'));
    const offered = (await panel('POST', `/api/simulator/calls/${started.sid}/input`, {})).json() as Step;
    expect(offered.next.kind).toBe('gather');
    expect(offered.said.join(' ')).toContain('tapez 1');
    const kept = (
      await panel('POST', `/api/simulator/calls/${started.sid}/input`, { digits: '1' })
    ).json() as Step;
    expect(kept.said[0]).toMatch(/^Votre place est gardée : un conseiller vous rappellera au 06 12 34 56 71/);
    expect(kept.next.kind).toBe('hangup');

    const agentToken = await h.login('AGENT');
    const agent = as(agentToken);
    const own: DomainEvent[] = [];
    const console3 = await consoleSocket(h, agentToken);
    console3.on('event', (event: DomainEvent) => own.push(event));
    await agent('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    const pop = await until(async () =>
      own.find((e) => e.type === 'call.screen-pop' && e.data.callSid === started.sid),
    );
    expect(pop.data).toMatchObject({ callback: true, callerNumber: '+33612345671' });
    await agent('POST', `/api/calls/offers/${(pop.data.offer as { offerId: string }).offerId}/accept`);

    // The customer's phone rings in the panel; picking up puts them through to the agent.
    const ringing = await until(async () =>
      (await h.services.simulator!.recent()).find((i) => i.kind === 'call' && i.to === '+33612345671'),
    );
    const answered = (await panel('POST', `/api/simulator/outbound/${ringing.sid}/answer`)).json() as Step;
    expect(answered.said[0]).toContain('vous avez demandé à être rappelé');
    expect(answered.next).toMatchObject({ kind: 'dial', number: expect.stringMatching(/^client:agent-/) });
    expect((await panel('POST', `/api/simulator/calls/${ringing.sid}/hangup`)).statusCode).toBe(204);
    expect((await agent('GET', '/api/agents/me')).json()).toMatchObject({ state: 'WRAP_UP' });
    expect(
      await h.services.db.queuedCall.findUniqueOrThrow({ where: { callSid: started.sid } }),
    ).toMatchObject({
      callback: true,
      outcome: 'ANSWERED',
    });
    console3.disconnect();
  });
});
