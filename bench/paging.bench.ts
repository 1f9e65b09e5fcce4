// On-call paging (issues 4 and 24): night calls on the out-of-hours line, driven through the real
// signed voice webhooks of `src/main.ts` processes, page the agency's on-call technician through the
// real Twilio SDK, which posts to a local stand-in of Twilio's REST API in this process.
//   latency: sequential calls in topology A; the end of the call (the recording webhook sent) →
//            the page's Calls.json request arriving at the stand-in.
//   bursts:  100 then 200 calls at once (BENCH_PAGING_BURSTS) in topology A (1 api + 1 worker),
//            then B (2 apis + 2 workers), each with fresh processes sharing PostgreSQL and Redis;
//            every technician must get exactly one call and one SMS. Just before each topology, the
//            same bursts against as many bare Fastify processes answering the same webhooks with
//            fixed TwiML (servers/night-bare.ts): the baseline of the caller's waits.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { loadTemplates } from '../src/messaging/templates.js';
import { PATHS } from '../src/platform/paths.js';
import { QUEUE_NAMES } from '../src/platform/queues.js';
import { signTwilioRequest } from '../src/platform/twilio-webhook.js';
import { loadSettings } from '../src/settings.js';
// Only what support.ts has exported since the first benchmark: the rest of the harness there is
// for autocannon runs, and this benchmark's few helpers are below.
import {
  cpuSeconds,
  freePort,
  installCleanup,
  machine,
  type Percentiles,
  percentiles,
  startServer,
} from './support.js';
import { type Arrival, startTwilioStandIn, type TwilioStandIn } from './twilio-stand-in.js';

const LATENCY_CALLS = Number(process.env.BENCH_PAGING_CALLS ?? 200);
const WARMUP_CALLS = Number(process.env.BENCH_PAGING_WARMUP ?? 10);
/** Calls at once, one burst after the other, in each topology and against its baseline. */
const BURSTS = (process.env.BENCH_PAGING_BURSTS ?? '100,200').split(',').filter(Boolean).map(Number);
/**
 * `warm` (default): before each burst, as many connections as it has calls are opened to the
 * servers and left idle, as a load balancer's pool of upstream connections would be; `fresh`: the
 * callers open their connections as the burst starts. A busy Node process accepts a burst of new
 * connections slowly (they wait in its accept queue: a second and more for the last of 200 here,
 * where a request on an open connection waits a few hundred ms), and that is no webhook's cost.
 */
const CONNECTIONS = process.env.BENCH_PAGING_CONNECTIONS === 'fresh' ? 'fresh' : 'warm';
// After the last expected page, how long to keep listening for late duplicates.
const QUIET_MS = Number(process.env.BENCH_PAGING_QUIET_MS ?? 5000);
// A page that has not arrived this long after the burst's last webhook answer is lost (the backstop
// is 240 s). The SMS leave at 10/s for all workers together: a 200-call burst's last one ~20 s on.
const PAGE_TIMEOUT_MS = 60_000;
const TARGETS = {
  /** Issue 24: the burst the targets apply to. */
  burstCalls: 200,
  /** The caller's wait at every webhook (incoming, menu, address, recording), p99. */
  webhookP99UnderMs: 300,
  /** End of call → page call at Twilio, p95, in the burst. */
  burstPageP95UnderMs: 500,
  /** One call at a time: no slower than before issue 24. */
  sequentialPageP95UnderMs: 64,
};

export interface Topology {
  name: string;
  apis: number;
  workers: number;
  /** Whether the sequential latency phase is measured here (issue 24: in A). */
  latency: boolean;
}
/** Issue 24's two topologies (BENCH_PAGING_TOPOLOGIES picks some). */
const TOPOLOGIES: Topology[] = [
  { name: 'A', apis: 1, workers: 1, latency: true },
  { name: 'B', apis: 2, workers: 2, latency: false },
].filter((t) => (process.env.BENCH_PAGING_TOPOLOGIES ?? 'A,B').split(',').includes(t.name));
const processesOf = (t: Topology) =>
  `${t.apis} api${t.apis > 1 ? 's' : ''} + ${t.workers} worker${t.workers > 1 ? 's' : ''}`;

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
// Overridable for the night storm's short run in the test suite, beside the other tests.
const DATABASE = process.env.BENCH_PAGING_DATABASE ?? 'cc_bench_paging';
export const DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/${DATABASE}`;
const REDIS_DB = Number(process.env.BENCH_PAGING_REDIS_DB ?? 14);
export const REDIS_URL = `redis://127.0.0.1:6379/${REDIS_DB}`;
const LINE = '+33970000001'; // ivr-flows/out-of-hours.yaml
export const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const AUTH_TOKEN = 'bench-paging-auth-token';
export const FROM_NUMBER = '+33970000000';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;
// What Twilio would be given as the webhooks' address: a load balancer in front of the apis, so
// every api has it as PUBLIC_BASE_URL and the caller signs over it, then sends each request to the
// apis in turn. Nothing connects to it (the stand-in never calls back).
export const FRONT_URL = 'http://front.paging-bench.invalid';

// Call n comes from customer n, covered by agency n, whose one technician is on call: a page's
// To names its call.
const seven = (n: number) => String(n).padStart(7, '0');
export const customerPhone = (n: number) => `+3361${seven(n)}`;
export const technicianMobile = (n: number) => `+3362${seven(n)}`;
export const MANAGER_MOBILE = '+33699999999';
const RUN_ID = Date.now().toString(16).padStart(16, '0');
const callSid = (n: number) => `CA${RUN_ID}${n.toString(16).padStart(16, '0')}`;
// The bare server reads nothing of a call: its calls are numbered apart from the prepared ones.
const BARE_FIRST_CALL = 5_000_000;

// ---------------------------------------------------------------------------------------------
// Harness

/**
 * What run.ts expects of a benchmark (its BenchOutcome): figures to save, lines to print, pass or
 * fail. No autocannon rows here: every figure is in `summary`.
 */
export interface PagingOutcome {
  name: 'paging';
  result: { summary: object; rows: never[] };
  report: string[];
  /** False on any duplicate, miss, failed webhook or wrong database state (a missed target is reported). */
  passed: boolean;
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT MET');

async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  console.log(`${what}...`);
  const started = performance.now();
  const value = await work();
  const ms = Math.round(performance.now() - started);
  console.log(`  done in ${(ms / 1000).toFixed(1)} s`);
  return { value, ms };
}

/** results/paging-<date>.json, as run.ts saves the others. */
function saveResult(result: unknown): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const path = new URL(`paging-${new Date().toISOString().slice(0, 10)}.json`, dir).pathname;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Data

/**
 * Re-creates cc_bench_paging with the project's migrations and `agencies` agencies (plain SQL):
 * `individual` on-call windows on every day, 00:00-24:00, so any instant is inside on-call hours;
 * one technician each, on the rota now; one regional manager on the rota; one customer each under
 * a covered contract (individual, not 7/7). Empties Redis database 14.
 */
