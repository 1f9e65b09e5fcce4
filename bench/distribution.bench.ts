// Call distribution (issue: "200 agents, 1,000 callers arriving within a minute: caller queued →
// offer on the agent's socket p99 < 100 ms, 0 double offers, beside a bare Fastify baseline in the
// same run"). Daytime callers reach the agents' queue through the real signed incoming-call
// webhook; each must be offered to exactly one available agent, whose console (a real Socket.IO
// connection) gets the screen pop; the agent accepts, talks, the call ends and the agent is
// available again. The delay measured: webhook sent → offer on that agent's socket.
//   phases:  bare, the baseline: bare Fastify + Socket.IO (`servers/distribution-bare.ts`), the
//            webhook answering fixed XML and emitting a fixed offer to the next console, round
//            robin; then api: one `servers/api.ts` process (the real app: flow engine, queue and
//            offer scripts in Redis, records in PostgreSQL, event stream, Socket.IO gateway).
//   stages:  warm-up (20 callers in 2 s), series (1,000 callers at random moments of 60 s).
//   rounds:  the phases in turn, BENCH_ROUNDS (2) times; the verdict is on the median.
// The 200 consoles live in a client process (`servers/distribution-agents.ts`), the callers'
// webhooks are sent from this one; both read the same clock (`wallNow`, fanout-shared.ts),
// checked by round trips before and after each phase.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { AVAILABLE, WRAP_UP } from '../src/agents/agent-state.store.js';
import { OFFER_DEADLINES, queuedCallKey, WAITING } from '../src/agents/call-queue.js';
import type { Principal } from '../src/platform/auth/principal.js';
import { createSession } from '../src/platform/auth/tokens.js';
import { connectRedis, createRedis, type Redis } from '../src/platform/redis.js';
import { signTwilioRequest } from '../src/platform/twilio-webhook.js';
import type {
  AgentBehaviour,
  AgentPlan,
  AgentRecord,
  CollectAnswer,
  ConnectAnswer,
  CountAnswer,
  OfferRecord,
  StateAnswer,
} from './distribution-shared.js';
import { wallNow } from './fanout-shared.js';
import {
  apiServer,
  DATABASE_URL,
  FORM,
  prepareData,
  REDIS_URL,
  redisCpuMeter,
  seedConsoleUsers,
  unknownPhone,
} from './fixtures.js';
import {
  type BenchOutcome,
  type ClientProcess,
  clockOffset,
  cpuSeconds,
  freePort,
  machine,
  machineBusySeconds,
  median,
  type Percentiles,
  percentiles,
  processCpuMeter,
  RUN_OPTIONS,
  runIfMain,
  type Server,
  startClient,
  startServer,
  timed,
  verdict,
} from './support.js';

const AGENTS = Number(process.env.BENCH_DISTRIBUTION_AGENTS ?? 200);
const CALLERS = Number(process.env.BENCH_DISTRIBUTION_CALLERS ?? 1000);
const SECONDS = Number(process.env.BENCH_DISTRIBUTION_SECONDS ?? 60);
const WARMUP = Number(process.env.BENCH_DISTRIBUTION_WARMUP ?? 20);
const WARMUP_SECONDS = 2;
/** "min-max" in ms, uniform: the agent's click on the ringing console, then the talk. */
const range = (raw: string): [number, number] => {
  const [min, max] = raw.split('-').map(Number);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min! > max!) throw new Error(`bad range ${raw}`);
  return [min!, max!];
};
const ANSWER_MS = range(process.env.BENCH_DISTRIBUTION_ANSWER_MS ?? '500-2000');
const TALK_MS = range(process.env.BENCH_DISTRIBUTION_TALK_MS ?? '3000-8000');
const CLIENT_PROCESSES = Number(process.env.BENCH_DISTRIBUTION_CLIENT_PROCESSES ?? 1);
const PHASES = (process.env.BENCH_DISTRIBUTION_PHASES ?? 'bare,api').split(',').filter(Boolean);
const ROUNDS = RUN_OPTIONS.rounds;
const AGENCIES = 10;
// A Tuesday, 10:00 in Paris: the daytime line (ivr-flows/daytime.yaml) is open. The api's clock
// starts there and runs on (CLOCK_START, simulator mode only).
const CLOCK_START = process.env.BENCH_DISTRIBUTION_CLOCK_START ?? '2026-11-24T09:00:00Z';
const DAYTIME = '+33970000002';
const PATH = '/twilio/voice/incoming';
// After the last agent is available again, how long to keep listening for strays.
const QUIET_MS = 1000;
// Nothing new (offer, cycle over) for this long: the rest is lost.
const STALL_MS = 10_000;
const TARGETS = { p99UnderMs: 100, doubleOffers: 0 };
const PASSWORD = 'bench-distribution-password';
/** The database of DATABASE_URL (fixtures.ts): its backends' CPU is PostgreSQL's share. */
const DATABASE = new URL(DATABASE_URL).pathname.slice(1);

// ---------------------------------------------------------------------------------------------
// Agents: one in 20 of no agency, the others spread over the agencies. The callers are unknown
// numbers, so any agent takes any call; the agencies only shape who hears whose state changes
// (`agent.state` goes to the agent's agency, to agents of no agency and to supervisors).

interface AgentUser {
  index: number;
  email: string;
  agency: number | null;
  principal?: Extract<Principal, { kind: 'user' }>;
  token?: string;
}

function population(count: number): AgentUser[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    email: `agent-${String(index).padStart(4, '0')}@distribution.bench`,
    agency: index % 20 === 19 ? null : index % AGENCIES,
  }));
}

/**
 * cc_bench re-created (`prepareData`, no customers; Redis database 15 emptied), then one region,
 * AGENCIES agencies and one active agent per console, all with the same argon2id hash (computed
 * once). Returns the versions and the agents' rows.
 */
async function prepareAgents(users: AgentUser[]) {
  const versions = await prepareData(0);
  const { rows } = await seedConsoleUsers(
    DATABASE_URL,
    'D',
    AGENCIES,
    PASSWORD,
    users.map((u) => ({ email: u.email, displayName: `Agent ${u.index}`, role: 'AGENT', agency: u.agency })),
  );
  return { versions, rows };
}

// ---------------------------------------------------------------------------------------------
// Phases: where the consoles connect and the callers call

