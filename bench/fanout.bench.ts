// Console event fan-out (issue 6): one domain event, published through the real event bus (the
// Redis stream `events`, as a worker publishes), relayed by two real api processes to 1,000
// connected console sockets split between them; the delay until EACH socket got it.
//   phases:   bare-1 and bare-2, the baseline: the same sockets, events and rooms on plain
//             Socket.IO servers (1, then 2 processes; no Fastify, no authentication, no Redis),
//             the event sent in over a socket; then api: two `servers/api.ts` processes (the real
//             app: Socket.IO gateway, sessions, Redis streams adapter, event stream follower).
//   stages:   warm-up (20 events), series (200 events at 10/s, half to all staff, half to one
//             agency), burst (50 all-staff events at once). Every stage is checked: each socket
//             must get exactly the events its role and agency should get, once.
//   rounds:   the phases in turn, BENCH_ROUNDS (2) times; the verdict is on the median.
// The sockets live in client processes (`servers/fanout-clients.ts`): 1,000 sockets' worth of
// receiving would otherwise share the publisher's event loop. Publisher and clients read the same
// clock (`wallNow`), checked by round trips before and after each phase.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { Principal } from '../src/platform/auth/principal.js';
import { createSession } from '../src/platform/auth/tokens.js';
import { applyMigrations } from '../src/platform/db/migrations.js';
import { connectRedis, createRedis, type Redis } from '../src/platform/redis.js';
import { createEventBus, type DomainEvent } from '../src/realtime/event-bus.js';
import { roomsFor } from '../src/realtime/rooms.js';
import {
  type BenchStamp,
  type CollectAnswer,
  type ConnectAnswer,
  type SocketPlan,
  type SocketRecord,
  wallNow,
} from './fanout-shared.js';
import { apiServer, redisCpuMeter, seedConsoleUsers } from './fixtures.js';
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
  RUN_OPTIONS,
  runIfMain,
  type Server,
  percentiles as sharedPercentiles,
  startClient,
  startServer,
  timed,
  verdict,
} from './support.js';

const SOCKETS = Number(process.env.BENCH_FANOUT_SOCKETS ?? 1000);
const EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 200);
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 10);
const WARMUP = Number(process.env.BENCH_FANOUT_WARMUP ?? 20);
const BURST = Number(process.env.BENCH_FANOUT_BURST ?? 50);
const CLIENT_PROCESSES = Number(process.env.BENCH_FANOUT_CLIENT_PROCESSES ?? 2);
const PHASES = (process.env.BENCH_FANOUT_PHASES ?? 'bare-1,bare-2,api').split(',').filter(Boolean);
// The phases in turn, this many times (BENCH_ROUNDS, 2): the machine's other load then falls on
// baseline and api alike; the verdict takes the median of the rounds.
const ROUNDS = RUN_OPTIONS.rounds;
const AGENCIES = 10;
const API_PROCESSES = 2;
// After the last expected delivery, how long to keep listening for duplicates and strays.
const QUIET_MS = Number(process.env.BENCH_FANOUT_QUIET_MS ?? 1000);
// No new delivery for this long: the rest is lost.
const STALL_MS = 10_000;
// While a stage runs, each server is asked GET /healthz one request at a time, this often: how
// long any HTTP request (a Twilio webhook, on the api) waits behind the fan-out.
const PROBE_EVERY_MS = 50;
const TARGETS = { p99UnderMs: 150 };

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'cc_bench_fanout';
const DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/${DATABASE}`;
// Its own Redis database (its own `events` stream and sessions): the tests take 2 + their worker's
// number (test/support/redis-db.ts, moved by TEST_REDIS_BASE; a first run on 12 got a test's
// events), the other benchmarks 11 and 13-15, `npm start` 0.
const REDIS_DB = Number(process.env.BENCH_FANOUT_REDIS_DB ?? 1);
const REDIS_URL = `redis://127.0.0.1:6379/${REDIS_DB}`;
const PASSWORD = 'bench-fanout-password';
const RUN_ID = Date.now().toString(36);

// ---------------------------------------------------------------------------------------------
// Console users: per 100 sockets, 8 supervisors, 2 admins, 2 agents of no agency and 88 agents
// spread over the agencies (socket i goes to server i % servers: each gets the same mix).

type Role = 'AGENT' | 'SUPERVISOR' | 'ADMIN';
interface ConsoleUser {
  index: number;
  email: string;
  role: Role;
  /** Agency number (0 … AGENCIES − 1), null for supervisors, admins and unassigned agents. */
  agency: number | null;
  principal?: Extract<Principal, { kind: 'user' }>;
  token?: string;
}

function population(count: number): ConsoleUser[] {
  let agents = 0;
  return Array.from({ length: count }, (_, index) => {
    const slot = index % 100;
    const role: Role = slot < 8 ? 'SUPERVISOR' : slot < 10 ? 'ADMIN' : 'AGENT';
    const agency = role === 'AGENT' && slot >= 12 ? agents++ % AGENCIES : null;
    const email = `${role.toLowerCase()}-${String(index).padStart(4, '0')}@fanout.bench`;
    return { index, email, role, agency };
  });
}

