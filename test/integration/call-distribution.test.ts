import { createHmac } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_CLOSED } from '../../src/agents/agent-states.js';
import { distributionSweep } from '../../src/agents/call-end.service.js';
import { distributionDeps, NOT_ANSWERING } from '../../src/agents/distribution.deps.js';
import { consoleClosed } from '../../src/agents/offers.service.js';
import { toNational } from '../../src/identification/phone-number.js';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { at, stoppedAt } from '../support/clock.js';
import { consoleSocket } from '../support/console-socket.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createWeeknightAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { createTwilioApi, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// A daytime caller queued for the agents is offered to exactly one available agent who takes
// their line, language and agency, the longest idle first; the pop rings on that agent's console
// only. Accepted, Twilio is asked to move the caller out of the hold music to the agent; after
// the call the agent wraps up, then is available again. Every step through the signed webhooks,
// with the Twilio REST API answered by msw as Twilio answers.

const DAYTIME = '+33970000002';
const API_KEY_SID = `SK${'a'.repeat(32)}`;
const API_KEY_SECRET = 'test-api-key-secret';
const twilioApi = createTwilioApi();
const clock = stoppedAt(at('2026-11-24T10:00')); // a Tuesday: the daytime line is open
let h: Harness;
let agencyId: string;
let otherAgencyId: string;
const sockets: Socket[] = [];
let customers = 0;

interface Agent {
  id: string;
  token: string;
  events: DomainEvent[];
}

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({
    clock,
    listen: true,
    env: {
      ...TWILIO_TEST_ENV,
      TWILIO_API_KEY_SID: API_KEY_SID,
      TWILIO_API_KEY_SECRET: API_KEY_SECRET,
      CALL_OFFER_TIMEOUT_SECONDS: '15',
      CALL_WRAP_UP_SECONDS: '30',
      CALL_AGENT_RING_SECONDS: '25',
    },
  });
  agencyId = (await createWeeknightAgency(h.services.db, 'DIS', 'Agence de Villeurbanne')).id;
  otherAgencyId = (await createWeeknightAgency(h.services.db, 'DIX', 'Agence de Vienne')).id;
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await h?.close();
  twilioApi.close();
});

beforeEach(async () => {
  // Each test starts with no agent at work and no call waiting.
  await h.services.db.user.updateMany({ data: { active: false } });
  for (const key of await h.services.redis.keys('agent*')) await h.services.redis.del(key);
  for (const key of await h.services.redis.keys('*call*')) await h.services.redis.del(key);
  twilioApi.reset();
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});