export async function prepareData(agencies: number): Promise<{ postgres: string; redis: string }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.end();
  const { applyMigrations } = await import('../src/platform/db/migrations.js');
  await applyMigrations(DATABASE_URL); // creates the database, then prisma/migrations
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  // The rotas around this process's time, which the servers share (not PostgreSQL's: the storm's
  // short run in the test suite runs under a moved clock).
  const onCallNow = new Date();
  try {
    await db.query('BEGIN');
    const region = await db.query(
      `INSERT INTO regions (code, name, direction_email, updated_at)
       VALUES ('R-BENCH', 'Région banc', 'direction@bench.example', now()) RETURNING id`,
    );
    const regionId = region.rows[0].id as string;
    const manager = await db.query(
      `INSERT INTO regional_managers (region_id, reference, last_name, first_name, mobile, updated_at)
       VALUES ($1, 'CR-BENCH', 'Roux', 'Claire', $2, now()) RETURNING id`,
      [regionId, MANAGER_MOBILE],
    );
    await db.query(
      `INSERT INTO manager_rotas (region_id, manager_id, starts_at, ends_at)
       VALUES ($1, $2, $3::timestamptz - interval '1 day', $3::timestamptz + interval '7 days')`,
      [regionId, manager.rows[0].id, onCallNow],
    );
    await db.query(
      `INSERT INTO agencies (code, name, region_id, email, updated_at)
       SELECT 'A' || i, 'Agence ' || i, $1, 'agence' || i || '@bench.example', now()
       FROM generate_series(0, $2 - 1) AS i`,
      [regionId, agencies],
    );
    // Day 1-7 = Monday-Sunday, 8 = public holiday; 0-1440 = the whole day.
    await db.query(
      `INSERT INTO on_call_windows (agency_id, on_call_type, day, start_minute, end_minute)
       SELECT a.id, 'individual', d, 0, 1440 FROM agencies a, generate_series(1, 8) AS d`,
    );
    await db.query(
      `INSERT INTO technicians (agency_id, reference, last_name, first_name, mobile, updated_at)
       SELECT id, 'T' || substr(code, 2), 'Durand', 'Paul', '+3362' || lpad(substr(code, 2), 7, '0'), now()
       FROM agencies`,
    );
    await db.query(
      `INSERT INTO technician_rotas (agency_id, technician_id, on_call_type, starts_at, ends_at)
       SELECT agency_id, id, 'individual', $1::timestamptz - interval '1 day', $1::timestamptz + interval '7 days'
       FROM technicians`,
      [onCallNow],
    );
    await db.query(
      `INSERT INTO customers (reference, last_name, first_name, address_line, postcode, city, updated_at)
       SELECT 'B' || i, 'Client ' || i, 'Anne', i || ' rue des Essais', '69002', 'Lyon', now()
       FROM generate_series(0, $1 - 1) AS i`,
      [agencies],
    );
    await db.query(
      `INSERT INTO customer_phones (customer_id, e164, kind)
       SELECT id, '+3361' || lpad(substr(reference, 2), 7, '0'), 'MOBILE' FROM customers`,
    );
    await db.query(
      `INSERT INTO contracts (reference, customer_id, agency_id, out_of_hours_coverage, on_call_type,
                              individual_7_7, equipment, contractual_delay, updated_at)
       SELECT 'CT' || substr(c.reference, 2), c.id, a.id, true, 'individual', false,
              'INDIVIDUAL_GAS_BOILER', 'sous 4 heures', now()
       FROM customers c JOIN agencies a ON substr(a.code, 2) = substr(c.reference, 2)`,
    );
    await db.query('COMMIT');
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  await redis.flushDb();
  const info = await redis.info('server');
  await redis.close();
  return { postgres, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
}

// ---------------------------------------------------------------------------------------------
// Servers: src/main.ts in child processes, and the bare baseline

/** A server process whose CPU is metered: a src/main.ts process or a bare one. */
interface Metered {
  label: string;
  pid: number;
}

export interface MainProcess extends Metered {
  role: 'api' | 'worker';
  /** Warnings and errors it logged (pino JSON at LOG_LEVEL=warn), counted by message. */
  logs: Record<string, number>;
  logCount: number;
  exited(): boolean;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function killChildrenOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Ctrl-C and crashes end in process.exit (support.ts installCleanup): this then runs.
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

type CommandSender = { sendCommand(args: string[]): Promise<unknown> };

// The queues a page goes through: a worker process is ready when it consumes all of them.
const PAGE_QUEUES = [QUEUE_NAMES.paging, QUEUE_NAMES.outboxVoice, QUEUE_NAMES.outboxSms];

/**
 * BullMQ worker connections per queue in Redis database 14: a worker names its one blocking
 * connection after its queue, so there is one per worker process and queue.
 */
async function workerConnections(redis: CommandSender): Promise<Record<string, number>> {
  const lines = String(await redis.sendCommand(['CLIENT', 'LIST']))
    .split('\n')
    .filter((line) => line.includes(` db=${REDIS_DB} `))
    .map((line) => / name=(\S*)/.exec(line)?.[1] ?? '');
  return Object.fromEntries(
    PAGE_QUEUES.map((queue) => {
      const name = `bull:${Buffer.from(queue).toString('base64')}`;
      return [queue, lines.filter((n) => n === name || n.startsWith(`${name}:w:`)).length];
    }),
  );
}

/** Starts `node --import tsx bench/servers/main.ts --role <role>` (src/main.ts); not yet ready. */
function spawnMain(label: string, role: 'api' | 'worker', env: Record<string, string>): MainProcess {
  killChildrenOnExit();
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": each process writes its own profile,
  // named after its pid (printed with its label in the report).
  const extra = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean) : [];
  const script = new URL('./servers/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', script, '--role', role], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => children.delete(child));
  const logs: Record<string, number> = {};
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const proc: MainProcess = {
    label,
    role,
    pid: child.pid!,
    logs,
    logCount: 0,
    exited: gone,
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM'); // main's clean stop; a --cpu-prof profile is written on exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const collect = (chunk: Buffer) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      proc.logCount++;
      let key = line.slice(0, 300);
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: string | { message?: string } };
        const err = typeof entry.err === 'string' ? entry.err : entry.err?.message;
        key = `${entry.msg}${err ? `: ${err}` : ''}`;
      } catch {
        // not pino's JSON (a crash trace): kept as it is
      }
      logs[key] = (logs[key] ?? 0) + 1;
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return proc;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const healthy = (url: string) =>
  fetch(`${url}/healthz`)
    .then((r) => r.ok)
    .catch(() => false);

/** Polls `ready` every 200 ms for up to 120 s; fails as soon as one of `processes` exits. */
async function waitReady(what: string, processes: MainProcess[], ready: () => Promise<boolean>) {
  const deadline = performance.now() + 120_000;
  while (!(await ready())) {
    const dead = processes.find((p) => p.exited());
    if (dead)
      throw new Error(`${dead.label} exited before it was ready:\n${Object.keys(dead.logs).join('\n')}`);
    if (performance.now() > deadline) throw new Error(`${what} not ready after 120 s`);
    await sleep(200);
  }
}

interface Running {
  servers: MainProcess[];
  /** The apis' own addresses, which the caller sends to in turn. */
  apiUrls: string[];
}

/**
 * Starts a topology's processes at once, `<topology>-api<i>` and `<topology>-worker<i>`, and waits
 * until every api serves /healthz (an api has no workers) and every worker consumes the page
 * queues: as many worker connections per queue as the topology has workers.
 */