const kindOf = (u: ConsoleUser) =>
  u.role !== 'AGENT' ? u.role.toLowerCase() : u.agency === null ? 'agent (no agency)' : 'agent';

/**
 * Who should get an event, written from the rule (rooms.ts's comment, issue 6), not from
 * rooms.ts: an agency's events go to that agency's agents, to agents of no agency, and to
 * supervisors and admins; events of no agency go to every staff member.
 */
function shouldReceive(user: ConsoleUser, event: PlannedEvent): boolean {
  if (event.agency === null) return true;
  if (user.role !== 'AGENT') return true;
  return user.agency === null || user.agency === event.agency;
}

// ---------------------------------------------------------------------------------------------
// Data

/**
 * Re-creates cc_bench_fanout with the project's migrations: one region, AGENCIES agencies, one
 * active user per socket (`seedConsoleUsers`). Empties the benchmark's Redis database. Returns
 * the users' rows.
 */
async function prepareData(users: ConsoleUser[]) {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.end();
  await applyMigrations(DATABASE_URL); // creates the database, then prisma/migrations
  const { agencyIds, rows } = await seedConsoleUsers(
    DATABASE_URL,
    'F',
    AGENCIES,
    PASSWORD,
    users.map((u) => ({ email: u.email, displayName: `Console ${u.index}`, role: u.role, agency: u.agency })),
  );
  const redis = createRedis(REDIS_URL, () => undefined);
  await connectRedis(redis, REDIS_URL);
  await redis.flushDb();
  const info = await redis.info('server');
  redis.destroy();
  return {
    versions: { postgres, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' },
    agencyIds,
    rows,
  };
}

// ---------------------------------------------------------------------------------------------
// Client processes

async function startClients(count: number): Promise<ClientProcess[]> {
  const script = new URL('./servers/fanout-clients.ts', import.meta.url).pathname;
  return Promise.all(Array.from({ length: count }, () => startClient(script, { BENCH_FANOUT_RUN: RUN_ID })));
}

/** Socket i is held by client process ⌊i × processes ÷ sockets⌋. */
const clientOf = (index: number) => Math.floor((index * CLIENT_PROCESSES) / SOCKETS);

/** Redis's round trip from this process (sequential PINGs): the machine's noise, read apart. */
async function redisRoundTrip(redis: Redis, count = 200) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await redis.ping();
    times.push(performance.now() - started);
  }
  return percentiles(times);
}

// ---------------------------------------------------------------------------------------------
// Phases: where the sockets connect, how an event is published

interface Phase {
  label: string;
  description: string;
  /** Socket i connects to urls[i % urls.length]. */
  urls: string[];
  auth(user: ConsoleUser): Record<string, unknown>;
  /** Hands one event over; resolves once it is handed (published, or written to the socket). */
  publish(event: { type: string; agencyId: string | null; data: Record<string, unknown> }): Promise<unknown>;
  pids: number[];
  close(): Promise<void>;
}

async function barePhase(servers: number): Promise<Phase> {
  const script = new URL('./servers/fanout-bare.ts', import.meta.url).pathname;
  const bare = await Promise.all(
    Array.from({ length: servers }, async () => startServer(script, { PORT: String(await freePort()) })),
  );
  const urls = bare.map((s) => `http://127.0.0.1:${s.port}`);
  // The publisher: one socket per server, from this process, as the events' way in.
  const publishers: Socket[] = await Promise.all(
    urls.map(
      (url) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connectSocket(url, {
            auth: { publisher: true },
            transports: ['websocket'],
            forceNew: true,
            reconnection: false,
          });
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', reject);
        }),
    ),
  );
  let id = 0;
  return {
    label: `bare-${servers}`,
    description: `plain Socket.IO × ${servers} process${servers > 1 ? 'es' : ''}, event sent in over a socket`,
    urls,
    auth: (user) => ({ rooms: roomsFor(user.principal!) }),
    async publish(event) {
      const full: DomainEvent = { id: `${++id}-0`, at: new Date().toISOString(), ...event };
      for (const p of publishers) p.emit('publish', full);
    },
    pids: bare.map((s) => s.pid),
    async close() {
      for (const p of publishers) p.close();
      await Promise.all(bare.map((s) => s.stop()));
    },
  };
}

function apiPhase(apis: Server[], redis: Redis): Phase {
  const bus = createEventBus(redis, () => new Date());
  return {
    label: 'api',
    description: `src api × ${apis.length} (servers/api.ts), event published to the Redis stream`,
    urls: apis.map((s) => `http://127.0.0.1:${s.port}`),
    auth: (user) => ({ token: user.token }),
    publish: (event) => bus.publish(event),
    pids: apis.map((s) => s.pid),
    close: async () => undefined, // the api processes serve every api phase; stopped at the end
  };
}

// ---------------------------------------------------------------------------------------------
// Stages: events sent, deliveries awaited, collected and checked

interface PlannedEvent {
  seq: number;
  /** Agency number, or null: to all staff. */
  agency: number | null;
  sentAt: number;
}