const api = (token: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

/** An agent with a console open (their events recorded), available from `since`. */
async function availableAgent(
  since: string,
  options: { agencyId?: string; skillLines?: string[]; skillLanguages?: Array<'fr' | 'en'> } = {},
): Promise<Agent> {
  const token = await h.login('AGENT', options.agencyId ? { agencyId: options.agencyId } : {});
  const id = (await api(token, 'GET', '/api/agents/me')).json().userId as string;
  await h.services.db.user.update({
    where: { id },
    data: {
      ...(options.skillLines ? { skillLines: options.skillLines } : {}),
      ...(options.skillLanguages ? { skillLanguages: options.skillLanguages } : {}),
    },
  });
  const events: DomainEvent[] = [];
  const socket = await consoleSocket(h, token, sockets);
  socket.on('event', (event: DomainEvent) => events.push(event));
  clock.set(at(since));
  const made = await api(token, 'PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
  expect(made.statusCode, made.body).toBe(200);
  return { id, token, events };
}

/** A customer of the agency, calling from their mobile. */
async function customer(agency = agencyId, urgentCase = false): Promise<{ id: string; phone: string }> {
  customers += 1;
  const phone = `+336${String(20000000 + customers)}`;
  const reference = `C93${String(customers).padStart(4, '0')}`;
  const created = await h.services.db.customer.create({
    data: {
      reference,
      lastName: `Nom ${reference}`,
      firstName: 'Prénom',
      addressLine: '3 rue des Files',
      postcode: '69100',
      city: 'Villeurbanne',
      phones: { create: { e164: phone, kind: 'MOBILE' } },
    },
  });
  await h.services.db.contract.create({
    data: { reference: `CT-${reference}`, customerId: created.id, agencyId: agency },
  });
  if (urgentCase)
    await h.services.db.case.create({
      data: { category: 'fuite', subject: 'Fuite après compteur', urgency: 'URGENT', customerId: created.id },
    });
  await h.services.phoneIndex.rebuild();
  return { id: created.id, phone };
}

const offerTo = (agent: Agent, callSid: string) =>
  until(async () =>
    agent.events.find(
      (e) => e.type === 'call.screen-pop' && e.data.callSid === callSid && e.data.reason === 'offered',
    ),
  );

const stateOf = async (agent: Agent) => (await api(agent.token, 'GET', '/api/agents/me')).json();
const offerIdOf = (pop: DomainEvent) => (pop.data.offer as { offerId: string }).offerId;
const queued = (callSid: string) => h.services.db.queuedCall.findUniqueOrThrow({ where: { callSid } });

async function queuedCaller(phone: string): Promise<PhoneCall> {
  const call = new PhoneCall(h, phone, DAYTIME);
  expect((await call.dial()).next).toMatchObject({ kind: 'enqueue', queue: 'daytime' });
  return call;
}

describe('call distribution', () => {
  it('offers the call to the longest-idle agent who takes it, bridges it, wraps up, and makes them available again', async () => {
    const { phone } = await customer();
    // Longest idle of all, but takes only the out-of-hours line.
    const nightOnly = await availableAgent('2026-11-24T08:00', { skillLines: ['out-of-hours'] });
    const first = await availableAgent('2026-11-24T08:30');
    const second = await availableAgent('2026-11-24T09:00', { agencyId });
    clock.set(at('2026-11-24T10:00'));

    const call = await queuedCaller(phone);
    const pop = await offerTo(first, call.sid);
    expect(pop.data).toMatchObject({
      line: 'daytime',
      callerNumber: phone,
      identification: 'one',
      offer: { expiresAt: at('2026-11-24T10:00:15').toISOString(), autoAccept: false },
    });
    expect(await stateOf(first)).toMatchObject({ state: 'OFFERED' });

    const accepted = await api(first.token, 'POST', `/api/calls/offers/${offerIdOf(pop)}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toEqual({ callSid: call.sid, offerId: offerIdOf(pop), connectTo: 'softphone' });
    expect(await stateOf(first)).toMatchObject({ state: 'ON_CALL' });
    // Twilio is asked to move the caller out of the hold music to the agent.
    const connect = `${h.settings.publicBaseUrl}/twilio/voice/connect?offer=${encodeURIComponent(offerIdOf(pop))}`;
    expect(twilioApi.callUpdates).toEqual([{ sid: call.sid, form: { Url: connect, Method: 'POST' } }]);
    // The queue's end as Twilio reports it does not send the caller to the voicemail.
    const redirected = await call.post(call.waitingOn, { QueueResult: 'redirected', QueueTime: '12' });
    expect(redirected.next).toEqual({ kind: 'redirect', url: connect });

    const bridged = await call.post(connect.slice(h.settings.publicBaseUrl.length));
    expect(call.last?.body).toContain(`<Client>agent-${first.id}</Client>`);
    expect(bridged.next).toMatchObject({ kind: 'dial' });

    // Nobody else rang: not the other agents, not the night-only one.
    for (const other of [second, nightOnly])
      expect(other.events.filter((e) => e.type === 'call.screen-pop')).toEqual([]);

    clock.set(at('2026-11-24T10:06'));
    const ended = await call.post(`/twilio/voice/agent-leg?offer=${encodeURIComponent(offerIdOf(pop))}`, {
      DialCallStatus: 'completed',
      DialCallDuration: '340',
    });
    expect(ended.next).toEqual({ kind: 'hangup' });
    await call.hangUp();
    expect(await stateOf(first)).toMatchObject({ state: 'WRAP_UP' });

    clock.set(at('2026-11-24T10:06:31'));
    await distributionSweep(distributionDeps(h.services));
    expect(await stateOf(first)).toMatchObject({ state: 'AVAILABLE' });

    expect(await queued(call.sid)).toMatchObject({
      line: 'daytime',
      queuedAt: at('2026-11-24T10:00'),
      offers: 1,
      agentId: first.id,
      answeredAt: at('2026-11-24T10:00'),
      endedAt: at('2026-11-24T10:06'),
      outcome: 'ANSWERED',
      wrapUpEndedAt: at('2026-11-24T10:06:31'),
    });
    const changes = await h.services.db.agentStateChange.findMany({
      where: { userId: first.id },
      orderBy: { id: 'asc' },
    });
    expect(changes.map((c) => c.state)).toEqual(['AVAILABLE', 'OFFERED', 'ON_CALL', 'WRAP_UP', 'AVAILABLE']);
  });

  it('gives an offer not accepted in time to the next agent, and puts the first on a break "not answering"', async () => {
    const { phone } = await customer();
    const slow = await availableAgent('2026-11-24T08:00');
    const next = await availableAgent('2026-11-24T08:10');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const firstOffer = await offerTo(slow, call.sid);

    clock.set(at('2026-11-24T10:00:14'));
    await distributionSweep(distributionDeps(h.services));
    expect(await stateOf(slow)).toMatchObject({ state: 'OFFERED' });

    clock.set(at('2026-11-24T10:00:16'));
    await distributionSweep(distributionDeps(h.services));
    expect(await stateOf(slow)).toMatchObject({ state: 'BREAK', reason: NOT_ANSWERING });
    const secondOffer = await offerTo(next, call.sid);
    expect(offerIdOf(secondOffer)).not.toBe(offerIdOf(firstOffer));
    await until(async () => slow.events.find((e) => e.type === 'call.offer-ended'));
    expect(slow.events.find((e) => e.type === 'call.offer-ended')?.data).toMatchObject({ reason: 'expired' });

    // Too late for the first: nothing changes.
    const late = await api(slow.token, 'POST', `/api/calls/offers/${offerIdOf(firstOffer)}/accept`);
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toBe('offer_gone');
    expect(twilioApi.callUpdates).toEqual([]);
    expect(
      (await api(next.token, 'POST', `/api/calls/offers/${offerIdOf(secondOffer)}/accept`)).statusCode,
    ).toBe(200);
    expect((await queued(call.sid)).offers).toBe(2);
  });

  it('lets exactly one accept win when several arrive at once', async () => {
    const { phone } = await customer();
    const offered = await availableAgent('2026-11-24T08:00');
    const other = await availableAgent('2026-11-24T08:10');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(offered, call.sid));
    const answers = await Promise.all([
      api(offered.token, 'POST', `/api/calls/offers/${offerId}/accept`),
      api(offered.token, 'POST', `/api/calls/offers/${offerId}/accept`),
      api(other.token, 'POST', `/api/calls/offers/${offerId}/accept`),
      api(offered.token, 'POST', `/api/calls/offers/${offerId}/decline`),
    ]);
    expect(answers.map((a) => a.statusCode).filter((s) => s === 200 || s === 204)).toHaveLength(1);
    expect(answers.every((a) => [200, 204, 409].includes(a.statusCode))).toBe(true);
    expect(twilioApi.callUpdates.length).toBeLessThanOrEqual(1);
    expect(await stateOf(other)).toMatchObject({ state: 'AVAILABLE' });
  });

  it('gives a declined offer to the next agent and keeps the one who declined available', async () => {
    const { phone } = await customer();
    const decliner = await availableAgent('2026-11-24T08:00');
    const next = await availableAgent('2026-11-24T08:10');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(decliner, call.sid));
    expect((await api(decliner.token, 'POST', `/api/calls/offers/${offerId}/decline`)).statusCode).toBe(204);
    await offerTo(next, call.sid);
    expect(await stateOf(decliner)).toMatchObject({ state: 'AVAILABLE' });
    expect((await api(decliner.token, 'POST', `/api/calls/offers/${offerId}/decline`)).statusCode).toBe(409);
  });

  it('keeps the place of a caller who asks to be called back, and has the agent who takes it call them', async () => {
    const kept = await customer();
    const behind = await customer();
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(kept.phone);
    const queueAction = call.waitingOn;
    await until(async () => (await h.services.db.queuedCall.count({ where: { callSid: call.sid } })) === 1);
    clock.set(at('2026-11-24T10:00:30'));
    const later = await queuedCaller(behind.phone);
    await until(async () => (await h.services.db.queuedCall.count({ where: { callSid: later.sid } })) === 1);

    // Not before a minute of waiting; then the choice.
    expect((await call.post('/twilio/voice/queue-wait', { QueueTime: '30' })).next.kind).not.toBe('gather');
    const choice = await call.post('/twilio/voice/queue-wait', { QueueTime: '60' });
    expect(choice.next).toMatchObject({ kind: 'gather', action: '/twilio/voice/queue-choice', numDigits: 1 });
    expect(choice.said).toContain(
      'Pour être rappelé sans perdre votre place, tapez 1. Pour laisser un message, tapez 2. Sinon, restez en ligne.',
    );
    expect((await call.post('/twilio/voice/queue-choice', { Digits: '1' })).next).toEqual({ kind: 'leave' });
    const told = await call.post(queueAction, { QueueResult: 'leave', QueueTime: '64' });
    expect(told.said).toEqual([
      `Votre place est gardée : un conseiller vous rappellera au ${toNational(kept.phone)} dès que ce sera votre tour. Au revoir.`,
    ]);
    expect(told.next).toEqual({ kind: 'hangup' });
    await call.hangUp();
    // Still first in the queue, though no longer on the line.
    expect(await h.services.redis.zRange('calls:waiting', 0, -1)).toEqual([call.sid, later.sid]);
    expect(await queued(call.sid)).toMatchObject({ callback: true, outcome: null, endedAt: null });

    const agent = await availableAgent('2026-11-24T10:02');
    const pop = await offerTo(agent, call.sid);
    expect(pop.data).toMatchObject({ callback: true, callerNumber: kept.phone });
    expect((await api(agent.token, 'POST', `/api/calls/offers/${offerIdOf(pop)}/accept`)).statusCode).toBe(
      200,
    );
    // The service calls the customer back from the line they called; picking up rings the agent.
    const answeredUrl = `${h.settings.publicBaseUrl}/twilio/voice/callback-answered?offer=${encodeURIComponent(offerIdOf(pop))}`;
    expect(twilioApi.calls).toEqual([
      expect.objectContaining({ to: kept.phone, from: DAYTIME, url: answeredUrl }),
    ]);
    const legSid = `CA${'7'.repeat(32)}`;
    const picked = await h.twilioPost(answeredUrl.slice(h.settings.publicBaseUrl.length), {
      CallSid: legSid,
      AccountSid: h.settings.twilio.accountSid,
      From: DAYTIME,
      To: kept.phone,
      CallStatus: 'in-progress',
    });
    expect(picked.body).toContain('vous avez demandé à être rappelé');
    expect(picked.body).toContain(`<Client>agent-${agent.id}</Client>`);
    const leg = await h.twilioPost(`/twilio/voice/agent-leg?offer=${encodeURIComponent(offerIdOf(pop))}`, {
      CallSid: legSid,
      AccountSid: h.settings.twilio.accountSid,
      DialCallStatus: 'completed',
    });
    expect(leg.body).toContain('<Hangup/>');
    expect(await stateOf(agent)).toMatchObject({ state: 'WRAP_UP' });
    expect(await queued(call.sid)).toMatchObject({ callback: true, outcome: 'ANSWERED', agentId: agent.id });
  });

  it('offers a withheld caller no callback, only the message', async () => {
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller('anonymous');
    await until(async () => (await h.services.db.queuedCall.count({ where: { callSid: call.sid } })) === 1);
    const choice = await call.post('/twilio/voice/queue-wait', { QueueTime: '90' });
    expect(choice.said).toContain('Pour laisser un message, tapez 2. Sinon, restez en ligne.');
    expect((await call.post('/twilio/voice/queue-choice', { Digits: '1' })).next).toEqual({ kind: 'hangup' });
    expect(call.last?.body).not.toContain('<Leave');
    expect((await call.post('/twilio/voice/queue-choice', { Digits: '2' })).next).toEqual({ kind: 'leave' });
  });

  it('puts the caller on hold in a hold queue of their own and rings the agent again on resume', async () => {
    const { phone } = await customer();
    const agent = await availableAgent('2026-11-24T08:00');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(agent, call.sid));
    await api(agent.token, 'POST', `/api/calls/offers/${offerId}/accept`);
    twilioApi.reset();

    const held = await api(agent.token, 'POST', '/api/calls/current/hold', { on: true });
    expect(held.json()).toEqual({ callSid: call.sid, held: true });
    const holdUrl = `${h.settings.publicBaseUrl}/twilio/voice/hold?offer=${encodeURIComponent(offerId)}`;
    expect(twilioApi.callUpdates).toEqual([{ sid: call.sid, form: { Url: holdUrl, Method: 'POST' } }]);
    const onHold = await call.post(holdUrl.slice(h.settings.publicBaseUrl.length));
    expect(onHold.said).toEqual([
      'Votre conseiller vous met en attente quelques instants. Merci de rester en ligne.',
    ]);
    expect(onHold.next).toMatchObject({ kind: 'enqueue', queue: `hold-${call.sid}` });
    // The agent's leg ends as the caller leaves the bridge: that ends nothing.
    await call.post(`/twilio/voice/agent-leg?offer=${encodeURIComponent(offerId)}`, {
      DialCallStatus: 'completed',
    });
    expect(await stateOf(agent)).toMatchObject({ state: 'ON_CALL' });

    expect((await api(agent.token, 'POST', '/api/calls/current/hold', { on: false })).json()).toEqual({
      callSid: call.sid,
      held: false,
    });
    const connect = `${h.settings.publicBaseUrl}/twilio/voice/connect?offer=${encodeURIComponent(offerId)}`;
    expect(twilioApi.callUpdates.at(-1)).toEqual({ sid: call.sid, form: { Url: connect, Method: 'POST' } });
    await call.post(connect.slice(h.settings.publicBaseUrl.length));
    expect(call.last?.body).toContain(`<Client>agent-${agent.id}</Client>`);
  });

  it('hands the call back to the queue, or to a named available colleague before the longest idle', async () => {
    const { phone } = await customer();
    const first = await availableAgent('2026-11-24T08:00');
    const longestIdle = await availableAgent('2026-11-24T08:10');
    const colleague = await availableAgent('2026-11-24T08:20');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(first, call.sid));
    await api(first.token, 'POST', `/api/calls/offers/${offerId}/accept`);

    const listed = (await api(first.token, 'GET', '/api/agents/available')).json() as Array<{
      userId: string;
    }>;
    expect(listed.map((a) => a.userId).sort()).toEqual([longestIdle.id, colleague.id].sort());
    const handed = await api(first.token, 'POST', '/api/calls/current/transfer', {
      to: 'agent',
      agentId: colleague.id,
    });
    expect(handed.statusCode, handed.body).toBe(200);
    expect(await stateOf(first)).toMatchObject({ state: 'WRAP_UP' });
    expect(twilioApi.callUpdates.at(-1)).toEqual({
      sid: call.sid,
      form: { Url: `${h.settings.publicBaseUrl}/twilio/voice/requeue`, Method: 'POST' },
    });
    // The caller waits again as when they came (the hold prompt, the queue).
    expect((await call.post('/twilio/voice/requeue')).next).toMatchObject({
      kind: 'enqueue',
      queue: 'daytime',
    });
    const pop = await offerTo(colleague, call.sid);
    expect(pop.data).toMatchObject({ transferredBy: expect.any(String) });
    expect(longestIdle.events.filter((e) => e.type === 'call.screen-pop')).toEqual([]);

    // The colleague takes it and hands it back to the queue: the longest idle gets it.
    await api(colleague.token, 'POST', `/api/calls/offers/${offerIdOf(pop)}/accept`);
    expect(
      (await api(colleague.token, 'POST', '/api/calls/current/transfer', { to: 'queue' })).statusCode,
    ).toBe(200);
    await offerTo(longestIdle, call.sid);
    expect((await api(first.token, 'POST', '/api/calls/current/transfer', { to: 'queue' })).statusCode).toBe(
      409,
    );
    const busy = await api(longestIdle.token, 'POST', '/api/calls/current/transfer', {
      to: 'agent',
      agentId: first.id,
    });
    expect(busy.statusCode).toBe(409);
  });

  /** Two agents available, a caller queued and offered to the one available longest. */
  const offeredToTheFirstOfTwo = async () => {
    const { phone } = await customer();
    const leaving = await availableAgent('2026-11-24T08:00');
    const next = await availableAgent('2026-11-24T08:10');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    await offerTo(leaving, call.sid);
    return { leaving, next, call };
  };

  it('offers the call to the next agent at once when the offered agent closes their console', async () => {
    const { leaving, next, call } = await offeredToTheFirstOfTwo();
    for (const socket of sockets.filter(
      (s) => s.auth && (s.auth as { token: string }).token === leaving.token,
    ))
      socket.disconnect();
    await offerTo(next, call.sid);
    expect(await stateOf(leaving)).toMatchObject({ state: 'BREAK', reason: CONSOLE_CLOSED });
  });

  it('offers the call to the next agent at once when an api process does not say whether the closing console was the last', async () => {
    const { leaving, next, call } = await offeredToTheFirstOfTwo();
    // The gateway's hook as the console closes, when the question to every api process fails as
    // Socket.IO's adapter fails it: a process counted in the cluster stopped (or stalled) before
    // answering. (The console itself stays open here: its own closing would ask the real cluster.)
    const noAnswer = () => Promise.reject(new Error('timeout reached: only 0 responses received out of 1'));
    await consoleClosed(distributionDeps(h.services), leaving.id, noAnswer);
    await offerTo(next, call.sid);
    expect(await stateOf(leaving)).toMatchObject({ state: 'BREAK', reason: CONSOLE_CLOSED });
  });

  it('withdraws the offer when the caller hangs up, counts the call abandoned, and frees the agent', async () => {
    const { phone } = await customer();
    const agent = await availableAgent('2026-11-24T08:00');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(agent, call.sid));
    clock.set(at('2026-11-24T10:00:05'));
    await call.hangUp();
    expect(await stateOf(agent)).toMatchObject({ state: 'AVAILABLE' });
    await until(async () => agent.events.find((e) => e.type === 'call.offer-ended'));
    expect(agent.events.find((e) => e.type === 'call.offer-ended')?.data).toEqual({
      offerId,
      callSid: call.sid,
      reason: 'caller-left',
    });
    expect((await api(agent.token, 'POST', `/api/calls/offers/${offerId}/accept`)).statusCode).toBe(409);
    expect(await queued(call.sid)).toMatchObject({
      outcome: 'ABANDONED',
      endedAt: at('2026-11-24T10:00:05'),
    });
  });

  it('frees the agent at once when the caller hung up just as they accepted', async () => {
    const { phone } = await customer();
    const agent = await availableAgent('2026-11-24T08:00');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(agent, call.sid));
    twilioApi.endCall(call.sid); // Twilio has the hang-up; its status callback is on the way
    const accepted = await api(agent.token, 'POST', `/api/calls/offers/${offerId}/accept`);
    expect(accepted.statusCode).toBe(409);
    expect(await stateOf(agent)).toMatchObject({ state: 'AVAILABLE' });
    expect(await queued(call.sid)).toMatchObject({ outcome: 'ABANDONED', answeredAt: null });
  });

  it("tells waiting callers their place and the estimated wait, and offers an urgent case's caller first", async () => {
    const callers = [await customer(), await customer(), await customer(agencyId, true)];
    clock.set(at('2026-11-24T10:00'));
    const calls: PhoneCall[] = [];
    for (const [i, c] of callers.entries()) {
      clock.set(at(`2026-11-24T10:0${i}`));
      calls.push(await queuedCaller(c.phone));
    }
    await until(
      async () => (await h.services.db.queuedCall.count({ where: { callSid: calls[2]!.sid } })) === 1,
    );
    const wait = (call: PhoneCall) => call.post('/twilio/voice/queue-wait', { QueueTime: '30' });
    // No agent at work: the estimate counts one.
    expect((await wait(calls[0]!)).said[0]).toBe(
      "Vous êtes le 2e appelant en attente. Temps d'attente estimé : environ 10 minutes.",
    );
    expect((await wait(calls[2]!)).said[0]).toBe(
      "Vous êtes le prochain appelant. Temps d'attente estimé : environ 5 minutes.",
    );

    const agent = await availableAgent('2026-11-24T10:05');
    await offerTo(agent, calls[2]!.sid);
    expect(await queued(calls[2]!.sid)).toMatchObject({ urgent: true });
  });

  it("offers an identified customer's call only to agents of their agency or of every agency", async () => {
    const { phone } = await customer(otherAgencyId);
    const elsewhere = await availableAgent('2026-11-24T08:00', { agencyId });
    const anyAgency = await availableAgent('2026-11-24T08:30');
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    await offerTo(anyAgency, call.sid);
    expect(elsewhere.events.filter((e) => e.type === 'call.screen-pop')).toEqual([]);
    expect(await stateOf(elsewhere)).toMatchObject({ state: 'AVAILABLE' });
  });

  it("puts the caller back in their place when the agent's phone does not pick up", async () => {
    const { phone } = await customer();
    const agent = await availableAgent('2026-11-24T08:00');
    await h.services.db.user.update({ where: { id: agent.id }, data: { agentPhone: '+33655500001' } });
    clock.set(at('2026-11-24T10:00'));
    const call = await queuedCaller(phone);
    const offerId = offerIdOf(await offerTo(agent, call.sid));
    expect((await api(agent.token, 'POST', `/api/calls/offers/${offerId}/accept`)).json()).toMatchObject({
      connectTo: 'phone',
    });
    await call.post(`/twilio/voice/connect?offer=${encodeURIComponent(offerId)}`);
    expect(call.last?.body).toContain('<Number>+33655500001</Number>');
    expect(call.last?.body).toContain('timeout="25"'); // CALL_AGENT_RING_SECONDS
    const back = await call.post(`/twilio/voice/agent-leg?offer=${encodeURIComponent(offerId)}`, {
      DialCallStatus: 'no-answer',
    });
    expect(back.next).toMatchObject({ kind: 'enqueue', queue: 'daytime' });
    expect(await stateOf(agent)).toMatchObject({ state: 'BREAK', reason: NOT_ANSWERING });
    expect(await h.services.redis.zRank('calls:waiting', call.sid)).toBe(0);
  });

  it("mints the softphone's access token for agents only: a Voice grant for the agent's identity, signed with the API key", async () => {
    const agent = await availableAgent('2026-11-24T08:00');
    const minted = await api(agent.token, 'POST', '/api/calls/softphone-token');
    expect(minted.statusCode).toBe(200);
    const { kind, identity, token } = minted.json() as { kind: string; identity: string; token: string };
    expect({ kind, identity }).toEqual({ kind: 'twilio', identity: `agent-${agent.id}` });
    const [head, body, signature] = token.split('.') as [string, string, string];
    const expected = createHmac('sha256', API_KEY_SECRET).update(`${head}.${body}`).digest('base64url');
    expect(signature).toBe(expected);
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: API_KEY_SID,
      sub: TWILIO_TEST_ENV.TWILIO_ACCOUNT_SID,
      grants: { identity: `agent-${agent.id}`, voice: { incoming: { allow: true } } },
    });
    expect(claims.exp - claims.iat).toBe(3600);
    const supervisor = await h.login('SUPERVISOR');
    const refused = await api(supervisor, 'POST', '/api/calls/softphone-token');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('forbidden');
  });

  it('answers a forged or unknown connect without an error the caller would hear', async () => {
    const forged = await h.twilioPost(
      '/twilio/voice/connect?offer=CA0.1',
      { CallSid: 'CA0' },
      { signature: 'forged' },
    );
    expect(forged.statusCode).toBe(403);
    const unknown = await h.twilioPost('/twilio/voice/connect?offer=CAunknown.1', { CallSid: 'CAunknown' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('<Record');
    // A choice or a callback's answer for a call the service does not know: nothing breaks.
    const choice = await h.twilioPost('/twilio/voice/queue-choice', { CallSid: 'CAunknown', Digits: '1' });
    expect(choice.statusCode).toBe(200);
    expect(choice.body).not.toContain('<Leave');
    const callback = await h.twilioPost('/twilio/voice/callback-answered?offer=CAunknown.1', {
      CallSid: 'CA1',
    });
    expect(callback.body).toContain('<Record');
    expect(
      (await h.twilioPost('/twilio/voice/callback-status?offer=CAunknown.1', { CallStatus: 'completed' }))
        .statusCode,
    ).toBe(204);
    const token = await h.login('AGENT');
    expect((await api(token, 'POST', '/api/calls/offers/not-an-offer/accept')).statusCode).toBe(400);
    expect((await api(token, 'POST', '/api/calls/current/hold', { on: true })).statusCode).toBe(409);
    expect((await api(token, 'POST', '/api/calls/current/transfer', { to: 'agent' })).statusCode).toBe(422);
    expect((await api(token, 'POST', '/api/calls/current/hangup')).statusCode).toBe(409);
  });

  it('gives supervisors the queues, the service level, abandonment, speed of answer and handle time, and the day as CSV', async () => {
    // Another day than the tests above: the figures are this test's calls only.
    const supervisor = await h.login('SUPERVISOR');
    const agent = await availableAgent('2026-11-25T09:00');
    const a = await customer();
    const b = await customer();
    const c = await customer();
    const figures = async () => (await api(supervisor, 'GET', '/api/calls/figures')).json();

    // A: answered in 10 s, 4 minutes on the line, 30 s of wrap-up.
    clock.set(at('2026-11-25T10:00'));
    const callA = await queuedCaller(a.phone);
    const offerA = offerIdOf(await offerTo(agent, callA.sid));
    clock.set(at('2026-11-25T10:00:10'));
    await api(agent.token, 'POST', `/api/calls/offers/${offerA}/accept`);
    clock.set(at('2026-11-25T10:04:10'));
    await callA.post(`/twilio/voice/agent-leg?offer=${offerA}`, { DialCallStatus: 'completed' });
    clock.set(at('2026-11-25T10:04:40'));
    await distributionSweep(distributionDeps(h.services));

    // B: waits 40 s for the agent back from a break. C hangs up after 30 s, unanswered.
    await api(agent.token, 'PUT', '/api/agents/me/state', { state: 'BREAK', reason: 'Pause' });
    clock.set(at('2026-11-25T10:05'));
    const callB = await queuedCaller(b.phone);
    await until(async () => (await h.services.db.queuedCall.count({ where: { callSid: callB.sid } })) === 1);
    clock.set(at('2026-11-25T10:05:20'));
    const now = await figures();
    expect(now.queues).toEqual([{ line: 'daytime', waiting: 1, longestWaitSeconds: 20 }]);
    expect(now.agents).toMatchObject({ BREAK: 1, AVAILABLE: 0 });
    clock.set(at('2026-11-25T10:05:30'));
    await api(agent.token, 'PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
    const offerB = offerIdOf(await offerTo(agent, callB.sid));
    clock.set(at('2026-11-25T10:05:40'));
    await api(agent.token, 'POST', `/api/calls/offers/${offerB}/accept`);
    clock.set(at('2026-11-25T10:06'));
    const callC = await queuedCaller(c.phone);
    await until(async () => (await h.services.db.queuedCall.count({ where: { callSid: callC.sid } })) === 1);
    clock.set(at('2026-11-25T10:06:30'));
    await callC.hangUp();

    clock.set(at('2026-11-25T10:08'));
    const expected = {
      queued: 3,
      answered: 2,
      abandoned: 1,
      left: 0,
      serviceLevel: 0.333,
      abandonment: 0.333,
      averageSpeedOfAnswerSeconds: 25,
      averageHandleSeconds: 270,
    };
    const read = await figures();
    expect(read).toMatchObject({
      day: '2026-11-25',
      serviceLevelSeconds: 20,
      queues: [],
      agents: { ON_CALL: 1 },
      today: { ...expected, from: at('2026-11-25T00:00').toISOString() },
      lastMinutes: { ...expected, from: at('2026-11-25T09:53').toISOString() },
    });
    clock.set(at('2026-11-25T10:30'));
    expect((await figures()).lastMinutes).toMatchObject({ queued: 0, serviceLevel: null });

    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('contact_centre_service_level_ratio{window="today"} 0.333');
    expect(metrics).toContain('contact_centre_answer_speed_seconds{window="today"} 25');

    const csv = await api(supervisor, 'GET', '/api/calls/day.csv?day=2026-11-25');
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(header).toBe(
      'callSid;line;queuedAt;urgent;offers;outcome;agent;answeredAt;waitSeconds;endedAt;wrapUpEndedAt;handleSeconds',
    );
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(new RegExp(`^${callA.sid};daytime;.*;no;1;ANSWERED;.+;.*;10;.*;.*;270$`));
    expect(rows[2]).toMatch(new RegExp(`^${callC.sid};daytime;.*;ABANDONED;;;30;`));
    expect((await api(agent.token, 'GET', '/api/calls/figures')).statusCode).toBe(403);
    expect((await api(supervisor, 'GET', '/api/calls/day.csv?day=2026-13-45')).statusCode).toBe(400);
  });
});