export async function startTopology(
  topology: Topology,
  env: (label: string) => Record<string, string>,
  redis: CommandSender,
): Promise<Running> {
  // Readiness counts workers' connections: the previous topology's must be gone first.
  const none = async () => Object.values(await workerConnections(redis)).every((n) => n === 0);
  await waitReady('the previous workers leaving Redis', [], none);
  const servers: MainProcess[] = [];
  const apiUrls: string[] = [];
  try {
    for (const i of range(1, topology.apis)) {
      const port = await freePort();
      const label = `${topology.name}-api${i}`;
      servers.push(spawnMain(label, 'api', { ...env(label), PORT: String(port) }));
      apiUrls.push(`http://127.0.0.1:${port}`);
    }
    for (const i of range(1, topology.workers)) {
      const label = `${topology.name}-worker${i}`;
      servers.push(spawnMain(label, 'worker', env(label)));
    }
    await waitReady(`topology ${topology.name}`, servers, async () => {
      const apis = await Promise.all(apiUrls.map(healthy));
      const workers = await workerConnections(redis);
      return apis.every(Boolean) && PAGE_QUEUES.every((queue) => workers[queue]! >= topology.workers);
    });
    return { servers, apiUrls };
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
}

/** `count` bare servers (servers/night-bare.ts), which say "the technician will call back" as the api does. */
async function startBare(count: number, willCallBack: string) {
  const script = new URL('./servers/night-bare.ts', import.meta.url).pathname;
  const servers = await Promise.all(
    range(1, count).map(async (i) => ({
      label: `bare${i}`,
      server: await startServer(script, { WILL_CALL_BACK: willCallBack }),
    })),
  );
  return {
    metered: servers.map(({ label, server }): Metered => ({ label, pid: server.pid })),
    urls: servers.map(({ server }) => `http://127.0.0.1:${server.port}`),
    stop: () => Promise.all(servers.map(({ server }) => server.stop())),
  };
}

// ---------------------------------------------------------------------------------------------
// A night call, as Twilio drives it

export interface CallResult {
  n: number;
  incomingMs: number;
  /** The menu answer: identification and eligibility, then the address read back [ON-4]. */
  menuMs: number;
  /** The address confirmed: the case opened and routed (route-on-call), "the technician will call back". */
  routingMs: number;
  /** performance.now() when the recording webhook (the end of the call) was sent. */
  endedAt: number;
  /** How long the recording webhook took to answer: the caller's wait after the beep. */
  recordingMs: number;
  statusMs: number;
  /** Non-200 answers, and answers the call cannot go on from. */
  failures: string[];
  /** The address answer was not "the technician will call back" (a fallback): the call goes on. */
  notRouted: boolean;
}

const decode = (xml: string) =>
  xml
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function actionOf(twiml: string, verb: 'Gather' | 'Record'): string | null {
  const action = new RegExp(`<${verb}[^>]*action="([^"]+)"`).exec(twiml)?.[1];
  return action ? decode(action) : null;
}

// The callers share the benchmark's process, and its two cores, with the servers: they send with
// node:http and kept-alive sockets, which cost a third of the CPU of fetch (undici) per request
// here (200 calls at once against the bare server: 0.3-0.5 ms against 0.9-2 ms), so that the
// waits measured are more the servers' and less the callers' own.
const keepAlive = new Agent({ keepAlive: true });

/** POSTs a form; resolves with the answer's status and body, rejects on a connection error. */
function postForm(url: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const sent = request(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { ...FORM, ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (answer) => {
        let text = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => {
          text += chunk;
        });
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: text }));
        answer.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

export interface CallerOptions {
  /** How long the caller listens before each key and speaks before the beep (the storm); none in the bursts. */
  pause?: () => number;
  /** Send once more a request whose kept-alive socket was reset (the storm's long pauses). */
  retryResets?: boolean;
}

export interface Caller {
  /** Requests sent again after a reset (`retryResets`). */
  readonly resets: number;
  drive(n: number): Promise<CallResult>;
  /** A signed webhook to the next api, at `path` under FRONT_URL (the storm's phones call back with it). */
  post(path: string, params: Record<string, string>): Promise<{ status: number; body: string; ms: number }>;
  /** Opens `connections` idle kept-alive connections, spread over the targets (CONNECTIONS = warm). */
  warm(connections: number): Promise<void>;
}

/**
 * Drives calls against `targets`, each webhook request to the next one in turn (as a load balancer
 * in front of them would: the call's state is in Redis, so any api serves any step), signed over
 * FRONT_URL + path, the apis' PUBLIC_BASE_URL.
 */
export function caller(
  targets: string[],
  willCallBack: string,
  { pause = () => 0, retryResets = false }: CallerOptions = {},
): Caller {
  let next = 0;
  const opened = (target: string) =>
    new Promise<void>((resolve, reject) => {
      request(`${target}/healthz`, { agent: keepAlive }, (answer) => {
        answer.resume();
        answer.on('end', () => resolve());
      })
        .on('error', reject)
        .end();
    });
  const post = async (path: string, params: Record<string, string>) => {
    const signature = signTwilioRequest(AUTH_TOKEN, `${FRONT_URL}${path}`, params);
    const body = new URLSearchParams(params).toString();
    const target = targets[next++ % targets.length]!;
    const started = performance.now();
    const send = () => postForm(`${target}${path}`, body, { 'x-twilio-signature': signature });
    try {
      const answer = await send().catch((err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as it was reused: sent again once, on a new one.
        if (!retryResets || (err.code !== 'ECONNRESET' && err.message !== 'socket hang up')) throw err;
        resets++;
        return send();
      });
      return { ...answer, ms: performance.now() - started };
    } catch (err) {
      // Connection refused or reset: counted as a failed webhook (status 0), like a non-200.
      return { status: 0, body: String(err), ms: performance.now() - started };
    }
  };
  let resets = 0;
  // A caller listening to the prompt before keying (the storm); no pause in the bursts.
  const listen = async () => {
    const ms = pause();
    if (ms > 0) await sleep(ms);
  };
  return {
    post,
    get resets() {
      return resets;
    },
    async warm(connections) {
      if (CONNECTIONS === 'fresh') return;
      const each = Math.ceil(connections / targets.length);
      // All at once, so that each needs a connection of its own; then the agent keeps them idle.
      await Promise.all(targets.flatMap((target) => Array.from({ length: each }, () => opened(target))));
      await sleep(1000);
    },
    async drive(n) {
      const failures: string[] = [];
      const call = {
        CallSid: callSid(n),
        AccountSid: ACCOUNT_SID,
        From: customerPhone(n),
        To: LINE,
        Direction: 'inbound',
        ApiVersion: '2010-04-01',
      };
      const result: CallResult = {
        n,
        incomingMs: 0,
        menuMs: 0,
        routingMs: 0,
        endedAt: 0,
        recordingMs: 0,
        statusMs: 0,
        failures,
        notRouted: false,
      };
      const incoming = await post('/twilio/voice/incoming', { ...call, CallStatus: 'ringing' });
      result.incomingMs = incoming.ms;
      const menu = actionOf(incoming.body, 'Gather');
      if (incoming.status !== 200 || !menu) {
        failures.push(`incoming: ${incoming.status} ${incoming.body.slice(0, 200)}`);
        return result;
      }
      // Key 2 at the menu: a breakdown. The flow identifies the caller, checks the contract and
      // reads back the served address [ON-4].
      await listen();
      const menuAnswer = await post(menu, { ...call, CallStatus: 'in-progress', Digits: '2' });
      result.menuMs = menuAnswer.ms;
      const address = actionOf(menuAnswer.body, 'Gather');
      if (menuAnswer.status !== 200 || !address) {
        failures.push(`menu: ${menuAnswer.status} ${menuAnswer.body.slice(0, 300)}`);
        return result;
      }
      // Key 1: the address is right. The case is opened and routed (page-now), then the flow asks
      // for the description.
      await listen();
      const routed = await post(address, { ...call, CallStatus: 'in-progress', Digits: '1' });
      result.routingMs = routed.ms;
      const recording = actionOf(routed.body, 'Record');
      if (routed.status !== 200 || !recording) {
        failures.push(`address: ${routed.status} ${routed.body.slice(0, 300)}`);
        return result;
      }
      // Not told the technician will call back (an action's fallback: leave a message). A caller
      // would still record and hang up: so does this one, to see what becomes of the page.
      if (!decode(routed.body).includes(willCallBack)) {
        result.notRouted = true;
        failures.push(
          `address: not routed, heard: ${decode(routed.body)
            .replace(/<[^>]+>/g, ' ')
            .slice(0, 200)}`,
        );
      }
      // The description recorded: the end of the call, which releases the page.
      await listen();
      result.endedAt = performance.now();
      const recorded = await post(recording, {
        ...call,
        CallStatus: 'in-progress',
        RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE${callSid(n).slice(2)}`,
        RecordingSid: `RE${callSid(n).slice(2)}`,
        RecordingDuration: '25',
        Digits: '#',
      });
      result.recordingMs = recorded.ms;
      if (recorded.status !== 200 || !recorded.body.includes('<Hangup'))
        failures.push(`recording: ${recorded.status} ${recorded.body.slice(0, 200)}`);
      // Twilio then reports the call completed (the line's status callback): a second release.
      const ended = await post('/twilio/voice/status', {
        ...call,
        CallStatus: 'completed',
        CallDuration: '64',
      });
      result.statusMs = ended.ms;
      if (ended.status !== 204) failures.push(`status callback: ${ended.status} ${ended.body.slice(0, 200)}`);
      return result;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Figures and checks

export const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/**
 * Requests per technician at the stand-in so far: anything but one call and one SMS each is wrong.
 * A call is lost without its page call or SMS, doubled with more than one of either.
 */
function countPages(standIn: TwilioStandIn, calls: number[]) {
  let lost = 0;
  let doubled = 0;
  const wrong: string[] = [];
  for (const n of calls) {
    const counts = (['call', 'sms'] as const).map((kind) => standIn.count(kind, technicianMobile(n)));
    if (counts.includes(0)) lost++;
    if (counts.some((count) => count > 1)) doubled++;
    if (counts.some((count) => count !== 1) && wrong.length < 10)
      wrong.push(`call ${n}: ${counts[0]} call and ${counts[1]} SMS requests`);
  }
  return { lost, doubled, wrong };
}

/** What PostgreSQL says of these calls: one page each, one attempt numbered 1, one call and one SMS sent. */
async function checkDatabase(calls: number[]) {
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const callers = calls.map(customerPhone);
    const mobiles = calls.map(technicianMobile);
    const pages = await db.query<{ id: string; decision: string; status: string }>(
      `SELECT p.id, p.decision, p.status::text FROM pages p
       JOIN cases c ON c.id = p.case_id JOIN customer_phones ph ON ph.customer_id = c.customer_id
       WHERE ph.e164 = ANY($1)`,
      [callers],
    );
    const attempts = await db.query<{ page_id: string; number: number; target: string; mobile: string }>(
      `SELECT page_id, number, target::text, mobile FROM page_attempts WHERE page_id = ANY($1)`,
      [pages.rows.map((p) => p.id)],
    );
    const messages = await db.query<{ channel: string; to: string; status: string; attempts: number }>(
      `SELECT channel::text, "to", status::text, attempts FROM messages
       WHERE purpose = 'oncall-page' AND "to" = ANY($1)`,
      [mobiles],
    );
    const count = <T>(rows: T[], key: (row: T) => string) =>
      rows.reduce((m, r) => m.set(key(r), (m.get(key(r)) ?? 0) + 1), new Map<string, number>());
    const attemptsPerPage = count(attempts.rows, (a) => a.page_id);
    const perMobile = count(messages.rows, (m) => `${m.channel} ${m.to}`);
    const figures = {
      pages: pages.rowCount ?? 0,
      pagesPageNow: pages.rows.filter((p) => p.decision === 'page-now').length,
      pageStatuses: Object.fromEntries(count(pages.rows, (p) => p.status)),
      attempts: attempts.rowCount ?? 0,
      attemptsNumbered1: attempts.rows.filter((a) => a.number === 1).length,
      attemptsOnTechnician: attempts.rows.filter((a) => a.target === 'TECHNICIAN').length,
      pagesWithOneAttempt: [...attemptsPerPage.values()].filter((c) => c === 1).length,
      callMessages: messages.rows.filter((m) => m.channel === 'VOICE').length,
      smsMessages: messages.rows.filter((m) => m.channel === 'SMS').length,
      messageStatuses: Object.fromEntries(count(messages.rows, (m) => m.status)),
      /** Sends claimed more than once (a retried or taken-over job). */
      messagesSentTwice: messages.rows.filter((m) => m.attempts > 1).length,
    };
    const n = calls.length;
    const ok =
      figures.pages === n &&
      figures.pagesPageNow === n &&
      figures.attempts === n &&
      figures.attemptsNumbered1 === n &&
      figures.attemptsOnTechnician === n &&
      figures.pagesWithOneAttempt === n &&
      mobiles.every((m) => perMobile.get(`VOICE ${m}`) === 1 && perMobile.get(`SMS ${m}`) === 1) &&
      figures.messagesSentTwice === 0;
    return { ...figures, ok };
  } finally {
    await db.end();
  }
}

/** Busy and total CPU time of the whole machine so far, in seconds (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3]! + fields[4]!; // idle + iowait
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}
const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** PostgreSQL backends serving the benchmark's database. */
async function backendPids(): Promise<number[]> {
  const db = new pg.Client({ connectionString: ADMIN_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [DATABASE],
    );
    return rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}
/**
 * Samples cc_bench_paging's backends by state every 100 ms until stopped: whether the servers'
 * connection pools (10 per process) are full, and whether their connections work (active) or
 * wait for Node (idle in transaction).
 */
function sampleBackends() {
  const db = new pg.Client({ connectionString: ADMIN_URL });
  const samples: Array<Record<string, number>> = [];
  let running = true;
  const done = (async () => {
    await db.connect();
    while (running) {
      const { rows } = await db.query<{ state: string; n: number }>(
        `SELECT coalesce(state, 'none') AS state, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1`,
        [DATABASE],
      );
      samples.push(Object.fromEntries(rows.map((r) => [r.state, r.n])));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await db.end();
  })();
  return async () => {
    running = false;
    await done;
    const mean = (state: string) =>
      Number((samples.reduce((sum, s) => sum + (s[state] ?? 0), 0) / Math.max(1, samples.length)).toFixed(1));
    const totals = samples.map((s) => Object.values(s).reduce((a, b) => a + b, 0));
    return {
      samples: samples.length,
      maxConnections: Math.max(0, ...totals),
      meanActive: mean('active'),
      meanIdleInTransaction: mean('idle in transaction'),
      meanIdle: mean('idle'),
    };
  };
}

/** Transactions committed or rolled back in cc_bench_paging so far (pg_stat_database). */
async function databaseTransactions(): Promise<number> {
  const db = new pg.Client({ connectionString: ADMIN_URL });
  await db.connect();
  try {
    const { rows } = await db.query(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
      [DATABASE],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await db.end();
  }
}

const cpuOf = (pid: number) => {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0; // gone
  }
};

/**
 * CPU used over a run, in cores (CPU seconds per second): each server process, the PostgreSQL
 * backends of cc_bench_paging, and the whole machine. The machine is shared: when it is busy
 * beyond what the benchmark uses, the servers wait for a core.
 */
async function cpuMeter(servers: Metered[]) {
  const pids = [...servers.map((s) => s.pid), ...(await backendPids())];
  const before = new Map(pids.map((pid) => [pid, cpuOf(pid)]));
  const machineBefore = machineCpu();
  const benchBefore = process.cpuUsage();
  const startedAt = performance.now();
  return async () => {
    const seconds = (performance.now() - startedAt) / 1000;
    const cores = (cpu: number) => Number((cpu / seconds).toFixed(2));
    const used = (pid: number) => cpuOf(pid) - (before.get(pid) ?? 0);
    const backends = await backendPids();
    const machineAfter = machineCpu();
    const postgresCpu = backends.reduce((sum, pid) => sum + used(pid), 0);
    /** CPU seconds of the servers and PostgreSQL's backends, for the figures per call. */
    const usedSeconds: Record<string, number> = {
      ...Object.fromEntries(servers.map((s) => [s.label, used(s.pid)])),
      postgres: postgresCpu,
    };
    const inCores = {
      seconds: Number(seconds.toFixed(1)),
      ...Object.fromEntries(servers.map((s) => [s.label, cores(used(s.pid))])),
      postgres: cores(postgresCpu),
      /** This process: the callers (signing, HTTP) and the Twilio stand-in. */
      bench: cores(((u) => (u.user + u.system) / 1e6)(process.cpuUsage(benchBefore))),
      machine: cores(machineAfter.busy - machineBefore.busy),
    };
    return { cores: inCores, used: usedSeconds };
  };
}

const HOPS = {
  release: 'end of call → page released (recording webhook, promote)',
  workerPickUp: 'page released → paging job started (worker pick-up)',
  attempt: 'paging job started → attempt started (its clock read)',
  callRow: 'attempt started → call row made (page, rota and request details read)',
  send: 'call row made → request at Twilio (attempt, call claimed and SMS in one statement; SDK)',
} as const;
type Hop = keyof typeof HOPS;

/**
 * Where each page's time went, from timestamps the code already writes: BullMQ's job hash
 * (started) and the rows' times (attempt started_at, message created_at), all on this
 * machine's clock (ms), against the benchmark's own clock for the call's end and the arrival.
 */
async function hopTimes(
  redis: {
    hmGet(key: string, fields: string[]): Promise<Array<string | null>>;
    xRange(
      key: string,
      start: string,
      end: string,
    ): Promise<Array<{ id: string; message: Record<string, string> }> | null>;
  },
  pages: Array<{ n: number; endedAt: number; arrivedAt: number }>,
): Promise<Record<Hop, Percentiles>> {
  const epoch = (at: number) => performance.timeOrigin + at;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const rows = new Map<string, { page: string; attempt: number; created: number }>();
  try {
    const { rows: found } = await db.query(
      `SELECT ph.e164, p.id AS page, extract(epoch FROM a.started_at) * 1000 AS attempt,
              extract(epoch FROM m.created_at) * 1000 AS created
       FROM pages p JOIN cases c ON c.id = p.case_id
       JOIN customer_phones ph ON ph.customer_id = c.customer_id
       JOIN page_attempts a ON a.page_id = p.id AND a.number = 1
       JOIN messages m ON m.id = a.call_message_id
       WHERE ph.e164 = ANY($1)`,
      [pages.map((p) => customerPhone(p.n))],
    );
    for (const r of found)
      rows.set(r.e164, {
        page: r.page,
        attempt: Number(r.attempt),
        created: Number(r.created),
      });
  } finally {
    await db.end();
  }
  // When each attempt was promoted: BullMQ's event stream ('waiting' after 'delayed'), whose
  // entry ids are Redis's clock in ms.
  const promotedAt = new Map<string, number>();
  for (const { id, message } of (await redis.xRange('bull:paging:events', '-', '+')) ?? [])
    if (message.event === 'waiting' && message.prev === 'delayed' && !promotedAt.has(message.jobId!))
      promotedAt.set(message.jobId!, Number(id.split('-')[0]));
  const hops: Record<Hop, number[]> = {
    release: [],
    workerPickUp: [],
    attempt: [],
    callRow: [],
    send: [],
  };
  for (const p of pages) {
    const row = rows.get(customerPhone(p.n));
    if (!row) continue;
    const [pagingStarted] = await redis.hmGet(`bull:paging:page-${row.page}-attempt-1`, ['processedOn']);
    const promoted = promotedAt.get(`page-${row.page}-attempt-1`);
    if (!pagingStarted || promoted === undefined) continue;
    hops.release.push(promoted - epoch(p.endedAt));
    hops.workerPickUp.push(Number(pagingStarted) - promoted);
    hops.attempt.push(row.attempt - Number(pagingStarted));
    hops.callRow.push(row.created - row.attempt);
    hops.send.push(epoch(p.arrivedAt) - row.created);
  }
  return Object.fromEntries(
    Object.entries(hops).map(([hop, values]) => [hop, percentiles(values)]),
  ) as Record<Hop, Percentiles>;
}

const hopLines = (hops: Record<Hop, Percentiles>) =>
  (Object.keys(HOPS) as Hop[]).map(
    (hop) => `    ${HOPS[hop].padEnd(82)} p50 ${hops[hop].p50} ms, p95 ${hops[hop].p95} ms`,
  );
/** The hops on one line (a burst's): `release 12/40` = p50/p95 ms. */
const hopLine = (hops: Record<Hop, Percentiles>) =>
  `  hops p50/p95 ms: ${(Object.keys(HOPS) as Hop[]).map((hop) => `${hop} ${hops[hop].p50}/${hops[hop].p95}`).join(', ')}`;

const viaCounts = (arrivals: Arrival[]) =>
  arrivals.reduce<Record<string, number>>((m, a) => {
    const key = `${a.kind} via ${a.via}`;
    m[key] = (m[key] ?? 0) + 1;
    return m;
  }, {});

// ---------------------------------------------------------------------------------------------
// The benchmark

const WEBHOOKS = ['incoming', 'menu', 'address', 'recording', 'status'] as const;
type Webhook = (typeof WEBHOOKS)[number];
/** The caller is on the line for these; the status callback comes after they hung up. */
const CALLER_WEBHOOKS: Webhook[] = ['incoming', 'menu', 'address', 'recording'];
const WAIT: Record<Webhook, (r: CallResult) => number> = {
  incoming: (r) => r.incomingMs,
  menu: (r) => r.menuMs,
  address: (r) => r.routingMs,
  recording: (r) => r.recordingMs,
  status: (r) => r.statusMs,
};

const ok = (r: { failures: string[] }) => r.failures.length === 0;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const lastOf = (values: number[]) => (values.length ? Math.max(...values) : Number.NaN);

/** Each webhook's wait over the calls answered right, and the worst p99 among the caller's. */
function webhookWaits(results: CallResult[]) {
  const answered = results.filter(ok);
  const webhooksMs = Object.fromEntries(
    WEBHOOKS.map((w) => [w, percentiles(answered.map(WAIT[w]))]),
  ) as Record<Webhook, Percentiles>;
  const worstWebhook = CALLER_WEBHOOKS.reduce((a, b) => (webhooksMs[b].p99 > webhooksMs[a].p99 ? b : a));
  return { webhooksMs, worstWebhook, worstCallerP99Ms: webhooksMs[worstWebhook].p99 };
}

/** What the phases ask of Redis: the workers connected, the job hashes for the hops. */
type Redis = CommandSender & Parameters<typeof hopTimes>[0];

/** What every phase shares. */
interface Bench {
  standIn: TwilioStandIn;
  redis: Redis;
  willCallBack: string;
  env: (label: string) => Record<string, string>;
  /** The next `count` prepared calls: a customer, agency and technician serve one call only. */
  take(count: number): number[];
  /** The next `count` calls for the bare servers, which read nothing of them. */
  takeBare(count: number): number[];
  /** Failed webhooks of every phase, the bare servers' included (fatal). */
  failures: string[];
}

function record(bench: Bench, results: CallResult[]): void {
  for (const r of results) for (const f of r.failures) bench.failures.push(`call ${r.n}: ${f}`);
}

type Sequential = CallResult & { callMs: number | null; smsMs: number | null };

/** One call at a time; with a stand-in, each waits for its page call and SMS before the next. */
async function oneAtATime(drive: Caller, calls: number[], standIn?: TwilioStandIn): Promise<Sequential[]> {
  const results: Sequential[] = [];
  for (const n of calls) {
    const call = await drive.drive(n);
    const [placed, texted] =
      !standIn || !call.endedAt
        ? [null, null]
        : await Promise.all([
            standIn.first('call', technicianMobile(n), PAGE_TIMEOUT_MS),
            standIn.first('sms', technicianMobile(n), PAGE_TIMEOUT_MS),
          ]);
    results.push({
      ...call,
      callMs: placed ? placed.at - call.endedAt : null,
      smsMs: texted ? texted.at - call.endedAt : null,
    });
  }
  return results;
}

// Baseline ----------------------------------------------------------------------------------------

type BaselineBurst = ReturnType<typeof webhookWaits> & {
  calls: number;
  cpuCores: Awaited<ReturnType<Awaited<ReturnType<typeof cpuMeter>>>>['cores'];
};

/** The bursts against as many bare servers as the topology has apis, warmed up as the apis are. */
async function runBaseline(topology: Topology, bench: Bench) {
  const started = await timed(`Baseline for ${topology.name}: ${topology.apis} bare process(es)`, () =>
    startBare(topology.apis, bench.willCallBack),
  );
  const bare = started.value;
  try {
    const drive = caller(bare.urls, bench.willCallBack);
    // As many calls one at a time as the apis serve before their first burst.
    record(bench, await oneAtATime(drive, bench.takeBare(WARMUP_CALLS + LATENCY_CALLS)));
    const bursts: BaselineBurst[] = [];
    for (const calls of BURSTS) {
      const run = await timed(`  ${calls} calls at once`, async () => {
        await drive.warm(calls);
        const cpu = await cpuMeter(bare.metered);
        const results = await Promise.all(bench.takeBare(calls).map((n) => drive.drive(n)));
        return { results, cpuCores: (await cpu()).cores };
      });
      record(bench, run.value.results);
      bursts.push({ calls, ...webhookWaits(run.value.results), cpuCores: run.value.cpuCores });
    }
    return { processes: bare.metered, bursts };
  } finally {
    await bare.stop();
  }
}
type Baseline = Awaited<ReturnType<typeof runBaseline>>;

// A topology --------------------------------------------------------------------------------------

/** Warm-up and sequential calls: lost, doubled and PostgreSQL's state, once their pages are in. */
async function sequentialChecks(bench: Bench, results: Sequential[]) {
  const calls = results.map((r) => r.n);
  return {
    calls: calls.length,
    ...countPages(bench.standIn, calls),
    notRouted: results.filter((r) => r.notRouted).length,
    database: await checkDatabase(calls),
  };
}

/** Issue 4's latency: one call at a time, end of call → page call and SMS, the caller's waits, hops. */
async function latencyPhase(drive: Caller, servers: MainProcess[], bench: Bench) {
  const meter = await cpuMeter(servers);
  const arrivalsBefore = bench.standIn.arrivals.length;
  const run = await timed(`  latency: ${LATENCY_CALLS} calls, one at a time`, () =>
    oneAtATime(drive, bench.take(LATENCY_CALLS), bench.standIn),
  );
  const cpuCores = (await meter()).cores;
  const results = run.value;
  record(bench, results);
  const placed = results.flatMap((r) => {
    const call = bench.standIn.arrivals.find((a) => a.kind === 'call' && a.to === technicianMobile(r.n));
    return call && ok(r) ? [{ n: r.n, endedAt: r.endedAt, arrivedAt: call.at }] : [];
  });
  const figures = {
    calls: LATENCY_CALLS,
    /** Recording webhook sent → Calls.json request at the stand-in, ms. */
    pageCallMs: percentiles(results.flatMap((r) => (r.callMs === null ? [] : [r.callMs]))),
    /** Recording webhook sent → Messages.json request at the stand-in, ms. */
    pageSmsMs: percentiles(results.flatMap((r) => (r.smsMs === null ? [] : [r.smsMs]))),
    ...webhookWaits(results),
    seconds: Number((run.ms / 1000).toFixed(1)),
    /** CPU used over the run, in cores: each server, cc_bench_paging's backends, the whole machine. */
    cpuCores,
    hopsMs: await hopTimes(bench.redis, placed),
    pagesVia: viaCounts(bench.standIn.arrivals.slice(arrivalsBefore)),
  };
  return { figures, results };
}

/**
 * `size` calls at once; then every page call and SMS (up to PAGE_TIMEOUT_MS), then QUIET_MS for
 * late duplicates. Figures as issue 24 asks, beside the baseline's burst of the same size.
 */
async function burstPhase(
  topology: Topology,
  size: number,
  drive: Caller,
  servers: MainProcess[],
  bench: Bench,
  baseline: Baseline,
) {
  const calls = bench.take(size);
  const { standIn } = bench;
  const run = await timed(`  ${size} calls at once`, async () => {
    await drive.warm(size);
    const meter = await cpuMeter(servers);
    const backends = sampleBackends();
    const arrivalsBefore = standIn.arrivals.length;
    const monotonicStartUs = monotonicUs();
    // The callers' own event loop: a caller whose answer waits for it here counts that wait too.
    const callersLoop = monitorEventLoopDelay({ resolution: 10 });
    callersLoop.enable();
    const firstSent = performance.now();
    const results = await Promise.all(calls.map((n) => drive.drive(n)));
    callersLoop.disable();
    const webhooksCpuCores = (await meter()).cores;
    const pageCalls = await Promise.all(
      calls.map((n) => standIn.first('call', technicianMobile(n), PAGE_TIMEOUT_MS)),
    );
    const { used: cpuToPageCalls } = await meter();
    const pages = await Promise.all(
      calls.map(async (n, i) => [
        pageCalls[i],
        await standIn.first('sms', technicianMobile(n), PAGE_TIMEOUT_MS),
      ]),
    );
    const window = [monotonicStartUs, monotonicUs()];
    const cpuCores = (await meter()).cores;
    const connections = await backends();
    // Late duplicates (a second worker sending the same page) would come now.
    await sleep(QUIET_MS);
    return {
      results,
      pages,
      firstSent,
      window,
      webhooksCpuCores,
      cpuToPageCalls,
      cpuCores,
      connections,
      arrivalsBefore,
      callersLoopMs: {
        p99: Number((callersLoop.percentile(99) / 1e6).toFixed(1)),
        max: Number((callersLoop.max / 1e6).toFixed(1)),
      },
    };
  });
  const burst = run.value;
  const { results, pages, firstSent } = burst;
  record(bench, results);
  const placed = results.flatMap((r, i) => {
    const call = pages[i]![0];
    return call && ok(r) ? [{ n: r.n, endedAt: r.endedAt, arrivedAt: call.at }] : [];
  });
  const texted = results.flatMap((r, i) => {
    const sms = pages[i]![1];
    return sms && ok(r) ? [sms.at - r.endedAt] : [];
  });
  const lastCall = lastOf(placed.map((p) => p.arrivedAt));
  const lastPage = lastOf(pages.flat().flatMap((a) => (a ? [a.at] : [])));
  const waits = webhookWaits(results);
  const bare = baseline.bursts.find((b) => b.calls === size);
  return {
    topology: topology.name,
    processes: processesOf(topology),
    calls: size,
    ...waits,
    baseline: bare ? { processes: baseline.processes.length, ...bare } : null,
    /** The api's worst caller p99 ÷ the bare server's: same burst, as many processes. */
    ratioToBaseline: bare ? Number((waits.worstCallerP99Ms / bare.worstCallerP99Ms).toFixed(1)) : null,
    /** Per call: recording webhook sent → its Calls.json request at the stand-in, ms. */
    pageCallMs: percentiles(placed.map((p) => p.arrivedAt - p.endedAt)),
    /** The same for the SMS, which leave at SMS_RATE_PER_SECOND for all workers together. */
    pageSmsMs: percentiles(texted),
    /** Calls whose page call or SMS did not reach the stand-in within PAGE_TIMEOUT_MS. */
    lost: pages.filter(([call, sms]) => !call || !sms).length,
    /** Calls with more than one page call or SMS, after the quiet wait. */
    doubled: countPages(standIn, calls).doubled,
    /** Callers sent to a fallback (leave a message) instead of "the technician will call back". */
    notRouted: results.filter((r) => r.notRouted).length,
    /** First incoming webhook sent → last page call at the stand-in. */
    wallMs: Math.round(lastCall - firstSent),
    callsRoutedPerSecond: Number((size / ((lastCall - firstSent) / 1000)).toFixed(1)),
    /** First incoming webhook sent → last page request of any kind (the SMS are rate-limited). */
    lastPageRequestMs: Math.round(lastPage - firstSent),
    /** In cores, up to the last webhook answer: while callers wait (the baseline's is over the same). */
    webhooksCpuCores: burst.webhooksCpuCores,
    /** In cores, up to the last page, SMS included (the quiet wait excluded). */
    cpuCores: burst.cpuCores,
    /** The callers' event loop delay while they waited (p99, max): what the waits include of the benchmark's own. */
    callersLoopMs: burst.callersLoopMs,
    /**
     * CPU ms per call, from the first webhook to the last page call (SMS not all sent): what a
     * routed call costs each process and PostgreSQL, the figure the cuts are measured by.
     */
    cpuMsPerCall: Object.fromEntries(
      Object.entries(burst.cpuToPageCalls).map(([label, seconds]) => [
        label,
        Number(((seconds * 1000) / size).toFixed(2)),
      ]),
    ),
    /** The servers' PostgreSQL connections by state, sampled every 100 ms up to the last page. */
    connections: burst.connections,
    hopsMs: await hopTimes(bench.redis, placed),
    pagesVia: viaCounts(standIn.arrivals.slice(burst.arrivalsBefore)),
    /**
     * The burst on the monotonic clock (µs), the clock of a .cpuprofile's timestamps: to cut the
     * servers' profiles (BENCH_NODE_ARGS="--cpu-prof ...") to it.
     */
    monotonicWindowUs: burst.window,
    database: await checkDatabase(calls),
  };
}
type BurstFigures = Awaited<ReturnType<typeof burstPhase>>;

/**
 * A topology on fresh processes: warm-up, the latency phase (topology A), then each burst after
 * the previous one's pages and quiet wait. Its processes are stopped before it returns.
 */
async function runTopology(topology: Topology, bench: Bench, baseline: Baseline) {
  const started = await timed(`Topology ${topology.name}: starting ${processesOf(topology)}`, () =>
    startTopology(topology, bench.env, bench.redis),
  );
  const { servers, apiUrls } = started.value;
  try {
    const drive = caller(apiUrls, bench.willCallBack);
    // Every topology's processes serve as many calls one at a time before their first burst (the
    // JIT and the processes' caches warm up): the latency phase's calls, or as many more here.
    const warmupCalls = WARMUP_CALLS + (topology.latency ? 0 : LATENCY_CALLS);
    const warmup = await timed(`  warm-up: ${warmupCalls} calls, one at a time`, () =>
      oneAtATime(drive, bench.take(warmupCalls), bench.standIn),
    );
    record(bench, warmup.value);
    const latency = topology.latency ? await latencyPhase(drive, servers, bench) : null;
    const sequential = await sequentialChecks(bench, [...warmup.value, ...(latency?.results ?? [])]);
    const bursts: BurstFigures[] = [];
    for (const size of BURSTS) bursts.push(await burstPhase(topology, size, drive, servers, bench, baseline));
    return {
      topology,
      servers,
      startSeconds: Number((started.ms / 1000).toFixed(1)),
      warmupPageCallMs: percentiles(warmup.value.flatMap((r) => (r.callMs === null ? [] : [r.callMs]))),
      latency: latency?.figures ?? null,
      sequential,
      bursts,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
type TopologyRun = Awaited<ReturnType<typeof runTopology>>;

// The run ----------------------------------------------------------------------------------------

/** Call numbers handed out in order from `first`: none is used twice. */
function counter(first: number) {
  let next = first;
  return {
    take(count: number) {
      const calls = range(next, count);
      next += count;
      return calls;
    },
    taken: () => next - first,
  };
}

export const serverLabels = (t: Topology) => [
  ...range(1, t.apis).map((i) => `${t.name}-api${i}`),
  ...range(1, t.workers).map((i) => `${t.name}-worker${i}`),
];

/**
 * The environment of a night server process (an api or a worker): this benchmark's database and
 * Redis, Twilio at the stand-in's listener for that process, the simulated e-mail, warnings only.
 */
export function nightServerEnv(twilioApiBaseUrl: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: FRONT_URL,
    DATABASE_URL,
    REDIS_URL,
    LOG_LEVEL: 'warn',
    TELEPHONY: 'twilio',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: twilioApiBaseUrl,
    TWILIO_FROM_NUMBER: FROM_NUMBER,
    TWILIO_MESSAGING_SERVICE_SID: '',
    EMAIL: 'simulator',
    SMTP_URL: '',
    // Required with Twilio (signed links in messages); any 32+ characters do here.
    LINK_SIGNING_SECRET: 'bench-paging-link-signing-secret-0123456789',
    IVR_FLOWS_DIR: '',
  };
}

export async function runPagingBench(): Promise<PagingOutcome> {
  const loadBefore = loadavg()[0]!;
  // Per topology: the warm-up and latency calls (or as many warm-up calls), then the bursts.
  const total = TOPOLOGIES.length * (WARMUP_CALLS + LATENCY_CALLS + sum(BURSTS));
  const data = await timed(
    `Preparing ${DATABASE}: ${total} agencies, technicians and covered customers`,
    () => prepareData(total),
  );
  const templates = await loadTemplates(PATHS.messageTemplates);
  const willCallBack = templates.render('voice/oncall-will-call-back', 'fr').trim();
  // One stand-in listener per server process: a request's listener says which process sent it.
  const standIn = await startTwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, TOPOLOGIES.flatMap(serverLabels));
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const env = (label: string): Record<string, string> => ({
    ...nightServerEnv(standIn.baseUrl(label)),
    // No retries or escalation in the window: every page is one attempt, one call, one SMS.
    ONCALL_ACK_TIMEOUT_SECONDS: '3600',
    ONCALL_RETRY_DELAY_SECONDS: '3600',
  });
  // What the servers will read from that environment (bench/README.md quotes it).
  const settings = loadSettings({ ...process.env, ...env(serverLabels(TOPOLOGIES[0]!)[0]!) }, [
    '--role',
    'api',
  ]);
  const prepared = counter(0);
  const bare = counter(BARE_FIRST_CALL);
  const bench: Bench = {
    standIn,
    redis,
    willCallBack,
    env,
    take: prepared.take,
    takeBare: bare.take,
    failures: [],
  };
  try {
    const runs: Array<TopologyRun & { baseline: Baseline }> = [];
    for (const topology of TOPOLOGIES) {
      const baseline = await runBaseline(topology, bench);
      runs.push({ ...(await runTopology(topology, bench, baseline)), baseline });
    }
    return await outcome(bench, runs, { data, settings, loadBefore, calls: prepared.taken() });
  } finally {
    await Promise.all([standIn.close(), redis.close().catch(() => undefined)]);
  }
}

interface RunInfo {
  data: { value: { postgres: string; redis: string }; ms: number };
  settings: ReturnType<typeof loadSettings>;
  loadBefore: number;
  /** Prepared calls driven (numbered 0 to calls - 1). */
  calls: number;
}
type Runs = Array<TopologyRun & { baseline: Baseline }>;

/** The checks over the whole run, the summary saved and the report printed. */
async function outcome(bench: Bench, runs: Runs, run: RunInfo): Promise<PagingOutcome> {
  const { standIn, failures } = bench;
  // Every server has stopped: their backends' transactions are in pg_stat_database, and any late
  // page request is in.
  const transactionsPerCall = Number(((await databaseTransactions()) / run.calls).toFixed(1));
  const allCalls = range(0, run.calls);
  const final = countPages(standIn, allCalls);
  const expected = new Set(allCalls.map(technicianMobile));
  const strayPages = standIn.arrivals.filter((a) => !expected.has(a.to)).length;
  const summary = summarise(bench, runs, run, { transactionsPerCall, final, strayPages });
  const passed =
    failures.length === 0 &&
    final.lost + final.doubled === 0 &&
    summary.bursts.every((b) => b.lost === 0 && b.doubled === 0) &&
    strayPages === 0 &&
    standIn.unexpected.length === 0 &&
    runs.every((r) => r.sequential.database.ok && r.bursts.every((b) => b.database.ok));
  return {
    name: 'paging',
    result: { summary, rows: [] },
    report: report(summary, runs, final.wrong, failures),
    passed,
  };
}

function summarise(
  bench: Bench,
  runs: Runs,
  run: RunInfo,
  end: { transactionsPerCall: number; final: ReturnType<typeof countPages>; strayPages: number },
) {
  const { standIn, failures } = bench;
  const { settings } = run;
  const bursts = runs.flatMap((r) => r.bursts);
  const latency = runs.find((r) => r.latency)?.latency ?? null;
  const met = {
    ...Object.fromEntries(
      bursts
        .filter((b) => b.calls === TARGETS.burstCalls)
        .map((b) => [
          `burst${b.calls}${b.topology}`,
          {
            webhookP99: b.worstCallerP99Ms < TARGETS.webhookP99UnderMs,
            pageP95: b.pageCallMs.p95 < TARGETS.burstPageP95UnderMs,
            noneLost: b.lost === 0,
            noneDoubled: b.doubled === 0,
          },
        ]),
    ),
    sequentialPageP95: latency ? latency.pageCallMs.p95 < TARGETS.sequentialPageP95UnderMs : null,
  };
  return {
    benchmark:
      'on-call paging: end of a night call → first page at the Twilio API, one call at a time and in bursts, ' +
      'per topology, beside a bare Fastify baseline',
    date: new Date().toISOString().slice(0, 10),
    machine: machine(run.data.value),
    topologies: runs.map((r) => ({
      name: r.topology.name,
      processes: processesOf(r.topology),
      startSeconds: r.startSeconds,
      servers: r.servers.map((s) => ({ label: s.label, role: s.role, pid: s.pid })),
      baselineServers: r.baseline.processes,
    })),
    settings: {
      workerConcurrency: settings.workerConcurrency,
      pagingConcurrency: settings.pagingConcurrency,
      smsPerSecond: settings.messaging.smsPerSecond,
      ivrActionTimeoutMs: settings.ivr.actionTimeoutMs,
      pageAfterCallSeconds: settings.oncall.pageAfterCallSeconds,
      ackTimeoutSeconds: settings.oncall.ackTimeoutSeconds,
      publicBaseUrl: FRONT_URL,
      quietWaitMs: QUIET_MS,
      connections: CONNECTIONS,
      pageTimeoutMs: PAGE_TIMEOUT_MS,
    },
    calls: { warmup: WARMUP_CALLS, latency: LATENCY_CALLS, bursts: BURSTS, prepared: run.calls },
    dataPreparationSeconds: Number((run.data.ms / 1000).toFixed(1)),
    /** PostgreSQL transactions in cc_bench_paging over the servers' life ÷ calls (start-ups included). */
    transactionsPerCall: end.transactionsPerCall,
    /** One call at a time, topology A. */
    latency,
    warmupPageCallMs: Object.fromEntries(runs.map((r) => [r.topology.name, r.warmupPageCallMs])),
    sequential: Object.fromEntries(runs.map((r) => [r.topology.name, r.sequential])),
    bursts,
    /** Every prepared call, counted at the stand-in once every server has stopped. */
    final: { lost: end.final.lost, doubled: end.final.doubled },
    strayPages: end.strayPages,
    unexpectedRequests: standIn.unexpected.length,
    unexpectedRequestSamples: standIn.unexpected.slice(0, 10),
    listRequests: standIn.lists,
    failedWebhooks: failures.length,
    failedWebhookSamples: failures.slice(0, 10),
    serverLogs: Object.fromEntries(
      runs.flatMap((r) => r.servers.map((s) => [s.label, { lines: s.logCount, byMessage: s.logs }])),
    ),
    /** 1-minute load average before and after: other work on the machine skews the figures. */
    loadAverage: { before: run.loadBefore, after: loadavg()[0]! },
    hops: HOPS,
    targets: TARGETS,
    met,
  };
}
type Summary = ReturnType<typeof summarise>;

// The report -------------------------------------------------------------------------------------

const ms = (p: Percentiles) => `p50 ${p.p50} / p95 ${p.p95} / p99 ${p.p99} / max ${p.max} ms`;
const short = (p: Percentiles) => `${p.p50}/${p.p95}/${p.p99}/${p.max}`;
const waitsLine = (waits: Record<Webhook, Percentiles>) =>
  WEBHOOKS.map((w) => `${w} ${short(waits[w])}`).join(', ');

function burstLines(b: BurstFigures): string[] {
  const bare = b.baseline;
  return [
    `${b.topology} (${b.processes}), ${b.calls} calls at once: worst caller p99 ${b.worstCallerP99Ms} ms (${b.worstWebhook})` +
      (bare
        ? `, bare ×${bare.processes} ${bare.worstCallerP99Ms} ms (${bare.worstWebhook}): ratio ${b.ratioToBaseline}`
        : '') +
      `; end of call → page call ${ms(b.pageCallMs)}; lost ${b.lost}, doubled ${b.doubled}, not routed ${b.notRouted}`,
    `  waits p50/p95/p99/max ms: ${waitsLine(b.webhooksMs)}`,
    ...(bare ? [`  bare:                     ${waitsLine(bare.webhooksMs)}`] : []),
    `  last page call at ${b.wallMs} ms (${b.callsRoutedPerSecond} calls routed/s), last SMS at ${b.lastPageRequestMs} ms; ` +
      `end of call → SMS p95 ${b.pageSmsMs.p95} ms; PostgreSQL ${b.database.ok ? 'ok' : 'WRONG'} ` +
      `(${b.database.pages} pages, ${b.database.callMessages} calls + ${b.database.smsMessages} SMS, ` +
      `${b.database.messagesSentTwice} claimed twice)`,
    `  pages via ${JSON.stringify(b.pagesVia)}`,
    `  CPU (cores) to the last webhook answer ${JSON.stringify(b.webhooksCpuCores)}` +
      `${bare ? `; bare ${JSON.stringify(bare.cpuCores)}` : ''}`,
    `  CPU (cores) to the last page ${JSON.stringify(b.cpuCores)}`,
    `  CPU per call (ms) to the last page call ${JSON.stringify(b.cpuMsPerCall)}; callers' event loop delay p99 ${b.callersLoopMs.p99} / max ${b.callersLoopMs.max} ms`,
    `  PostgreSQL connections (sampled): ${JSON.stringify(b.connections)}`,
    hopLine(b.hopsMs),
  ];
}

/** One row per topology and burst: the figures issue 24 asks for. */
function tableLines(bursts: BurstFigures[]): string[] {
  const cells = [
    [
      'topology',
      'calls',
      'worst caller p99',
      'bare p99',
      'ratio',
      'page call p50/p95/p99/max',
      'lost',
      'doubled',
    ],
    ...bursts.map((b) => [
      `${b.topology} ${b.processes}`,
      String(b.calls),
      `${b.worstCallerP99Ms} (${b.worstWebhook})`,
      String(b.baseline?.worstCallerP99Ms ?? '-'),
      String(b.ratioToBaseline ?? '-'),
      short(b.pageCallMs),
      String(b.lost),
      String(b.doubled),
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

function report(summary: Summary, runs: Runs, wrong: string[], failures: string[]): string[] {
  const { machine: m, latency, bursts } = summary;
  const servers = runs.flatMap((r) => r.servers);
  const lines = [
    `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; load average ` +
      `${summary.loadAverage.before.toFixed(2)} before, ${summary.loadAverage.after.toFixed(2)} after (a shared machine)`,
    `servers (label pid): ${servers.map((s) => `${s.label} ${s.pid}`).join(', ')}; ` +
      `bare: ${runs.map((r) => r.baseline.processes.map((p) => `${r.topology.name}-${p.label} ${p.pid}`).join(', ')).join(', ')}; ` +
      `webhooks signed over ${FRONT_URL}, sent to the apis in turn`,
  ];
  if (latency)
    lines.push(
      `latency, A, ${latency.calls} calls one at a time (after ${WARMUP_CALLS} warm-up): end of call → page call ${ms(latency.pageCallMs)}`,
      `  → page SMS ${ms(latency.pageSmsMs)}`,
      `  waits p50/p95/p99/max ms: ${waitsLine(latency.webhooksMs)}`,
      `  pages via ${JSON.stringify(latency.pagesVia)}; CPU (cores) ${JSON.stringify(latency.cpuCores)}`,
      ...hopLines(latency.hopsMs),
    );
  for (const b of bursts) lines.push(...burstLines(b));
  for (const r of runs) {
    const s = r.sequential;
    lines.push(
      `${r.topology.name}, warm-up and sequential calls (${s.calls}): not routed ${s.notRouted}, lost ${s.lost}, ` +
        `doubled ${s.doubled}, PostgreSQL ${s.database.ok ? 'ok' : 'WRONG'}`,
    );
  }
  lines.push(
    `end of run: lost ${summary.final.lost}, doubled ${summary.final.doubled}; failed webhooks ${failures.length}; ` +
      `stray pages ${summary.strayPages}; unexpected Twilio requests ${summary.unexpectedRequests}; ` +
      `list requests ${summary.listRequests}`,
    ...[...wrong, ...failures.slice(0, 5)].map((w) => `  ! ${w}`),
    `PostgreSQL transactions per call (start-ups included): ${summary.transactionsPerCall}`,
    `server log lines at warn or above: ${servers.map((s) => `${s.label} ${s.logCount}`).join(', ')}`,
    ...servers.flatMap((s) => Object.entries(s.logs).map(([msg, n]) => `  ${s.label}: ${n} × ${msg}`)),
    `per topology and burst, ms (issue 24; connections ${CONNECTIONS}):`,
    ...tableLines(bursts),
    ...targetLines(latency, bursts),
  );
  return lines;
}

function targetLines(latency: { pageCallMs: Percentiles } | null, bursts: BurstFigures[]): string[] {
  const lines = bursts
    .filter((b) => b.calls === TARGETS.burstCalls)
    .map(
      (b) =>
        `target, ${b.topology} ${b.calls} calls at once: worst caller p99 ${b.worstCallerP99Ms} < ${TARGETS.webhookP99UnderMs} ms ` +
        `${verdict(b.worstCallerP99Ms < TARGETS.webhookP99UnderMs)}; page call p95 ${b.pageCallMs.p95} < ${TARGETS.burstPageP95UnderMs} ms ` +
        `${verdict(b.pageCallMs.p95 < TARGETS.burstPageP95UnderMs)}; 0 lost ${verdict(b.lost === 0)}; 0 doubled ${verdict(b.doubled === 0)}`,
    );
  if (latency)
    lines.push(
      `target, one call at a time: page call p95 ${latency.pageCallMs.p95} < ${TARGETS.sequentialPageP95UnderMs} ms ` +
        `${verdict(latency.pageCallMs.p95 < TARGETS.sequentialPageP95UnderMs)}`,
    );
  return lines;
}

// `npx tsx bench/paging.bench.ts`: this benchmark alone, saved like `npm run bench` saves it.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  installCleanup();
  const outcome = await runPagingBench();
  for (const line of outcome.report) console.log(line);
  console.log(`saved ${saveResult(outcome.result)}`);
  process.exit(outcome.passed ? 0 : 1);
}