let nextSeq = 0;
function plan(count: number, mix: 'alternate' | 'staff'): PlannedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: nextSeq++,
    agency: mix === 'staff' || i % 2 === 0 ? null : (i >> 1) % AGENCIES,
    sentAt: Number.NaN,
  }));
}

/** A realistic payload: case.opened (all staff) or oncall.decision (one agency), as the app sends. */
function eventOf(e: PlannedEvent, agencyIds: Map<number, string>) {
  const bench: BenchStamp = { run: RUN_ID, seq: e.seq, sentAt: e.sentAt };
  const caseId = `00000000-0000-4000-8000-${String(e.seq).padStart(12, '0')}`;
  return e.agency === null
    ? {
        type: 'case.opened',
        agencyId: null,
        data: {
          caseId,
          number: 100_000 + e.seq,
          category: 'NO_HEATING',
          customerId: '11111111-2222-4333-8444-555555555555',
          urgent: e.seq % 7 === 0,
          bench,
        },
      }
    : {
        type: 'oncall.decision',
        agencyId: agencyIds.get(e.agency)!,
        data: {
          caseId,
          kind: 'page-now',
          technicianId: '66666666-7777-4888-8999-000000000000',
          onCallType: 'individual',
          pageAt: new Date().toISOString(),
          bench,
        },
      };
}

// Latencies to the hundredth of a millisecond: first sockets are ~1 ms after the publish.
const percentiles = (values: ArrayLike<number>) => sharedPercentiles(values, 2);

interface Cpu {
  servers: number[];
  clients: number[];
  redis: number;
  publisher: number;
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
    servers: phase.pids.map(cpuSeconds),
    clients: clients.map((c) => cpuSeconds(c.server.pid)),
    redis: await redisCpu(),
    publisher: (usage.user + usage.system) / 1e6,
    machine: machineBusySeconds(),
    at: performance.now(),
  };
}

/** CPU used between two readings, in cores (busy share of one core). */
function coresBetween(a: Cpu, b: Cpu) {
  const seconds = (b.at - a.at) / 1000;
  const cores = (x: number, y: number) => Number(((y - x) / seconds).toFixed(2));
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const ours =
    sum(b.servers) -
    sum(a.servers) +
    sum(b.clients) -
    sum(a.clients) +
    b.redis -
    a.redis +
    b.publisher -
    a.publisher;
  return {
    servers: a.servers.map((x, i) => cores(x, b.servers[i]!)),
    clients: a.clients.map((x, i) => cores(x, b.clients[i]!)),
    redis: cores(a.redis, b.redis),
    publisher: cores(a.publisher, b.publisher),
    /** The whole machine, and what of it was not this benchmark (tests, builds, other benchmarks). */
    machine: cores(a.machine, b.machine),
    others: Number(Math.max(0, (b.machine - a.machine - ours) / seconds).toFixed(2)),
    /** 1-minute load average at the end. */
    loadAverage: loadavg()[0]!,
    seconds: Number(seconds.toFixed(2)),
    /** Server CPU per event handed to a socket (all servers), µs. */
    serverUsPerDelivery: 0,
    /** Client processes' CPU per event received, µs. */
    clientUsPerDelivery: 0,
  };
}

