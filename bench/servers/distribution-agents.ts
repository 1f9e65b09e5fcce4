// The agents' consoles for the distribution benchmark (distribution.bench.ts), in a process of
// their own (like fanout-clients.ts), so that the agents' work (their sockets' events, their
// clicks) does not share an event loop with the callers'. A small HTTP control server on PORT
// (127.0.0.1) takes the benchmark's orders; every console is a real socket.io-client connection
// of its own (forceNew: no multiplexing), WebSocket transport, `auth: { token }`.
//   POST /connect [AgentPlan…]       → ConnectAnswer, once every handshake is answered
//   POST /start   AgentBehaviour     → { ok }: from now on each offer is answered (below)
//   POST /state   { state }          → StateAnswer: PUT /api/agents/me/state for every agent
//   GET  /count                      → CountAnswer: offers since the last collect, cycles over
//   POST /collect                    → CollectAnswer, and starts over
//   POST /close                      → closes every socket
//   GET  /clock                      → { now }: wallNow(), for the benchmark's offset check
// What an agent does with a call offered (`call.screen-pop`, reason `offered`): stamps its arrival
// (first thing), waits `answerMs`, accepts it (POST /api/calls/offers/<offerId>/accept), talks for
// `talkMs`, then the call ends as Twilio reports it to the <Dial>'s action (the signed
// POST /twilio/voice/agent-leg?offer=<offerId>, DialCallStatus=completed: the agent goes to
// wrap-up) and the agent ends the wrap-up at once (PUT /api/agents/me/state AVAILABLE).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { signTwilioRequest } from '../../src/platform/twilio-webhook.js';
import type {
  AgentBehaviour,
  AgentPlan,
  AgentRecord,
  CollectAnswer,
  ConnectAnswer,
  CountAnswer,
  OfferRecord,
  StateAnswer,
} from '../distribution-shared.js';
import { wallNow } from '../fanout-shared.js';

const port = Number(process.env.PORT);
// Handshakes and state changes in flight at once.
const LANES = 20;

interface Agent {
  plan: AgentPlan;
  socket: Socket;
  record: AgentRecord;
  /** The offer the agent holds, from its pop until the agent says it is available again. */
  holding: string | null;
}
const agents: Agent[] = [];
let behaviour: AgentBehaviour | null = null;
let offers = 0;
let done = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const freshRecord = (index: number): AgentRecord => ({
  index,
  offers: [],
  offersEnded: [],
  otherEvents: {},
  disconnects: 0,
  errors: [],
});

const pause = (range: [number, number]) =>
  new Promise((resolve) => setTimeout(resolve, range[0] + Math.random() * (range[1] - range[0])));

interface Pop {
  type?: string;
  userId?: string;
  data?: {
    reason?: string;
    callSid?: string;
    at?: string;
    callerNumber?: string | null;
    offer?: { offerId?: string };
    offerId?: string;
  };
}

async function request(
  agent: Agent,
  method: 'POST' | 'PUT',
  path: string,
  options: { json?: unknown; form?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const b = behaviour!;
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['x-twilio-signature'] = signTwilioRequest(b.authToken, `${b.publicBaseUrl}${path}`, options.form);
    body = new URLSearchParams(options.form).toString();
  } else {
    headers.authorization = `Bearer ${agent.plan.token}`;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
  }
  try {
    const answer = await fetch(`${b.base}${path}`, { method, headers, body });
    return { status: answer.status, body: await answer.text() };
  } catch (err) {
    agent.record.errors.push(`${method} ${path}: ${(err as Error).message}`);
    return { status: 0, body: '' };
  }
}

/** An offer on the agent's console: accept, talk, the leg ends, available again. */
async function handle(agent: Agent, offer: OfferRecord, callerNumber: string | null): Promise<void> {
  const b = behaviour!;
  try {
    await pause(b.answerMs);
    const started = performance.now();
    const accepted = await request(
      agent,
      'POST',
      `/api/calls/offers/${encodeURIComponent(offer.offerId)}/accept`,
    );
    offer.acceptMs = Number((performance.now() - started).toFixed(2));
    offer.accept = accepted.status;
    if (accepted.status !== 200) return;
    const talking = performance.now();
    await pause(b.talkMs);
    // Twilio's request to the <Dial>'s action when the agent's leg ends (connectTwiml).
    const leg = await request(
      agent,
      'POST',
      `/twilio/voice/agent-leg?offer=${encodeURIComponent(offer.offerId)}`,
      {
        form: {
          CallSid: offer.callSid,
          AccountSid: b.accountSid,
          From: callerNumber ?? 'anonymous',
          To: b.line,
          CallStatus: 'in-progress',
          Direction: 'inbound',
          ApiVersion: '2010-04-01',
          DialCallStatus: 'completed',
          DialCallDuration: String(Math.round((performance.now() - talking) / 1000)),
        },
      },
    );
    offer.leg = leg.status;
    offer.legWrong = leg.status === 200 && !leg.body.includes(b.legAnswerHolds);
    if (leg.status !== 200) return;
    // The wrap-up ended early, from the console's header.
    if (agent.holding === offer.offerId) agent.holding = null;
    const available = await request(agent, 'PUT', '/api/agents/me/state', { json: { state: 'AVAILABLE' } });
    offer.available = available.status;
  } finally {
    if (agent.holding === offer.offerId) agent.holding = null;
    offer.done = true;
    done++;
  }
}

