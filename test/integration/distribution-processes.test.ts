import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_ANSWERING } from '../../src/agents/distribution.deps.js';
import { systemClock } from '../../src/platform/clock.js';
import { signTwilioRequest, type TwilioParams } from '../../src/platform/twilio-webhook.js';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { freePort } from '../support/free-port.js';
import { type Harness, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// Two api processes and two workers share the calls: 100 callers arrive on the daytime line
// through either api, 20 agents take them from consoles connected to either api and accept
// through the other one; two of the agents never answer, so their offers expire (in a worker)
// and go to someone else. Each call must be answered by exactly one agent, none lost, and no
// agent offered a second call while holding one. The processes run on the machine's clock (they
// must agree on the time), with a daytime line open at all hours (test/support/flows).

const CALLERS = 100;
const AGENTS = 20;
const SLEEPY = 2;
const FLOWS = new URL('../support/flows/', import.meta.url).pathname;
const DAYTIME = '+33970000002';
const SETTINGS = {
  IVR_FLOWS_DIR: FLOWS,
  CALL_OFFER_TIMEOUT_SECONDS: '5',
  CALL_WRAP_UP_SECONDS: '1',
  QUIET_HOURS: 'none',
  QUIET_DAYS: '',
};

let h: Harness;
const processes: WorkerProcess[] = [];
const sockets: Socket[] = [];
let apis: string[] = [];

beforeAll(async () => {
  h = await startHarness({ clock: systemClock, listenOnPublicUrl: true, env: SETTINGS });
  const port = await freePort();
  const shared = {
    ...SETTINGS,
    DATABASE_URL: h.settings.databaseUrl,
    REDIS_URL: h.settings.redisUrl,
    LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789',
  };
  const second = `http://127.0.0.1:${port}`;
  processes.push(
    startWorkerProcess({ ...shared, PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: second }, 'api'),
    startWorkerProcess({ ...shared, PUBLIC_BASE_URL: h.settings.publicBaseUrl }),
    startWorkerProcess({ ...shared, PUBLIC_BASE_URL: h.settings.publicBaseUrl }),
  );
  await until(
    async () => ((await fetch(`${second}/healthz`).catch(() => null))?.ok ? true : undefined),
    60_000,
  );
  apis = [h.settings.publicBaseUrl, second];
}, 90_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await Promise.all(processes.map((p) => p.stop()));
  await h?.close();
});

/** POSTs to a webhook of one api process as Twilio does: form-encoded and signed for that URL. */
async function twilio(
  base: string,
  path: string,
  params: TwilioParams,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(h.settings.twilio.authToken, `${base}${path}`, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: await response.text() };
}

async function asAgent(base: string, token: string, method: string, path: string, body?: object) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.status;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const callParams = (sid: string, from: string): TwilioParams => ({
  CallSid: sid,
  AccountSid: h.settings.twilio.accountSid,
  From: from,
  To: DAYTIME,
  Direction: 'inbound',
  CallStatus: 'in-progress',
});