/** Asks each server GET /healthz in turn until stopped; the answer times, ms. */
function probeHttp(urls: string[]) {
  let running = true;
  const times: number[] = [];
  const loop = (async () => {
    while (running) {
      for (const url of urls) {
        const started = performance.now();
        const answer = await fetch(`${url}/healthz`);
        await answer.arrayBuffer();
        times.push(performance.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return percentiles(times);
    },
  };
}

async function awaitDeliveries(clients: ClientProcess[], expected: number) {
  let last = -1;
  let lastChange = performance.now();
  while (true) {
    const counts = await Promise.all(clients.map((c) => c.call<{ received: number }>('GET', '/count')));
    const total = counts.reduce((sum, c) => sum + c.received, 0);
    if (total >= expected) return true;
    if (total !== last) {
      last = total;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > STALL_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface StageResult {
  stage: string;
  events: number;
  staffEvents: number;
  agencyEvents: number;
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Deliveries a socket should not have had (wrong audience), or of no event of this stage. */
  misdelivered: number;
  /** Deliveries of events without this run's stamp (another publisher on the same Redis database). */
  foreign: number;
  disconnects: number;
  /**
   * Messages other than 'event' the sockets got, by name, and how many sockets got any: the
   * warm-up's include those sent while the 1,000 sockets connected.
   */
  otherMessages: Record<string, number>;
  otherMessageSockets: number;
  /** Per delivery: the event's sentAt → its arrival at that socket, ms. */
  latencyMs: Percentiles;
  latencyStaffMs: Percentiles;
  latencyAgencyMs: Percentiles;
  /** Per socket's server (socket i → server i % servers). */
  latencyByServerMs: Percentiles[];
  /** Per event: sentAt → its first and its last socket (fan-out completion; complete events only). */
  firstStaffMs: Percentiles;
  completionStaffMs: Percentiles;
  completionAgencyMs: Percentiles;
  /** Per event and server: first → last socket of that server. */
  spreadByServerMs: Percentiles[];
  /** First event sent → last delivery. */
  wallMs: number;
  publishMs: Percentiles;
  cpuCores: ReturnType<typeof coresBetween>;
  /**
   * The stage on the monotonic clock (µs), the clock of a .cpuprofile's timestamps: to cut the
   * processes' profiles (BENCH_NODE_ARGS="--cpu-prof ...") to it. First event → all delivered.
   */
  monotonicWindowUs: [number, number];
  /** GET /healthz on the servers during the stage, one at a time every PROBE_EVERY_MS: answer time. */
  httpProbeMs: Percentiles;
  clientLoopDelayMs: CollectAnswer['loopDelayMs'][];
  wrong: string[];
}

async function runStage(
  stage: string,
  events: PlannedEvent[],
  pacing: 'rate' | 'burst',
  phase: Phase,
  users: ConsoleUser[],
  clients: ClientProcess[],
  agencyIds: Map<number, string>,
  redisCpu: () => Promise<number>,
): Promise<StageResult> {
  const recipients = (e: PlannedEvent) => users.filter((u) => shouldReceive(u, e)).length;
  const expectedDeliveries = events.reduce((sum, e) => sum + recipients(e), 0);
  const cpuBefore = await readCpu(phase, clients, redisCpu);
  const probe = probeHttp(phase.urls);
  const monotonicStartUs = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const handed: Array<Promise<number>> = [];
  for (const [i, e] of events.entries()) {
    if (pacing === 'rate') {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    e.sentAt = wallNow();
    const event = eventOf(e, agencyIds);
    const at = performance.now();
    handed.push(phase.publish(event).then(() => performance.now() - at));
  }
  const publishTimes = await Promise.all(handed);
  const complete = await awaitDeliveries(clients, expectedDeliveries);
  const monotonicEndUs = Number(process.hrtime.bigint() / 1000n);
  const httpProbeMs = await probe.stop();
  const cpuAfter = await readCpu(phase, clients, redisCpu);
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  const collected = await Promise.all(clients.map((c) => c.call<CollectAnswer>('POST', '/collect')));
  const records = collected.flatMap((c) => c.records);
  const cpuCores = coresBetween(cpuBefore, cpuAfter);
  const result = check(stage, events, users, records, phase.urls.length);
  const serverSeconds = cpuAfter.servers.reduce((s, x, i) => s + x - cpuBefore.servers[i]!, 0);
  const clientSeconds = cpuAfter.clients.reduce((s, x, i) => s + x - cpuBefore.clients[i]!, 0);
  const perDelivery = (seconds: number) =>
    Number(((seconds * 1e6) / Math.max(1, result.delivered)).toFixed(1));
  cpuCores.serverUsPerDelivery = perDelivery(serverSeconds);
  cpuCores.clientUsPerDelivery = perDelivery(clientSeconds);
  if (!complete) result.wrong.push(`deliveries stalled for ${STALL_MS} ms before all arrived`);
  return {
    ...result,
    publishMs: percentiles(publishTimes),
    cpuCores,
    monotonicWindowUs: [monotonicStartUs, monotonicEndUs],
    httpProbeMs,
    clientLoopDelayMs: collected.map((c) => c.loopDelayMs),
  };
}

function check(
  stage: string,
  events: PlannedEvent[],
  users: ConsoleUser[],
  records: SocketRecord[],
  servers: number,
): Omit<StageResult, 'publishMs' | 'cpuCores' | 'monotonicWindowUs' | 'httpProbeMs' | 'clientLoopDelayMs'> {
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const all: number[] = [];
  const staff: number[] = [];
  const agency: number[] = [];
  const byServer: number[][] = Array.from({ length: servers }, () => []);
  // Per event: first and last arrival (latency), overall and per server; recipients seen.
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const firstOn = new Map<string, number>();
  const lastOn = new Map<string, number>();
  const seen = new Map<number, number>();
  let delivered = 0;
  let duplicates = 0;
  let misdelivered = 0;
  let foreign = 0;
  let disconnects = 0;
  const otherMessages: Record<string, number> = {};
  let otherMessageSockets = 0;
  const wrong: string[] = [];
  const note = (line: string) => {
    if (wrong.length < 20) wrong.push(line);
  };
  const byIndex = new Map(records.map((r) => [r.index, r]));
  for (const user of users) {
    const record = byIndex.get(user.index);
    if (!record) {
      note(`socket ${user.index} (${kindOf(user)}) reported nothing`);
      continue;
    }
    disconnects += record.disconnects;
    for (const [name, count] of Object.entries(record.others))
      otherMessages[name] = (otherMessages[name] ?? 0) + count;
    if (Object.keys(record.others).length) otherMessageSockets++;
    if (record.disconnects) note(`socket ${user.index} (${kindOf(user)}) disconnected`);
    const got = new Set<number>();
    const server = user.index % servers;
    record.seqs.forEach((seq, j) => {
      delivered++;
      const event = bySeq.get(seq);
      if (seq === -1) {
        foreign++;
        return;
      }
      if (!event) {
        misdelivered++;
        note(`socket ${user.index} got event ${seq}, not one of this stage's`);
        return;
      }
      if (got.has(seq)) {
        duplicates++;
        note(`socket ${user.index} (${kindOf(user)}) got event ${seq} twice`);
        return;
      }
      got.add(seq);
      if (!shouldReceive(user, event)) {
        misdelivered++;
        note(`socket ${user.index} (${kindOf(user)}) got event ${seq} of agency ${event.agency}`);
        return;
      }
      const latency = record.latencies[j]!;
      all.push(latency);
      (event.agency === null ? staff : agency).push(latency);
      byServer[server]!.push(latency);
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
      first.set(seq, Math.min(first.get(seq) ?? Number.POSITIVE_INFINITY, latency));
      last.set(seq, Math.max(last.get(seq) ?? Number.NEGATIVE_INFINITY, latency));
      const key = `${seq}/${server}`;
      firstOn.set(key, Math.min(firstOn.get(key) ?? Number.POSITIVE_INFINITY, latency));
      lastOn.set(key, Math.max(lastOn.get(key) ?? Number.NEGATIVE_INFINITY, latency));
    });
  }
  if (foreign)
    note(
      `${foreign} deliveries of events this run did not publish: another process publishes into Redis database ${REDIS_DB} (BENCH_FANOUT_REDIS_DB)`,
    );
  let lost = 0;
  let expectedDeliveries = 0;
  const completeEvents = new Set<number>();
  for (const event of events) {
    const expected = users.filter((u) => shouldReceive(u, event));
    expectedDeliveries += expected.length;
    const missing = expected.length - (seen.get(event.seq) ?? 0);
    lost += missing;
    if (missing > 0) note(`event ${event.seq} (agency ${event.agency}) missed by ${missing} sockets`);
    else completeEvents.add(event.seq);
  }
  const complete = (agencyEvents: boolean) =>
    events.filter((e) => completeEvents.has(e.seq) && (e.agency !== null) === agencyEvents);
  const lastArrival = Math.max(
    ...events.map((e) => e.sentAt + (last.get(e.seq) ?? Number.NEGATIVE_INFINITY)),
  );
  return {
    stage,
    events: events.length,
    staffEvents: events.filter((e) => e.agency === null).length,
    agencyEvents: events.filter((e) => e.agency !== null).length,
    expectedDeliveries,
    delivered,
    lost,
    duplicates,
    misdelivered,
    foreign,
    disconnects,
    otherMessages,
    otherMessageSockets,
    latencyMs: percentiles(all),
    latencyStaffMs: percentiles(staff),
    latencyAgencyMs: percentiles(agency),
    latencyByServerMs: byServer.map(percentiles),
    firstStaffMs: percentiles(complete(false).map((e) => first.get(e.seq)!)),
    completionStaffMs: percentiles(complete(false).map((e) => last.get(e.seq)!)),
    completionAgencyMs: percentiles(complete(true).map((e) => last.get(e.seq)!)),
    spreadByServerMs: byServer.map((_, s) =>
      percentiles(complete(false).map((e) => lastOn.get(`${e.seq}/${s}`)! - firstOn.get(`${e.seq}/${s}`)!)),
    ),
    wallMs: Number((lastArrival - Math.min(...events.map((e) => e.sentAt))).toFixed(1)),
    wrong,
  };
}

interface PhaseResult {
  label: string;
  round: number;
  description: string;
  connectMs: number;
  /** Client process clock − this one's, before and after the phase, ms (± half the round trip). */
  clockOffsets: Array<{
    before: { offsetMs: number; rttMs: number };
    after: { offsetMs: number; rttMs: number };
  }>;
  redisRoundTripMs: Percentiles;
  /** GET /healthz as during the stages, for 2 s with the sockets connected and no event. */
  idleHttpProbeMs: Percentiles;
  stages: StageResult[];
}

async function runPhase(
  round: number,
  phase: Phase,
  users: ConsoleUser[],
  clients: ClientProcess[],
  agencyIds: Map<number, string>,
  redis: Redis,
  redisCpu: () => Promise<number>,
): Promise<PhaseResult> {
  console.log(`round ${round}, phase ${phase.label}: ${phase.description}`);
  const clocksBefore = await Promise.all(clients.map(clockOffset));
  const redisRoundTripMs = await redisRoundTrip(redis);
  const plans: SocketPlan[][] = clients.map(() => []);
  for (const user of users)
    plans[clientOf(user.index)]!.push({
      index: user.index,
      url: phase.urls[user.index % phase.urls.length]!,
      auth: phase.auth(user),
    });
  const connected = await timed(`  connecting ${users.length} sockets`, () =>
    Promise.all(clients.map((c, i) => c.call<ConnectAnswer>('POST', '/connect', plans[i]))),
  );
  const failed = connected.value.flatMap((a) => a.failed);
  if (failed.length)
    throw new Error(`${failed.length} sockets not connected: ${JSON.stringify(failed.slice(0, 5))}`);
  const stages: StageResult[] = [];
  let idleHttpProbeMs = percentiles([]);
  try {
    const idle = probeHttp(phase.urls);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    idleHttpProbeMs = await idle.stop();
    const run = async (stage: string, events: PlannedEvent[], pacing: 'rate' | 'burst') => {
      const result = await runStage(stage, events, pacing, phase, users, clients, agencyIds, redisCpu);
      const l = result.latencyMs;
      console.log(
        `  ${stage.padEnd(7)} ${String(result.events).padStart(3)} events, ${result.delivered} deliveries: ` +
          `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms; all-staff event to its last socket p99 ` +
          `${result.completionStaffMs.p99} ms; lost ${result.lost}, duplicates ${result.duplicates}, ` +
          `misdelivered ${result.misdelivered}; CPU ${JSON.stringify(result.cpuCores)}`,
      );
      stages.push(result);
    };
    await run('warm-up', plan(WARMUP, 'alternate'), 'rate');
    await run('series', plan(EVENTS, 'alternate'), 'rate');
    if (BURST > 0) await run('burst', plan(BURST, 'staff'), 'burst');
  } finally {
    await Promise.all(clients.map((c) => c.call('POST', '/close')));
    await phase.close();
  }
  const clocksAfter = await Promise.all(clients.map(clockOffset));
  return {
    label: phase.label,
    round,
    description: phase.description,
    connectMs: connected.ms,
    clockOffsets: clocksBefore.map((before, i) => ({ before, after: clocksAfter[i]! })),
    redisRoundTripMs,
    idleHttpProbeMs,
    stages,
  };
}

/** The soft limit on open files (/proc/self/limits): each server and client process inherits it. */
function openFilesLimit(): number {
  const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  return line === 'unlimited' ? Number.POSITIVE_INFINITY : Number(line);
}

// ---------------------------------------------------------------------------------------------

export async function runFanoutBench(): Promise<BenchOutcome> {
  const loadBefore = loadavg()[0]!;
  // The busiest process holds every socket (bare-1), plus its own files and connections.
  const limit = openFilesLimit();
  if (limit < SOCKETS + 256)
    throw new Error(`open files limit ${limit} < ${SOCKETS + 256}: raise it first (ulimit -n 4096)`);
  const users = population(SOCKETS);
  const data = await timed(`Preparing ${DATABASE}: ${AGENCIES} agencies, ${SOCKETS} console users`, () =>
    prepareData(users),
  );
  const byEmail = new Map(data.value.rows.map((r) => [r.email, r]));
  for (const user of users) {
    const row = byEmail.get(user.email)!;
    // What POST /api/auth/login puts in a session (auth.routes.ts).
    user.principal = {
      kind: 'user',
      id: row.id,
      role: row.role,
      agencyId: row.agency_id,
      displayName: row.display_name,
      locale: row.locale,
    };
  }

  const redis = createRedis(REDIS_URL, (err) => console.error('bench redis:', err.message));
  await connectRedis(redis, REDIS_URL);
  const redisCpu = await redisCpuMeter();
  const apis: Server[] = [];
  let clients: ClientProcess[] = [];
  const phases: PhaseResult[] = [];
  const authChecks: string[] = [];
  let refusedOk = false;
  let settings: ReturnType<typeof apiServer>['settings'] | undefined;
  try {
    await timed(
      `Starting ${API_PROCESSES} api processes (servers/api.ts) and ${CLIENT_PROCESSES} client processes`,
      async () => {
        const script = new URL('./servers/api.ts', import.meta.url).pathname;
        for (let i = 0; i < API_PROCESSES; i++) {
          const server = apiServer(await freePort(), { DATABASE_URL, REDIS_URL });
          settings = server.settings;
          apis.push(await startServer(script, server.env));
        }
        clients = await startClients(CLIENT_PROCESSES);
      },
    );

    // Sessions: the first user of each kind logs in through POST /api/auth/login (the session
    // must hold what we build for the others); the others get theirs from createSession, as
    // the login does (1,000 argon2id checks would take longer than the benchmark).
    await timed(`Opening ${SOCKETS} sessions`, async () => {
      const firsts = new Map<string, ConsoleUser>();
      for (const user of users) if (!firsts.has(kindOf(user))) firsts.set(kindOf(user), user);
      for (const user of firsts.values()) {
        const api = apis[user.index % apis.length]!;
        const answer = await fetch(`http://127.0.0.1:${api.port}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: user.email, password: PASSWORD }),
        });
        const body = (await answer.json()) as { token?: string; user?: unknown };
        if (answer.status !== 200 || !body.token) throw new Error(`login ${user.email}: ${answer.status}`);
        if (!isDeepStrictEqual(body.user, user.principal))
          throw new Error(
            `login ${user.email} answered ${JSON.stringify(body.user)}, not the principal built here`,
          );
        user.token = body.token;
        authChecks.push(`${kindOf(user)} logged in through POST /api/auth/login`);
      }
      await Promise.all(
        users
          .filter((u) => !u.token)
          .map(async (u) => {
            u.token = await createSession(redis, u.principal!, settings!.sessionTtlSeconds);
          }),
      );
    });

    // The api refuses a handshake without a valid session.
    const refused = await clients[0]!.call<ConnectAnswer>('POST', '/connect', [
      { index: -1, url: `http://127.0.0.1:${apis[0]!.port}`, auth: {} },
      { index: -2, url: `http://127.0.0.1:${apis[1 % apis.length]!.port}`, auth: { token: 'ccs_forged' } },
    ]);
    refusedOk = refused.connected === 0 && refused.failed.every((f) => f.message === 'unauthorized');
    authChecks.push(
      `handshakes without a token / with a forged one: ${refused.failed.map((f) => f.message).join(', ') || 'ACCEPTED'}`,
    );
    if (refused.connected) await clients[0]!.call('POST', '/close');

    for (let round = 1; round <= ROUNDS; round++)
      for (const label of PHASES) {
        const phase =
          label === 'api'
            ? apiPhase(apis, redis)
            : /^bare-\d+$/.test(label)
              ? await barePhase(Number(label.slice(5)))
              : null;
        if (!phase) throw new Error(`unknown phase ${label} (BENCH_FANOUT_PHASES: bare-1, bare-2, api)`);
        phases.push(
          await runPhase(round, phase, users, clients, data.value.agencyIds, redis, redisCpu.seconds),
        );
      }
  } finally {
    await Promise.all([...apis, ...clients.map((c) => c.server)].map((s) => s.stop()));
    await redisCpu.close();
    redis.destroy();
  }

  const loadAfter = loadavg()[0]!;
  // Per phase, the median over the rounds of each stage's figures.
  const stagesOf = (label: string, stage: string) =>
    phases.filter((p) => p.label === label).flatMap((p) => p.stages.filter((s) => s.stage === stage));
  const medianOf = (label: string, stage: string, figure: (s: StageResult) => number) => {
    const values = stagesOf(label, stage).map(figure);
    return values.length ? Number(median(values).toFixed(2)) : Number.NaN;
  };
  const medians = Object.fromEntries(
    PHASES.map((label) => [
      label,
      {
        seriesMs: {
          p50: medianOf(label, 'series', (s) => s.latencyMs.p50),
          p95: medianOf(label, 'series', (s) => s.latencyMs.p95),
          p99: medianOf(label, 'series', (s) => s.latencyMs.p99),
          max: medianOf(label, 'series', (s) => s.latencyMs.max),
        },
        seriesAllStaffLastSocketP99Ms: medianOf(label, 'series', (s) => s.completionStaffMs.p99),
        seriesFirstSocketP50Ms: medianOf(label, 'series', (s) => s.firstStaffMs.p50),
        burstLastSocketMs: medianOf(label, 'burst', (s) => s.completionStaffMs.max),
        seriesServerUsPerDelivery: medianOf(label, 'series', (s) => s.cpuCores.serverUsPerDelivery),
        seriesClientUsPerDelivery: medianOf(label, 'series', (s) => s.cpuCores.clientUsPerDelivery),
        seriesHttpProbeP99Ms: medianOf(label, 'series', (s) => s.httpProbeMs.p99),
        burstHttpProbeMaxMs: medianOf(label, 'burst', (s) => s.httpProbeMs.max),
      },
    ]),
  );
  const apiP99 = medians.api?.seriesMs.p99 ?? Number.NaN;
  const allStages = phases.flatMap((p) => p.stages);
  const failures = allStages.reduce(
    (sum, s) => sum + s.lost + s.duplicates + s.misdelivered + s.disconnects,
    0,
  );
  // Another publisher's events in the same Redis database: reported, not the fan-out's fault.
  const foreign = allStages.reduce((sum, s) => sum + s.foreign, 0);
  const m = machine(data.value.versions);
  const summary = {
    benchmark:
      'console event fan-out: one domain event → every console socket of its audience, over two api processes',
    date: new Date().toISOString().slice(0, 10),
    machine: m,
    openFilesLimit: limit,
    sockets: SOCKETS,
    population: Object.fromEntries(
      [...new Set(users.map(kindOf))].map((k) => [k, users.filter((u) => kindOf(u) === k).length]),
    ),
    agencies: AGENCIES,
    /** Sockets that get an event of one agency (its agents, agents of no agency, supervisors, admins). */
    agencyAudience: users.filter((u) => shouldReceive(u, { seq: 0, agency: 0, sentAt: 0 })).length,
    apiProcesses: API_PROCESSES,
    clientProcesses: CLIENT_PROCESSES,
    events: { warmup: WARMUP, series: EVENTS, ratePerSecond: RATE, burst: BURST },
    quietMs: QUIET_MS,
    authChecks,
    rounds: ROUNDS,
    medians,
    phases,
    failures,
    foreign,
    loadAverage: { before: loadBefore, after: loadAfter },
    targets: TARGETS,
    refusedHandshakes: refusedOk,
    met: { p99: apiP99 < TARGETS.p99UnderMs },
  };

  const ms = (p: Percentiles) => (p.count ? `${p.p50} / ${p.p95} / ${p.p99} / ${p.max}` : '–');
  const table = allStages.map((s) => {
    const phase = phases.find((p) => p.stages.includes(s))!;
    return {
      round: phase.round,
      phase: phase.label,
      stage: s.stage,
      events: s.events,
      deliveries: s.delivered,
      'latency p50/p95/p99/max ms': ms(s.latencyMs),
      'all-staff event, last socket p50/p99/max ms': `${s.completionStaffMs.p50} / ${s.completionStaffMs.p99} / ${s.completionStaffMs.max}`,
      'lost/dup/misdelivered': `${s.lost}/${s.duplicates}/${s.misdelivered}`,
      foreign: s.foreign,
      'server cores': s.cpuCores.servers.join('+'),
      'client cores': s.cpuCores.clients.join('+'),
      'Redis cores': s.cpuCores.redis,
      'machine (others) cores': `${s.cpuCores.machine} (${s.cpuCores.others})`,
      'GET /healthz p99/max ms': `${s.httpProbeMs.p99} / ${s.httpProbeMs.max}`,
    };
  });
  console.table(table);
  const report = [
    `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; open files limit ${limit}; ` +
      `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    `${SOCKETS} sockets (${Object.entries(summary.population)
      .map(([k, n]) => `${n} ${k}`)
      .join(
        ', ',
      )}) in ${CLIENT_PROCESSES} client processes; an agency's event reaches ${summary.agencyAudience} of them`,
    ...authChecks.map((line) => `  ${line}`),
    ...phases.map(
      (p) =>
        `round ${p.round} ${p.label}: ${p.description}; connected in ${p.connectMs} ms; Redis round trip p50 ${p.redisRoundTripMs.p50} / p99 ${p.redisRoundTripMs.p99} ms; ` +
        `GET /healthz with no event p50 ${p.idleHttpProbeMs.p50} / p99 ${p.idleHttpProbeMs.p99} ms; ` +
        `client clocks ${p.clockOffsets.map((c) => `${c.before.offsetMs}→${c.after.offsetMs} ms (±${(c.before.rttMs / 2).toFixed(2)})`).join(', ')}`,
    ),
    ...phases.flatMap((p) =>
      p.stages.map(
        (s) =>
          `  ${p.round} ${p.label} ${s.stage}: all-staff events p50/p95/p99/max ${ms(s.latencyStaffMs)} ms, agency events ${ms(s.latencyAgencyMs)} ms; ` +
          `per event first socket p50 ${s.firstStaffMs.p50} ms, last p50 ${s.completionStaffMs.p50} / p99 ${s.completionStaffMs.p99} ms ` +
          `(agency events: last p99 ${s.completionAgencyMs.count ? s.completionAgencyMs.p99 : '–'} ms); per server first → last socket p50 ${s.spreadByServerMs.map((x) => x.p50).join(' / ')} ms; ` +
          `stage ${s.wallMs} ms; other messages ${JSON.stringify(s.otherMessages)} to ${s.otherMessageSockets} sockets; GET /healthz meanwhile p50/p99/max ${s.httpProbeMs.p50} / ${s.httpProbeMs.p99} / ${s.httpProbeMs.max} ms; CPU per delivery: servers ${s.cpuCores.serverUsPerDelivery} µs, clients ${s.cpuCores.clientUsPerDelivery} µs; client loop delay p99 ${s.clientLoopDelayMs.map((d) => d.p99).join(' / ')} ms`,
      ),
    ),
    ...allStages.flatMap((s) => s.wrong.map((w) => `  ! ${s.stage}: ${w}`)),
    `checks: lost, duplicated and misdelivered deliveries and disconnects ${failures}; ` +
      `deliveries of events this run did not publish ${foreign}; handshakes without a valid session refused: ${refusedOk ? 'yes' : 'NO'}`,
    ...Object.entries(medians).map(
      ([label, x]) =>
        `median of ${ROUNDS} rounds, ${label} series: p50/p95/p99/max ${x.seriesMs.p50} / ${x.seriesMs.p95} / ${x.seriesMs.p99} / ${x.seriesMs.max} ms, ` +
        `all-staff event to its last socket p99 ${x.seriesAllStaffLastSocketP99Ms} ms, first socket p50 ${x.seriesFirstSocketP50Ms} ms; ` +
        `burst of ${BURST} to its last socket ${x.burstLastSocketMs} ms; CPU per delivery servers ${x.seriesServerUsPerDelivery} µs, clients ${x.seriesClientUsPerDelivery} µs; ` +
        `GET /healthz p99 ${x.seriesHttpProbeP99Ms} ms during the series, max ${x.burstHttpProbeMaxMs} ms during the burst`,
    ),
    `target: p99 per-socket delivery of the api series (median of ${ROUNDS} rounds) ${apiP99} ms < ${TARGETS.p99UnderMs} ms: ${verdict(summary.met.p99)}`,
  ];
  return {
    name: 'fanout',
    result: { summary, rows: [] },
    report,
    passed: failures === 0 && refusedOk && phases.length === PHASES.length * ROUNDS,
  };
}

// `npx tsx bench/fanout.bench.ts`: this benchmark alone.
await runIfMain(import.meta.url, runFanoutBench);