function open(plan: AgentPlan): Promise<{ ok: true } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const socket = io(plan.url, {
      auth: { token: plan.token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    const agent: Agent = { plan, socket, record: freshRecord(plan.index), holding: null };
    socket.on('event', (event: Pop) => {
      const at = wallNow(); // first: what follows is this process's work, not the delivery's
      const data = event?.data ?? {};
      if (event?.type === 'call.screen-pop' && data.reason === 'offered' && data.offer?.offerId) {
        const offer: OfferRecord = {
          callSid: data.callSid ?? '',
          offerId: data.offer.offerId,
          at,
          offeredAt: data.at ?? '',
          overlapping: agent.holding !== null,
          accept: 0,
          leg: 0,
          legWrong: false,
          available: 0,
          acceptMs: Number.NaN,
          done: false,
        };
        agent.holding = offer.offerId;
        agent.record.offers.push(offer);
        offers++;
        if (behaviour) void handle(agent, offer, data.callerNumber ?? null);
        else {
          offer.done = true;
          done++;
        }
        return;
      }
      if (event?.type === 'call.offer-ended') {
        agent.record.offersEnded.push({ offerId: data.offerId ?? '', reason: data.reason ?? '' });
        return;
      }
      const type = event?.type ?? 'unknown';
      agent.record.otherEvents[type] = (agent.record.otherEvents[type] ?? 0) + 1;
    });
    socket.once('connect', () => {
      socket.on('disconnect', () => {
        agent.record.disconnects++;
      });
      agents.push(agent);
      resolve({ ok: true });
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ ok: false, message: err.message });
    });
  });
}

/** Runs `work` over `items`, LANES at a time. */
async function inLanes<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

async function connect(plans: AgentPlan[]): Promise<ConnectAnswer> {
  const started = performance.now();
  const failed: ConnectAnswer['failed'] = [];
  await inLanes(plans, async (plan) => {
    const result = await open(plan);
    if (!result.ok) failed.push({ index: plan.index, message: result.message });
  });
  return { connected: plans.length - failed.length, failed, ms: Math.round(performance.now() - started) };
}

async function setState(state: string): Promise<StateAnswer> {
  const started = performance.now();
  const statuses: Record<string, number> = {};
  const failed: StateAnswer['failed'] = [];
  await inLanes(agents, async (agent) => {
    const { status, body } = await request(agent, 'PUT', '/api/agents/me/state', { json: { state } });
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== 200) failed.push({ index: agent.plan.index, status, body: body.slice(0, 200) });
  });
  return { statuses, failed, ms: Math.round(performance.now() - started) };
}

function count(): CountAnswer {
  return { offers, done };
}

function collect(): CollectAnswer {
  const records = agents.map((a) => a.record);
  for (const a of agents) a.record = freshRecord(a.plan.index);
  offers = 0;
  done = 0;
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
  const loopDelayMs = {
    p50: ms(loopDelay.percentile(50)),
    p99: ms(loopDelay.percentile(99)),
    max: ms(loopDelay.max),
  };
  loopDelay.reset();
  return { records, loopDelayMs };
}

function close(): { closed: number } {
  const closed = agents.length;
  for (const a of agents.splice(0)) a.socket.close();
  behaviour = null;
  offers = 0;
  done = 0;
  return { closed };
}

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

async function answer(request: IncomingMessage): Promise<unknown> {
  const route = `${request.method} ${request.url}`;
  if (route === 'POST /connect') return connect((await body(request)) as AgentPlan[]);
  if (route === 'POST /start') {
    behaviour = (await body(request)) as AgentBehaviour;
    return { ok: true };
  }
  if (route === 'POST /state') {
    if (!behaviour) throw new Error('POST /start first: the agents need to know where the api is');
    return setState(((await body(request)) as { state: string }).state);
  }
  if (route === 'GET /count') return count();
  if (route === 'POST /collect') return collect();
  if (route === 'POST /close') return close();
  if (route === 'GET /clock') return { now: wallNow() };
  throw new Error(`unknown control request ${route}`);
}

const control = createServer((request: IncomingMessage, response: ServerResponse) => {
  answer(request).then(
    (value) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    },
    (err: Error) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(err.stack ?? err.message);
    },
  );
});
control.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${port}\n`));

// SIGINT (the harness's stop) and a lost IPC channel (the benchmark is gone) end it.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