interface Phase {
  label: string;
  description: string;
  server: Server;
  url: string;
  plan(user: AgentUser): AgentPlan;
  behaviour: AgentBehaviour;
  /** Agents available now (the api's `agents:available`), read as each caller calls; null: n/a. */
  freeAgents(): Promise<number | null>;
  /** What the incoming webhook's answer must be for a caller in the agents' queue. */
  answerOk(body: string): boolean;
  close(): Promise<void>;
}

type Twilio = { authToken: string; accountSid: string };

async function barePhase(twilio: Twilio): Promise<Phase> {
  const server = await startServer(new URL('./servers/distribution-bare.ts', import.meta.url).pathname, {
    PORT: String(await freePort()),
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    label: 'bare',
    description: 'bare Fastify + Socket.IO, fixed XML and a fixed offer to the next console (round robin)',
    server,
    url,
    plan: (user) => ({ index: user.index, userId: `bare-${user.index}`, url, token: `bare-${user.index}` }),
    behaviour: { ...behaviourFor(url, twilio), legAnswerHolds: '<Hangup' },
    freeAgents: async () => null,
    answerOk: (body) => body.includes('<Say>Bonjour</Say>'),
    close: () => server.stop(),
  };
}

function apiPhase(api: Server, redis: Redis, twilio: Twilio, queueAnswer: (body: string) => boolean): Phase {
  const url = `http://127.0.0.1:${api.port}`;
  return {
    label: 'api',
    description:
      'src api (servers/api.ts, simulator telephony): flow, queue, offer script, records, event stream',
    server: api,
    url,
    plan: (user) => ({ index: user.index, userId: user.principal!.id, url, token: user.token! }),
    behaviour: { ...behaviourFor(url, twilio), legAnswerHolds: '<Hangup' },
    freeAgents: () => redis.zCard(AVAILABLE),
    answerOk: queueAnswer,
    close: async () => undefined, // the api serves every api phase; stopped at the end
  };
}

const behaviourFor = (url: string, twilio: Twilio) => ({
  base: url,
  publicBaseUrl: url,
  authToken: twilio.authToken,
  accountSid: twilio.accountSid,
  line: DAYTIME,
  answerMs: ANSWER_MS,
  talkMs: TALK_MS,
});

// ---------------------------------------------------------------------------------------------
// Callers

interface Caller {
  n: number;
  callSid: string;
  /** When to call, ms after the stage's start. */
  offsetMs: number;
  body: string;
  signature: string;
  sentAt: number;
  /** Agents available just before the webhook was sent (api), null for the bare server. */
  freeAtSend: number | null;
  status: number;
  answerOk: boolean;
  answerMs: number;
}

/** A small seeded generator (mulberry32): both phases of a round get the same arrivals. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let callerNumber = 0;
/**
 * `count` callers at random moments of `seconds` (uniform, sorted: a Poisson arrival of that many
 * calls, with its bursts), each a new call from an unknown number, signed beforehand.
 */
function callers(count: number, seconds: number, seed: number, url: string, twilio: Twilio): Caller[] {
  const random = seeded(seed);
  const offsets = Array.from({ length: count }, () => random() * seconds * 1000).sort((a, b) => a - b);
  return offsets.map((offsetMs) => {
    const n = callerNumber++;
    const params = {
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      AccountSid: twilio.accountSid,
      From: unknownPhone(n),
      To: DAYTIME,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    return {
      n,
      callSid: params.CallSid,
      offsetMs,
      body: new URLSearchParams(params).toString(),
      signature: signTwilioRequest(twilio.authToken, `${url}${PATH}`, params),
      sentAt: Number.NaN,
      freeAtSend: null,
      status: 0,
      answerOk: false,
      answerMs: Number.NaN,
    };
  });
}

async function call(phase: Phase, caller: Caller): Promise<void> {
  caller.freeAtSend = await phase.freeAgents();
  caller.sentAt = wallNow();
  const started = performance.now();
  try {
    const answer = await fetch(`${phase.url}${PATH}`, {
      method: 'POST',
      headers: { ...FORM, 'x-twilio-signature': caller.signature },
      body: caller.body,
    });
    const body = await answer.text();
    caller.status = answer.status;
    caller.answerOk = answer.status === 200 && phase.answerOk(body);
  } catch {
    caller.status = 0;
  }
  caller.answerMs = performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// CPU

interface Cpu {
  server: number;
  clients: number[];
  redis: number;
  callers: number;
  machine: number;
  at: number;
}

async function readCpu(
  phase: Phase,
  clients: ClientProcess[],
  redisCpu: () => Promise<number>,
): Promise<Cpu> {
  const usage = process.cpuUsage();
  return {
    server: cpuSeconds(phase.server.pid),
    clients: clients.map((c) => cpuSeconds(c.server.pid)),
    redis: await redisCpu(),
    callers: (usage.user + usage.system) / 1e6,
    machine: machineBusySeconds(),
    at: performance.now(),
  };
}

/**
 * CPU between two readings: in cores (busy share of one core), and per call (µs). `postgres` is
 * what the backends of cc_bench used meanwhile (processCpuMeter), the only database the servers use.
 */
function cpuBetween(a: Cpu, b: Cpu, postgres: number, calls: number) {
  const seconds = (b.at - a.at) / 1000;
  const cores = (x: number, y: number) => Number(((y - x) / seconds).toFixed(3));
  const perCall = (x: number, y: number) => Math.round(((y - x) * 1e6) / Math.max(1, calls));
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const ours = b.server - a.server + sum(b.clients) - sum(a.clients) + b.redis - a.redis + postgres;
  return {
    seconds: Number(seconds.toFixed(2)),
    cores: {
      server: cores(a.server, b.server),
      clients: a.clients.map((x, i) => cores(x, b.clients[i]!)),
      redis: cores(a.redis, b.redis),
      postgres: cores(0, postgres),
      callers: cores(a.callers, b.callers),
      machine: cores(a.machine, b.machine),
      /** The machine minus this benchmark's processes: other work on the same cores. */
      others: Number(
        Math.max(0, (b.machine - a.machine - ours - (b.callers - a.callers)) / seconds).toFixed(3),
      ),
    },
    perCallUs: {
      server: perCall(a.server, b.server),
      clients: perCall(sum(a.clients), sum(b.clients)),
      redis: perCall(a.redis, b.redis),
      postgres: perCall(0, postgres),
    },
    /** 1-minute load average at the end. */
    loadAverage: loadavg()[0]!,
  };
}

// ---------------------------------------------------------------------------------------------
// Stages

interface StageResult {
  stage: string;
  callers: number;
  seconds: number;
  /** Calls offered (to at least one agent), and offers received in all. */
  offered: number;
  offers: number;
  /** Calls offered to no agent. */
  lost: number;
  /** Calls offered more than once (to one or several agents), and to two agents or more. */
  doubleOffers: number;
  offeredToSeveralAgents: number;
  /** Offers that reached an agent still holding another offer or call. */
  overlapping: number;
  /** Offers of calls this stage did not make (another process on the same Redis database?). */
  foreign: number;
  /** Incoming webhooks not answered 200 with the queue's TwiML. */
  webhookFailures: number;
  /** Accepts, agent legs and PUT AVAILABLE not answered 200 (or with the wrong TwiML). */
  acceptFailures: number;
  legFailures: number;
  availableFailures: number;
  requestErrors: number;
  offersEnded: number;
  disconnects: number;
  /** What the api's own records say (api only): Redis after the stage, queued_calls rows. */
  service: ServiceCheck | null;
  /** Agents available as each caller called: callers who found none waited for an agent. */
  atOnce: number;
  waited: number;
  /** Webhook sent → offer on the agent's socket, ms: calls that found an agent free, and the others. */
  latencyMs: Percentiles;
  waitedLatencyMs: Percentiles;
  /** Webhook sent → its answer (TwiML) back here, ms. */
  webhookAnswerMs: Percentiles;
  /**
   * The api's delay in three parts (api only), from its own stamps read on its clock (`GET
   * /api/clock`, its offset to this process's measured before the phase): webhook sent → call
   * queued (queued_calls.queued_at: the flow has run, `queueCall` starts), queued → offered (the
   * pop's `at`: `offerCalls` starts, before the offer script), offered → on the agent's socket
   * (the script, the agent's row, the OFFERED record, the event stream, the relay, the client).
   */
  partsMs: { sentToQueued: Percentiles; queuedToOffered: Percentiles; offeredToSocket: Percentiles } | null;
  /** The calls at or above the p99 (offered at once): their mean latency and its parts, ms. */
  slowest: {
    calls: number;
    latencyMs: number;
    webhookAnswerMs: number;
    sentToQueuedMs: number;
    queuedToOfferedMs: number;
    offeredToSocketMs: number;
  } | null;
  /** The agent's accept request → its answer, ms. */
  acceptAnswerMs: Percentiles;
  offersPerAgent: { min: number; max: number; median: number };
  /** Other events the consoles got (the agents' states), by type. */
  otherEvents: Record<string, number>;
  /** First caller → last offer on a console, ms. */
  wallMs: number;
  cpu: ReturnType<typeof cpuBetween>;
  clientLoopDelayMs: CollectAnswer['loopDelayMs'][];
  wrong: string[];
}

interface ServiceCheck {
  /** Left in Redis: waiting calls, offers with a deadline, this stage's call hashes, wrap-ups. */
  waiting: number;
  offerDeadlines: number;
  callKeys: number;
  wrapUps: number;
  /** Agents available at the end (all of them, expected). */
  available: number;
  /** queued_calls rows: missing, not ANSWERED, not ended or wrap-up not ended, another agent. */
  rowsMissing: number;
  notAnswered: number;
  notEnded: number;
  agentMismatch: number;
  /**
   * Rows whose `offers` is not 1 though the call was offered once. Reported, not fatal: a known
   * fault of the record (a call offered by another request's `offerCalls` before its own
   * `queueCall` has inserted its row loses the count; bench/README.md), not of the offers.
   */
  offersNotOne: number;
}

async function awaitOffers(clients: ClientProcess[], expected: number): Promise<boolean> {
  let last = '';
  let lastChange = performance.now();
  while (true) {
    const counts = await Promise.all(clients.map((c) => c.call<CountAnswer>('GET', '/count')));
    const offers = counts.reduce((s, c) => s + c.offers, 0);
    const done = counts.reduce((s, c) => s + c.done, 0);
    if (offers >= expected && done >= offers) return true;
    const now = `${offers}/${done}`;
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > STALL_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runStage(
  stage: string,
  count: number,
  seconds: number,
  seed: number,
  phase: Phase,
  twilio: Twilio,
  clients: ClientProcess[],
  redis: Redis,
  redisCpu: () => Promise<number>,
  agentIds: Map<number, string> | null,
  serviceClock: ClockOffset | null,
): Promise<StageResult> {
  const calls = callers(count, seconds, seed, phase.url, twilio);
  const postgres = processCpuMeter((cmdline) => cmdline.includes(` ${DATABASE} `));
  const cpuBefore = await readCpu(phase, clients, redisCpu);
  const started = performance.now();
  const sent: Array<Promise<void>> = [];
  for (const caller of calls) {
    const wait = started + caller.offsetMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(call(phase, caller));
  }
  await Promise.all(sent);
  const complete = await awaitOffers(clients, count);
  const cpuAfter = await readCpu(phase, clients, redisCpu);
  const postgresSeconds = postgres.stop();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  const collected = await Promise.all(clients.map((c) => c.call<CollectAnswer>('POST', '/collect')));
  const records = collected.flatMap((c) => c.records);
  const service = agentIds ? await checkService(calls, records, redis, agentIds) : null;
  const result = check(stage, calls, records, service, serviceClock);
  if (!complete)
    result.wrong.unshift(`offers or agents' cycles stalled for ${STALL_MS} ms before all were over`);
  const lastDone = Math.max(...records.flatMap((r) => r.offers.map((o) => o.at)));
  return {
    ...result,
    seconds,
    wallMs: Number((lastDone - Math.min(...calls.map((c) => c.sentAt))).toFixed(0)),
    cpu: cpuBetween(cpuBefore, cpuAfter, postgresSeconds, count),
    clientLoopDelayMs: collected.map((c) => c.loopDelayMs),
  };
}

/** Redis and queued_calls after the stage: every call answered by the agent offered it, and gone. */
async function checkService(
  calls: Caller[],
  records: AgentRecord[],
  redis: Redis,
  agentIds: Map<number, string>,
): Promise<ServiceCheck & { queuedAt: Map<string, number>; wrong: string[] }> {
  const wrong: string[] = [];
  const multi = redis.multi();
  for (const c of calls) multi.exists(queuedCallKey(c.callSid));
  const exists = (await multi.exec()) as unknown as number[];
  const [waiting, offerDeadlines, wrapUps, available] = await Promise.all([
    redis.zCard(WAITING),
    redis.zCard(OFFER_DEADLINES),
    redis.zCard(WRAP_UP),
    redis.zCard(AVAILABLE),
  ]);
  const offeredTo = new Map<string, string>();
  for (const r of records) for (const o of r.offers) offeredTo.set(o.callSid, agentIds.get(r.index)!);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const rows = await db
    .query(
      `SELECT call_sid, queued_at, offers, agent_id, answered_at, ended_at, outcome, wrap_up_ended_at
       FROM queued_calls WHERE call_sid = ANY($1::text[])`,
      [calls.map((c) => c.callSid)],
    )
    .finally(() => db.end());
  const bySid = new Map(
    rows.rows.map((r: Record<string, unknown>) => [r.call_sid as string, r as Record<string, unknown>]),
  );
  const check: ServiceCheck = {
    waiting,
    offerDeadlines,
    callKeys: exists.filter((e) => Number(e) === 1).length,
    wrapUps,
    available,
    rowsMissing: 0,
    notAnswered: 0,
    notEnded: 0,
    offersNotOne: 0,
    agentMismatch: 0,
  };
  const queuedAt = new Map<string, number>();
  const note = (line: string) => {
    if (wrong.length < 10) wrong.push(line);
  };
  for (const c of calls) {
    const row = bySid.get(c.callSid);
    if (!row) {
      check.rowsMissing++;
      note(`queued_calls: no row for ${c.callSid}`);
      continue;
    }
    queuedAt.set(c.callSid, (row.queued_at as Date).getTime());
    if (row.outcome !== 'ANSWERED' || !row.answered_at) {
      check.notAnswered++;
      note(`queued_calls ${c.callSid}: outcome ${row.outcome}, answered_at ${row.answered_at}`);
    }
    if (!row.ended_at || !row.wrap_up_ended_at) {
      check.notEnded++;
      note(`queued_calls ${c.callSid}: ended_at ${row.ended_at}, wrap_up_ended_at ${row.wrap_up_ended_at}`);
    }
    if (row.offers !== 1) {
      check.offersNotOne++;
      note(`queued_calls ${c.callSid}: offers ${row.offers}`);
    }
    if (offeredTo.has(c.callSid) && row.agent_id !== offeredTo.get(c.callSid)) {
      check.agentMismatch++;
      note(`queued_calls ${c.callSid}: agent ${row.agent_id}, offered to ${offeredTo.get(c.callSid)}`);
    }
  }
  if (waiting || offerDeadlines || check.callKeys || wrapUps)
    note(
      `Redis after the stage: ${waiting} waiting, ${offerDeadlines} offer deadlines, ${check.callKeys} call hashes, ${wrapUps} wrap-ups`,
    );
  if (available !== agentIds.size)
    note(`Redis after the stage: ${available} agents available of ${agentIds.size}`);
  return { ...check, queuedAt, wrong };
}

function check(
  stage: string,
  calls: Caller[],
  records: AgentRecord[],
  service: (ServiceCheck & { queuedAt: Map<string, number>; wrong: string[] }) | null,
  serviceClock: ClockOffset | null,
): Omit<StageResult, 'seconds' | 'wallMs' | 'cpu' | 'clientLoopDelayMs'> {
  const wrong: string[] = [];
  const note = (line: string) => {
    if (wrong.length < 20) wrong.push(line);
  };
  const bySid = new Map(calls.map((c) => [c.callSid, c]));
  const offersOf = new Map<string, Array<{ agent: number; offer: OfferRecord }>>();
  let foreign = 0;
  let overlapping = 0;
  let acceptFailures = 0;
  let legFailures = 0;
  let availableFailures = 0;
  let requestErrors = 0;
  let offersEnded = 0;
  let disconnects = 0;
  const otherEvents: Record<string, number> = {};
  const acceptTimes: number[] = [];
  for (const r of records) {
    disconnects += r.disconnects;
    if (r.disconnects) note(`agent ${r.index} disconnected`);
    offersEnded += r.offersEnded.length;
    for (const e of r.offersEnded) note(`agent ${r.index}: offer ${e.offerId} ended (${e.reason})`);
    requestErrors += r.errors.length;
    for (const e of r.errors.slice(0, 3)) note(`agent ${r.index}: ${e}`);
    for (const [type, n] of Object.entries(r.otherEvents)) otherEvents[type] = (otherEvents[type] ?? 0) + n;
    for (const offer of r.offers) {
      if (!bySid.has(offer.callSid)) {
        foreign++;
        note(`agent ${r.index} was offered ${offer.callSid}, not a call of this stage`);
        continue;
      }
      const list = offersOf.get(offer.callSid) ?? [];
      list.push({ agent: r.index, offer });
      offersOf.set(offer.callSid, list);
      if (offer.overlapping) {
        overlapping++;
        // The bare server's round robin does not wait for an agent to be free: not a failure there.
        if (service) note(`agent ${r.index} was offered ${offer.offerId} while holding another call`);
      }
      if (offer.accept !== 200) {
        acceptFailures++;
        note(`agent ${r.index}: accept of ${offer.offerId} answered ${offer.accept}`);
        continue;
      }
      acceptTimes.push(offer.acceptMs);
      if (offer.leg !== 200 || offer.legWrong) {
        legFailures++;
        note(
          `agent ${r.index}: agent leg of ${offer.offerId} answered ${offer.leg}${offer.legWrong ? ' (wrong TwiML)' : ''}`,
        );
      } else if (offer.available !== 200) {
        availableFailures++;
        note(`agent ${r.index}: PUT AVAILABLE after ${offer.offerId} answered ${offer.available}`);
      }
    }
  }
  let lost = 0;
  let doubleOffers = 0;
  let offeredToSeveralAgents = 0;
  let webhookFailures = 0;
  const atOnce: number[] = [];
  const waited: number[] = [];
  // Per call offered at once: latency, webhook answer, and the three parts (NaN without the api's stamps).
  const parts: Array<{ latency: number; answer: number; queued: number; offered: number; socket: number }> =
    [];
  for (const c of calls) {
    if (!c.answerOk) {
      webhookFailures++;
      note(
        `caller ${c.callSid}: incoming webhook answered ${c.status}${c.status === 200 ? ' with other TwiML' : ''}`,
      );
    }
    const offers = offersOf.get(c.callSid) ?? [];
    if (offers.length === 0) {
      lost++;
      note(`caller ${c.callSid} was never offered`);
      continue;
    }
    if (offers.length > 1) {
      doubleOffers++;
      note(
        `caller ${c.callSid} was offered ${offers.length} times: ${offers.map((o) => `agent ${o.agent} (${o.offer.offerId})`).join(', ')}`,
      );
    }
    if (new Set(offers.map((o) => o.agent)).size > 1) offeredToSeveralAgents++;
    const first = offers.reduce((a, b) => (b.offer.at < a.offer.at ? b : a)).offer;
    const latency = first.at - c.sentAt;
    if (c.freeAtSend === 0) {
      waited.push(latency);
      continue;
    }
    atOnce.push(latency);
    const queuedAt = service?.queuedAt.get(c.callSid);
    const offset = serviceClock?.offsetMs ?? Number.NaN;
    const offeredAt = Date.parse(first.offeredAt);
    parts.push({
      latency,
      answer: c.answerMs,
      queued: queuedAt === undefined ? Number.NaN : queuedAt - offset - c.sentAt,
      offered: queuedAt === undefined ? Number.NaN : offeredAt - queuedAt,
      socket: first.at - (offeredAt - offset),
    });
  }
  const p99 = percentiles(atOnce, 2).p99;
  const tail = parts.filter((p) => p.latency >= p99);
  const mean = (xs: number[]) => Number((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(1));
  const perAgent = records.map((r) => r.offers.length);
  return {
    stage,
    callers: calls.length,
    offered: offersOf.size,
    offers: records.reduce((s, r) => s + r.offers.length, 0),
    lost,
    doubleOffers,
    offeredToSeveralAgents,
    overlapping,
    foreign,
    webhookFailures,
    acceptFailures,
    legFailures,
    availableFailures,
    requestErrors,
    offersEnded,
    disconnects,
    service: service ? (({ queuedAt: _q, wrong: _w, ...figures }) => figures)(service) : null,
    atOnce: atOnce.length,
    waited: waited.length,
    latencyMs: percentiles(atOnce, 2),
    waitedLatencyMs: percentiles(waited, 2),
    webhookAnswerMs: percentiles(
      calls.map((c) => c.answerMs),
      2,
    ),
    partsMs:
      service && serviceClock
        ? {
            sentToQueued: percentiles(
              parts.map((p) => p.queued),
              1,
            ),
            queuedToOffered: percentiles(
              parts.map((p) => p.offered),
              1,
            ),
            offeredToSocket: percentiles(
              parts.map((p) => p.socket),
              1,
            ),
          }
        : null,
    slowest:
      service && serviceClock && tail.length
        ? {
            calls: tail.length,
            latencyMs: mean(tail.map((p) => p.latency)),
            webhookAnswerMs: mean(tail.map((p) => p.answer)),
            sentToQueuedMs: mean(tail.map((p) => p.queued)),
            queuedToOfferedMs: mean(tail.map((p) => p.offered)),
            offeredToSocketMs: mean(tail.map((p) => p.socket)),
          }
        : null,
    acceptAnswerMs: percentiles(acceptTimes, 2),
    offersPerAgent: {
      min: Math.min(...perAgent),
      max: Math.max(...perAgent),
      median: median(perAgent),
    },
    otherEvents,
    wrong: [...wrong, ...(service?.wrong ?? [])],
  };
}

/**
 * Failures that make the command exit 1 (in the bare phase, round robin may overlap: not counted;
 * queued_calls.offers ≠ 1 is reported apart, see ServiceCheck).
 */
function failuresOf(label: string, s: StageResult): number {
  const service = s.service
    ? s.service.waiting +
      s.service.offerDeadlines +
      s.service.callKeys +
      s.service.wrapUps +
      s.service.rowsMissing +
      s.service.notAnswered +
      s.service.notEnded +
      s.service.agentMismatch +
      (s.service.available === AGENTS ? 0 : 1)
    : 0;
  return (
    s.lost +
    s.doubleOffers +
    (label === 'api' ? s.overlapping : 0) +
    s.foreign +
    s.webhookFailures +
    s.acceptFailures +
    s.legFailures +
    s.availableFailures +
    s.requestErrors +
    s.offersEnded +
    s.disconnects +
    service
  );
}

// ---------------------------------------------------------------------------------------------
// Phases

interface PhaseResult {
  label: string;
  round: number;
  description: string;
  connectMs: number;
  /** PUT AVAILABLE for every agent, before the stages. */
  availableMs: number;
  /** The api's clock (GET /api/clock) − this process's, before the phase (api only). */
  serviceClock: ClockOffset | null;
  /** Client process clock − this one's, before and after the phase, ms (± half the round trip). */
  clockOffsets: Array<{
    before: { offsetMs: number; rttMs: number };
    after: { offsetMs: number; rttMs: number };
  }>;
  stages: StageResult[];
}

type ClockOffset = { offsetMs: number; rttMs: number };

/**
 * The api's clock against this process's: its `GET /api/clock` (the service's clock, CLOCK_START
 * and on, to the millisecond) − the midpoint of the round trip, from the quickest of 20 (+ 0.5 ms:
 * the answer is the millisecond begun). What its own stamps (queued_at, the pop's `at`) are
 * turned into this process's time with.
 */
async function serviceClockOffset(url: string): Promise<ClockOffset> {
  let best = { offsetMs: Number.NaN, rttMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 20; i++) {
    const before = wallNow();
    const { now } = (await (await fetch(`${url}/api/clock`)).json()) as { now: string };
    const after = wallNow();
    if (after - before < best.rttMs)
      best = { offsetMs: Date.parse(now) + 0.5 - (before + after) / 2, rttMs: after - before };
  }
  return { offsetMs: Number(best.offsetMs.toFixed(2)), rttMs: Number(best.rttMs.toFixed(2)) };
}

/** Console i is held by client process ⌊i × processes ÷ agents⌋. */
const clientOf = (index: number) => Math.floor((index * CLIENT_PROCESSES) / AGENTS);

async function runPhase(
  round: number,
  phase: Phase,
  users: AgentUser[],
  clients: ClientProcess[],
  twilio: Twilio,
  redis: Redis,
  redisCpu: () => Promise<number>,
  agentIds: Map<number, string> | null,
): Promise<PhaseResult> {
  console.log(`round ${round}, phase ${phase.label}: ${phase.description}`);
  const clocksBefore = await Promise.all(clients.map(clockOffset));
  const serviceClock = agentIds ? await serviceClockOffset(phase.url) : null;
  const plans: AgentPlan[][] = clients.map(() => []);
  for (const user of users) plans[clientOf(user.index)]!.push(phase.plan(user));
  const connected = await timed(`  connecting ${users.length} consoles`, () =>
    Promise.all(clients.map((c, i) => c.call<ConnectAnswer>('POST', '/connect', plans[i]))),
  );
  const failed = connected.value.flatMap((a) => a.failed);
  if (failed.length)
    throw new Error(`${failed.length} consoles not connected: ${JSON.stringify(failed.slice(0, 5))}`);
  const stages: StageResult[] = [];
  let availableMs = 0;
  try {
    await Promise.all(clients.map((c) => c.call('POST', '/start', phase.behaviour)));
    const available = await timed(`  ${users.length} agents available (PUT /api/agents/me/state)`, () =>
      Promise.all(clients.map((c) => c.call<StateAnswer>('POST', '/state', { state: 'AVAILABLE' }))),
    );
    availableMs = available.ms;
    const refused = available.value.flatMap((a) => a.failed);
    if (refused.length) throw new Error(`agents not available: ${JSON.stringify(refused.slice(0, 5))}`);
    const free = await phase.freeAgents();
    if (free !== null && free !== users.length)
      throw new Error(`${free} agents available in Redis, ${users.length} expected`);
    const run = async (stage: string, count: number, seconds: number) => {
      const result = await runStage(
        stage,
        count,
        seconds,
        round * 1000 + (stage === 'series' ? 1 : 0),
        phase,
        twilio,
        clients,
        redis,
        redisCpu,
        agentIds,
        serviceClock,
      );
      const l = result.latencyMs;
      console.log(
        `  ${stage.padEnd(7)} ${result.callers} callers in ${seconds} s: offered at once ${result.atOnce} ` +
          `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms; waited ${result.waited}; ` +
          `lost ${result.lost}, double offers ${result.doubleOffers}, overlapping ${result.overlapping}; ` +
          `failures ${failuresOf(phase.label, result)}; server ${result.cpu.perCallUs.server} µs/call, ` +
          `Redis ${result.cpu.perCallUs.redis}, PostgreSQL ${result.cpu.perCallUs.postgres}; cores ${JSON.stringify(result.cpu.cores)}`,
      );
      for (const line of result.wrong) console.log(`    ! ${line}`);
      stages.push(result);
    };
    await run('warm-up', WARMUP, WARMUP_SECONDS);
    await run('series', CALLERS, SECONDS);
  } finally {
    const offline = await Promise.all(
      clients.map((c) => c.call<StateAnswer>('POST', '/state', { state: 'OFFLINE' }).catch(() => null)),
    );
    const refused = offline.flatMap((a) => a?.failed ?? []);
    if (refused.length)
      console.log(`  ! agents not offline at the end: ${JSON.stringify(refused.slice(0, 3))}`);
    await Promise.all(clients.map((c) => c.call('POST', '/close')));
    await phase.close();
  }
  const clocksAfter = await Promise.all(clients.map(clockOffset));
  return {
    label: phase.label,
    round,
    description: phase.description,
    connectMs: connected.ms,
    availableMs,
    serviceClock,
    clockOffsets: clocksBefore.map((before, i) => ({ before, after: clocksAfter[i]! })),
    stages,
  };
}

/**
 * Before any agent is available: one caller through the real webhook must be answered with the
 * queue (`<Enqueue>`: the daytime line is open at CLOCK_START), then hang up (the status
 * callback takes the call out of the queue). Returns the check of a queue answer.
 */
async function probeQueue(api: Server, twilio: Twilio, redis: Redis): Promise<(body: string) => boolean> {
  const url = `http://127.0.0.1:${api.port}`;
  const [caller] = callers(1, 0, 1, url, twilio);
  const answer = await fetch(`${url}${PATH}`, {
    method: 'POST',
    headers: { ...FORM, 'x-twilio-signature': caller!.signature },
    body: caller!.body,
  });
  const twiml = await answer.text();
  if (answer.status !== 200 || !/<Enqueue[^>]*>daytime<\/Enqueue>/.test(twiml))
    throw new Error(`the daytime line did not queue the caller (${answer.status}): ${twiml}`);
  const status = {
    CallSid: caller!.callSid,
    AccountSid: twilio.accountSid,
    From: unknownPhone(caller!.n),
    To: DAYTIME,
    CallStatus: 'completed',
    CallDuration: '3',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  };
  const ended = await fetch(`${url}/twilio/voice/status`, {
    method: 'POST',
    headers: {
      ...FORM,
      'x-twilio-signature': signTwilioRequest(twilio.authToken, `${url}/twilio/voice/status`, status),
    },
    body: new URLSearchParams(status).toString(),
  });
  if (ended.status !== 204) throw new Error(`status callback answered ${ended.status}`);
  const left = await redis.zCard(WAITING);
  if (left !== 0) throw new Error(`${left} calls still waiting after the probe's hang-up`);
  return (body) => /<Enqueue[^>]*>daytime<\/Enqueue>/.test(body);
}

// ---------------------------------------------------------------------------------------------

export async function runDistributionBench(): Promise<BenchOutcome> {
  const loadBefore = loadavg()[0]!;
  const users = population(AGENTS);
  const data = await timed(
    `Preparing cc_bench: ${AGENCIES} agencies, ${AGENTS} agents (no customers: the callers are unknown numbers)`,
    () => prepareAgents(users),
  );
  const byEmail = new Map(data.value.rows.map((r) => [r.email, r]));
  for (const user of users) {
    const row = byEmail.get(user.email)!;
    // What POST /api/auth/login puts in a session (auth.routes.ts).
    user.principal = {
      kind: 'user',
      id: row.id,
      role: 'AGENT',
      agencyId: row.agency_id,
      displayName: row.display_name,
      locale: row.locale,
    };
  }
  const agentIds = new Map(users.map((u) => [u.index, u.principal!.id]));

  const redis = createRedis(REDIS_URL, (err) => console.error('bench redis:', err.message));
  await connectRedis(redis, REDIS_URL);
  const redisCpu = await redisCpuMeter();
  const { env, settings } = apiServer(await freePort(), {
    CLOCK_START,
    // No worker runs here: the agents end their wrap-ups themselves (PUT AVAILABLE), and no
    // offer expires (the sweep that expires them runs in workers only).
    CALL_WRAP_UP_SECONDS: '60',
  });
  const twilio = { authToken: settings.twilio.authToken, accountSid: settings.twilio.accountSid };
  let api: Server | undefined;
  let clients: ClientProcess[] = [];
  const phases: PhaseResult[] = [];
  let login = '';
  try {
    await timed(`Starting the api (servers/api.ts) and ${CLIENT_PROCESSES} agents' process`, async () => {
      api = await startServer(new URL('./servers/api.ts', import.meta.url).pathname, env);
      const script = new URL('./servers/distribution-agents.ts', import.meta.url).pathname;
      clients = await Promise.all(Array.from({ length: CLIENT_PROCESSES }, () => startClient(script)));
    });

    // Sessions: the first agent logs in through POST /api/auth/login (its session must hold what
    // is built here for the others), the others get theirs from createSession, as the login does.
    await timed(`Opening ${AGENTS} sessions`, async () => {
      const first = users[0]!;
      const answer = await fetch(`http://127.0.0.1:${api!.port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: first.email, password: PASSWORD }),
      });
      const body = (await answer.json()) as { token?: string; user?: unknown };
      if (answer.status !== 200 || !body.token) throw new Error(`login ${first.email}: ${answer.status}`);
      if (!isDeepStrictEqual(body.user, first.principal))
        throw new Error(`login answered ${JSON.stringify(body.user)}, not the principal built here`);
      first.token = body.token;
      login = 'agent 0 logged in through POST /api/auth/login; the others got createSession';
      await Promise.all(
        users.slice(1).map(async (u) => {
          u.token = await createSession(redis, u.principal!, settings.sessionTtlSeconds);
        }),
      );
    });
    const queueAnswer = await probeQueue(api!, twilio, redis);

    for (let round = 1; round <= ROUNDS; round++)
      for (const label of PHASES) {
        const phase =
          label === 'api'
            ? apiPhase(api!, redis, twilio, queueAnswer)
            : label === 'bare'
              ? await barePhase(twilio)
              : null;
        if (!phase) throw new Error(`unknown phase ${label} (BENCH_DISTRIBUTION_PHASES: bare, api)`);
        phases.push(
          await runPhase(
            round,
            phase,
            users,
            clients,
            twilio,
            redis,
            redisCpu.seconds,
            label === 'api' ? agentIds : null,
          ),
        );
      }
  } finally {
    await Promise.all([api, ...clients.map((c) => c.server)].map((s) => s?.stop()));
    await redisCpu.close();
    redis.destroy();
  }

  const loadAfter = loadavg()[0]!;
  const seriesOf = (label: string) =>
    phases.filter((p) => p.label === label).flatMap((p) => p.stages.filter((s) => s.stage === 'series'));
  const medianOf = (label: string, figure: (s: StageResult) => number) => {
    const values = seriesOf(label).map(figure).filter(Number.isFinite);
    return values.length ? Number(median(values).toFixed(2)) : Number.NaN;
  };
  const medians = Object.fromEntries(
    PHASES.map((label) => [
      label,
      {
        latencyMs: {
          p50: medianOf(label, (s) => s.latencyMs.p50),
          p95: medianOf(label, (s) => s.latencyMs.p95),
          p99: medianOf(label, (s) => s.latencyMs.p99),
          max: medianOf(label, (s) => s.latencyMs.max),
        },
        atOnce: medianOf(label, (s) => s.atOnce),
        waited: medianOf(label, (s) => s.waited),
        webhookAnswerP99Ms: medianOf(label, (s) => s.webhookAnswerMs.p99),
        acceptAnswerP99Ms: medianOf(label, (s) => s.acceptAnswerMs.p99),
        serverUsPerCall: medianOf(label, (s) => s.cpu.perCallUs.server),
        redisUsPerCall: medianOf(label, (s) => s.cpu.perCallUs.redis),
        postgresUsPerCall: medianOf(label, (s) => s.cpu.perCallUs.postgres),
        clientsUsPerCall: medianOf(label, (s) => s.cpu.perCallUs.clients),
        serverCores: medianOf(label, (s) => s.cpu.cores.server),
        othersCores: medianOf(label, (s) => s.cpu.cores.others),
      },
    ]),
  );
  const apiP99 = medians.api?.latencyMs.p99 ?? Number.NaN;
  const bareP99 = medians.bare?.latencyMs.p99 ?? Number.NaN;
  const ratios = {
    p99: Number((apiP99 / bareP99).toFixed(2)),
    serverCpuPerCall: Number(
      ((medians.api?.serverUsPerCall ?? Number.NaN) / (medians.bare?.serverUsPerCall ?? Number.NaN)).toFixed(
        2,
      ),
    ),
  };
  const allStages = phases.flatMap((p) => p.stages.map((s) => ({ label: p.label, round: p.round, s })));
  const failures = allStages.reduce((sum, { label, s }) => sum + failuresOf(label, s), 0);
  const offersCounterWrong = allStages.reduce((sum, { s }) => sum + (s.service?.offersNotOne ?? 0), 0);
  const doubleOffers = allStages
    .filter(({ label }) => label === 'api')
    .reduce((sum, { s }) => sum + s.doubleOffers + s.overlapping, 0);
  const m = machine(data.value.versions);
  const summary = {
    benchmark:
      'call distribution: daytime callers (signed incoming webhook) → offer on one available agent’s console socket',
    date: new Date().toISOString().slice(0, 10),
    machine: m,
    agents: AGENTS,
    agencies: AGENCIES,
    agentsOfNoAgency: users.filter((u) => u.agency === null).length,
    clientProcesses: CLIENT_PROCESSES,
    callers: { warmup: WARMUP, warmupSeconds: WARMUP_SECONDS, series: CALLERS, seconds: SECONDS },
    agentBehaviour: { answerMs: ANSWER_MS, talkMs: TALK_MS, wrapUp: 'ended at once (PUT AVAILABLE)' },
    clockStart: CLOCK_START,
    login,
    rounds: ROUNDS,
    medians,
    ratios,
    phases,
    failures,
    offersCounterWrong,
    loadAverage: { before: loadBefore, after: loadAfter },
    targets: TARGETS,
    met: { p99: apiP99 < TARGETS.p99UnderMs, doubleOffers: doubleOffers === TARGETS.doubleOffers },
  };

  const ms = (p: Percentiles) => (p.count ? `${p.p50} / ${p.p95} / ${p.p99} / ${p.max}` : '–');
  console.table(
    allStages.map(({ label, round, s }) => ({
      round,
      phase: label,
      stage: s.stage,
      callers: s.callers,
      'at once / waited': `${s.atOnce} / ${s.waited}`,
      'offer latency p50/p95/p99/max ms': ms(s.latencyMs),
      'waited: latency p50/p99/max ms': s.waitedLatencyMs.count
        ? `${s.waitedLatencyMs.p50} / ${s.waitedLatencyMs.p99} / ${s.waitedLatencyMs.max}`
        : '–',
      'webhook answer p50/p99 ms': `${s.webhookAnswerMs.p50} / ${s.webhookAnswerMs.p99}`,
      'lost/double/overlap': `${s.lost}/${s.doubleOffers}/${s.overlapping}`,
      failures: failuresOf(label, s),
      'server µs/call': s.cpu.perCallUs.server,
      'Redis µs/call': s.cpu.perCallUs.redis,
      'PostgreSQL µs/call': s.cpu.perCallUs.postgres,
      'others cores': s.cpu.cores.others,
    })),
  );
  const report = [
    `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
      `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    `${AGENTS} agents (${summary.agentsOfNoAgency} of no agency) in ${CLIENT_PROCESSES} client process(es); ` +
      `${CALLERS} callers in ${SECONDS} s after ${WARMUP} in ${WARMUP_SECONDS} s; answer ${ANSWER_MS.join('-')} ms, ` +
      `talk ${TALK_MS.join('-')} ms, wrap-up ended at once; ${login}`,
    ...phases.map(
      (p) =>
        `round ${p.round} ${p.label}: ${p.description}; connected in ${p.connectMs} ms, available in ${p.availableMs} ms; ` +
        (p.serviceClock
          ? `api clock − this one ${p.serviceClock.offsetMs} ms (±${(p.serviceClock.rttMs / 2).toFixed(2)}); `
          : '') +
        `client clocks ${p.clockOffsets.map((c) => `${c.before.offsetMs}→${c.after.offsetMs} ms (±${(c.before.rttMs / 2).toFixed(2)})`).join(', ')}`,
    ),
    ...allStages.map(
      ({ label, round, s }) =>
        `  ${round} ${label} ${s.stage}: ${s.offered}/${s.callers} offered (${s.offers} offers), at once ${s.atOnce} ` +
        `p50/p95/p99/max ${ms(s.latencyMs)} ms, waited ${s.waited} ${ms(s.waitedLatencyMs)} ms; webhook answer ${ms(s.webhookAnswerMs)} ms; ` +
        (s.partsMs
          ? `parts: sent → queued ${ms(s.partsMs.sentToQueued)}, queued → offered ${ms(s.partsMs.queuedToOffered)}, offered → on the socket ${ms(s.partsMs.offeredToSocket)} ms; `
          : '') +
        (s.slowest ? `slowest ${s.slowest.calls} calls (means): ${JSON.stringify(s.slowest)}; ` : '') +
        `accept answer ${ms(s.acceptAnswerMs)} ms; ` +
        `offers per agent ${s.offersPerAgent.min}-${s.offersPerAgent.max} (median ${s.offersPerAgent.median}); ` +
        `other events ${JSON.stringify(s.otherEvents)}; CPU per call: server ${s.cpu.perCallUs.server} µs, Redis ${s.cpu.perCallUs.redis}, ` +
        `PostgreSQL ${s.cpu.perCallUs.postgres}, agents ${s.cpu.perCallUs.clients}; cores ${JSON.stringify(s.cpu.cores)}; ` +
        `client loop delay p99 ${s.clientLoopDelayMs.map((d) => d.p99).join(' / ')} ms` +
        (s.service ? `; service ${JSON.stringify(s.service)}` : ''),
    ),
    ...allStages.flatMap(({ label, s }) => s.wrong.map((w) => `  ! ${label} ${s.stage}: ${w}`)),
    `checks: failures ${failures} (lost calls, double offers, request failures, disconnects, offers ended, what Redis and queued_calls say)`,
    `queued_calls rows of calls offered once whose offers count is not 1 (a known fault of the record, not fatal): ${offersCounterWrong}`,
    ...Object.entries(medians).map(
      ([label, x]) =>
        `median of ${ROUNDS} rounds, ${label} series: offered at once p50/p95/p99/max ${x.latencyMs.p50} / ${x.latencyMs.p95} / ${x.latencyMs.p99} / ${x.latencyMs.max} ms ` +
        `(${x.atOnce} at once, ${x.waited} waited); webhook answer p99 ${x.webhookAnswerP99Ms} ms; accept p99 ${x.acceptAnswerP99Ms} ms; ` +
        `CPU per call: server ${x.serverUsPerCall} µs, Redis ${x.redisUsPerCall}, PostgreSQL ${x.postgresUsPerCall}, agents ${x.clientsUsPerCall}`,
    ),
    `ratios api ÷ bare: p99 ${ratios.p99}, server CPU per call ${ratios.serverCpuPerCall}`,
    `target: p99 webhook → offer on the socket (api series, median of ${ROUNDS} rounds) ${apiP99} ms < ${TARGETS.p99UnderMs} ms: ${verdict(summary.met.p99)}; ` +
      `double offers ${doubleOffers} (target ${TARGETS.doubleOffers}): ${verdict(summary.met.doubleOffers)}`,
  ];
  return {
    name: 'distribution',
    result: { summary, rows: [] },
    report,
    passed: failures === 0 && phases.length === PHASES.length * ROUNDS,
  };
}

// `npx tsx bench/distribution.bench.ts`: this benchmark alone.
await runIfMain(import.meta.url, runDistributionBench);