describe('call distribution across processes', () => {
  it('has each of 100 callers answered by exactly one of 20 agents, with 2 api and 2 worker processes', async () => {
    const offers: Array<{ callSid: string; offerId: string; agent: number }> = [];
    const accepted = new Map<string, number[]>();
    const secondOffers: string[] = [];
    const failures: string[] = [];
    const callers = new Map<string, string>();

    for (let agent = 0; agent < AGENTS; agent++) {
      const token = await h.login('AGENT');
      const home = apis[agent % 2]!;
      const other = apis[(agent + 1) % 2]!;
      const socket = io(home, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', reject);
      });
      let holding: string | null = null;
      socket.on('event', (event: DomainEvent) => {
        if (event.type !== 'call.screen-pop' || event.data.reason !== 'offered') return;
        const callSid = String(event.data.callSid);
        const { offerId } = event.data.offer as { offerId: string };
        offers.push({ callSid, offerId, agent });
        if (agent < SLEEPY) return; // never answers: the offer expires to the next agent
        if (holding) secondOffers.push(`agent ${agent} offered ${callSid} while holding ${holding}`);
        holding = callSid;
        void (async () => {
          await pause(20 + Math.random() * 60);
          const status = await asAgent(
            other,
            token,
            'POST',
            `/api/calls/offers/${encodeURIComponent(offerId)}/accept`,
          );
          if (status !== 200) {
            failures.push(`accept of ${offerId} by agent ${agent}: ${status}`);
            holding = null;
            return;
          }
          accepted.set(callSid, [...(accepted.get(callSid) ?? []), agent]);
          await pause(100 + Math.random() * 100);
          const from = callers.get(callSid) ?? '';
          const leg = await twilio(
            apis[Math.floor(Math.random() * 2)]!,
            `/twilio/voice/agent-leg?offer=${encodeURIComponent(offerId)}`,
            {
              ...callParams(callSid, from),
              DialCallStatus: 'completed',
            },
          );
          // The agent's leg is over: from now on they may be offered the next call (after wrap-up).
          holding = null;
          const ended = await twilio(apis[Math.floor(Math.random() * 2)]!, '/twilio/voice/status', {
            ...callParams(callSid, from),
            CallStatus: 'completed',
            CallDuration: '1',
          });
          if (leg.status !== 200 || ended.status !== 204)
            failures.push(`end of ${callSid}: agent leg ${leg.status}, status ${ended.status}`);
          // The wrap-up (1 s) is ended by a worker's sweep: the agent is then offered the next call.
        })();
      });
      expect(await asAgent(other, token, 'PUT', '/api/agents/me/state', { state: 'AVAILABLE' })).toBe(200);
    }

    // The callers arrive within three seconds, half on each api.
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, i) => {
        await pause(i * 30);
        const sid = `CA${String(i).padStart(4, '0')}${'0'.repeat(28)}`;
        const from = `+3361${String(5000000 + i)}`;
        callers.set(sid, from);
        const answer = await twilio(apis[i % 2]!, '/twilio/voice/incoming', {
          ...callParams(sid, from),
          CallStatus: 'ringing',
        });
        if (answer.status !== 200 || !answer.body.includes('<Enqueue'))
          failures.push(`caller ${i}: ${answer.status} ${answer.body.slice(0, 200)}`);
      }),
    );

    await until(
      async () =>
        (await h.services.db.queuedCall.count({ where: { outcome: 'ANSWERED', endedAt: { not: null } } })) ===
        CALLERS
          ? true
          : undefined,
      120_000,
    );

    expect(failures).toEqual([]);
    expect(secondOffers).toEqual([]);
    expect(accepted.size).toBe(CALLERS);
    expect([...accepted.values()].filter((agents) => agents.length !== 1)).toEqual([]);
    // Each call's offers went one after the other: every one but the last to an agent who let it
    // expire, the last to the agent who answered.
    for (const [callSid, [agent]] of accepted) {
      const ofCall = offers.filter((o) => o.callSid === callSid);
      expect(ofCall.at(-1)?.agent).toBe(agent);
      expect(ofCall.slice(0, -1).every((o) => o.agent < SLEEPY)).toBe(true);
      expect(new Set(ofCall.map((o) => o.offerId)).size).toBe(ofCall.length);
    }
    expect(offers.filter((o) => o.agent < SLEEPY).length).toBe(SLEEPY);

    const rows = await h.services.db.queuedCall.findMany();
    expect(rows).toHaveLength(CALLERS);
    expect(rows.every((r) => r.outcome === 'ANSWERED' && r.agentId && r.answeredAt)).toBe(true);
    expect(rows.reduce((sum, r) => sum + r.offers, 0)).toBe(offers.length);
    const sleepy = await h.services.db.agentStateChange.findMany({ where: { reason: NOT_ANSWERING } });
    expect(sleepy).toHaveLength(SLEEPY);
    // Nobody left waiting, no offer left standing.
    expect(await h.services.redis.zCard('calls:waiting')).toBe(0);
    expect(await h.services.redis.zCard('calls:offer-deadlines')).toBe(0);
  }, 180_000);
});
