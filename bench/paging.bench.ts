// On-call paging (issue 4): night calls on the out-of-hours line, driven through the real signed
// voice webhooks of `src/main.ts` processes, page the agency's on-call technician through the
// real Twilio SDK, which posts to a local stand-in of Twilio's REST API in this process.
//   latency:     sequential calls; the end of the call (the recording webhook sent) → the page's
//                Calls.json request arriving at the stand-in.
//   concurrency: 100 calls at once over two processes (`--role all` + `--role worker`) sharing
//                PostgreSQL and Redis; every technician must get exactly one call and one SMS.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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
import { cpuSeconds, freePort, installCleanup, machine, type Percentiles, percentiles } from './support.js';
import { type Arrival, startTwilioStandIn, type TwilioStandIn } from './twilio-stand-in.js';

const LATENCY_CALLS = Number(process.env.BENCH_PAGING_CALLS ?? 200);
const WARMUP_CALLS = Number(process.env.BENCH_PAGING_WARMUP ?? 10);
const CONCURRENT_CALLS = Number(process.env.BENCH_PAGING_CONCURRENT ?? 100);
// After the last expected page, how long to keep listening for late duplicates.
const QUIET_MS = Number(process.env.BENCH_PAGING_QUIET_MS ?? 5000);
// A page that has not arrived this long after its call ended is missed (the backstop is 240 s).
const PAGE_TIMEOUT_MS = 30_000;
const TARGETS = { latencyP95UnderMs: 300, concurrentCalls: 100 };

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'cc_bench_paging';
const DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/${DATABASE}`;
const REDIS_URL = 'redis://127.0.0.1:6379/14';
const REDIS_DB = 14;
const LINE = '+33970000001'; // ivr-flows/out-of-hours.yaml
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'bench-paging-auth-token';
const FROM_NUMBER = '+33970000000';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

// Call n comes from customer n, covered by agency n, whose one technician is on call: a page's
// To names its call.
const seven = (n: number) => String(n).padStart(7, '0');
const customerPhone = (n: number) => `+3361${seven(n)}`;
const technicianMobile = (n: number) => `+3362${seven(n)}`;
const MANAGER_MOBILE = '+33699999999';
const RUN_ID = Date.now().toString(16).padStart(16, '0');
const callSid = (n: number) => `CA${RUN_ID}${n.toString(16).padStart(16, '0')}`;

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
async function prepareData(agencies: number): Promise<{ postgres: string; redis: string }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.end();
  const { applyMigrations } = await import('../src/platform/db/migrations.js');
  await applyMigrations(DATABASE_URL); // creates the database, then prisma/migrations
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
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
       VALUES ($1, $2, now() - interval '1 day', now() + interval '7 days')`,
      [regionId, manager.rows[0].id],
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
       SELECT agency_id, id, 'individual', now() - interval '1 day', now() + interval '7 days'
       FROM technicians`,
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
// Servers: src/main.ts in child processes

interface MainProcess {
  label: string;
  role: 'all' | 'worker';
  pid: number;
  /** Warnings and errors it logged (pino JSON at LOG_LEVEL=warn), counted by message. */
  logs: Record<string, number>;
  logCount: number;
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

// The queues a page goes through: a process is ready when it consumes all of them.
const PAGE_QUEUES = [QUEUE_NAMES.paging, QUEUE_NAMES.outboxVoice, QUEUE_NAMES.outboxSms];

/** BullMQ worker connections per queue in Redis database 14 (a worker names its connection). */
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

/**
 * Starts `node --import tsx bench/servers/main.ts --role <role>` (src/main.ts) and waits until it
 * serves /healthz (api) and its paging and outbox workers are connected (`workersBefore` + 1).
 */
async function startMain(
  label: string,
  role: 'all' | 'worker',
  env: Record<string, string>,
  redis: CommandSender,
  workersBefore: number,
): Promise<MainProcess> {
  killChildrenOnExit();
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
  const proc: MainProcess = {
    label,
    role,
    pid: child.pid!,
    logs,
    logCount: 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
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

  const deadline = performance.now() + 120_000;
  const url = env.PORT ? `http://127.0.0.1:${env.PORT}/healthz` : null;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${label} exited before it was ready:\n${Object.keys(logs).join('\n')}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} not ready after 120 s:\n${Object.keys(logs).join('\n')}`);
    }
    const api =
      role === 'worker' ||
      url === null ||
      (await fetch(url)
        .then((r) => r.ok)
        .catch(() => false));
    const workers = await workerConnections(redis);
    if (api && PAGE_QUEUES.every((queue) => workers[queue]! > workersBefore)) return proc;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// A night call, as Twilio drives it

interface CallResult {
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

interface Caller {
  drive(n: number): Promise<CallResult>;
}

function caller(apiBaseUrl: string, willCallBack: string): Caller {
  const post = async (path: string, params: Record<string, string>) => {
    const signature = signTwilioRequest(AUTH_TOKEN, `${apiBaseUrl}${path}`, params);
    const started = performance.now();
    try {
      const answer = await fetch(`${apiBaseUrl}${path}`, {
        method: 'POST',
        headers: { ...FORM, 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      });
      const body = await answer.text();
      return { status: answer.status, body, ms: performance.now() - started };
    } catch (err) {
      // Connection refused or reset: counted as a failed webhook (status 0), like a non-200.
      return { status: 0, body: String(err), ms: performance.now() - started };
    }
  };
  return {
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
      const menuAnswer = await post(menu, { ...call, CallStatus: 'in-progress', Digits: '2' });
      result.menuMs = menuAnswer.ms;
      const address = actionOf(menuAnswer.body, 'Gather');
      if (menuAnswer.status !== 200 || !address) {
        failures.push(`menu: ${menuAnswer.status} ${menuAnswer.body.slice(0, 300)}`);
        return result;
      }
      // Key 1: the address is right. The case is opened and routed (page-now), then the flow asks
      // for the description.
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

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Requests per technician at the stand-in: anything but one call and one SMS each is wrong. */
function countPages(standIn: TwilioStandIn, calls: number[]) {
  let duplicates = 0;
  let misses = 0;
  const wrong: string[] = [];
  for (const n of calls) {
    for (const kind of ['call', 'sms'] as const) {
      const count = standIn.count(kind, technicianMobile(n));
      if (count === 0) misses++;
      if (count > 1) duplicates += count - 1;
      if (count !== 1 && wrong.length < 10) wrong.push(`call ${n}: ${count} ${kind} requests`);
    }
  }
  return { duplicates, misses, wrong };
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
async function cpuMeter(servers: MainProcess[]) {
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
    return {
      seconds: Number(seconds.toFixed(1)),
      ...Object.fromEntries(servers.map((s) => [s.label, cores(used(s.pid))])),
      postgres: cores(backends.reduce((sum, pid) => sum + used(pid), 0)),
      /** This process: the callers (signing, HTTP) and the Twilio stand-in. */
      bench: cores(((u) => (u.user + u.system) / 1e6)(process.cpuUsage(benchBefore))),
      machine: cores(machineAfter.busy - machineBefore.busy),
    };
  };
}

const HOPS = {
  release: 'end of call → paging job started (recording webhook, promote, worker pick-up)',
  attempt: 'paging job started → attempt row (page read)',
  callRow: 'attempt row → call row in the outbox (rota, attempt, timeline, request details)',
  enqueue: 'call row → send job added',
  pickUp: 'send job added → send job started',
  send: 'send job started → request at Twilio (message read and claimed, SDK)',
} as const;
type Hop = keyof typeof HOPS;

/**
 * Where each page's time went, from timestamps the code already writes: BullMQ's job hashes
 * (added, started) and the rows' times (attempt started_at, message created_at), all on this
 * machine's clock (ms), against the benchmark's own clock for the call's end and the arrival.
 */
async function hopTimes(
  redis: { hmGet(key: string, fields: string[]): Promise<Array<string | null>> },
  pages: Array<{ n: number; endedAt: number; arrivedAt: number }>,
): Promise<Record<Hop, Percentiles>> {
  const epoch = (at: number) => performance.timeOrigin + at;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const rows = new Map<string, { page: string; attempt: number; message: string; created: number }>();
  try {
    const { rows: found } = await db.query(
      `SELECT ph.e164, p.id AS page, extract(epoch FROM a.started_at) * 1000 AS attempt,
              m.id AS message, extract(epoch FROM m.created_at) * 1000 AS created
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
        message: r.message,
        created: Number(r.created),
      });
  } finally {
    await db.end();
  }
  const hops: Record<Hop, number[]> = {
    release: [],
    attempt: [],
    callRow: [],
    enqueue: [],
    pickUp: [],
    send: [],
  };
  for (const p of pages) {
    const row = rows.get(customerPhone(p.n));
    if (!row) continue;
    const [pagingStarted] = await redis.hmGet(`bull:paging:page-${row.page}-attempt-1`, ['processedOn']);
    const [sendAdded, sendStarted] = await redis.hmGet(
      `bull:${QUEUE_NAMES.outboxVoice}:send-${row.message}`,
      ['timestamp', 'processedOn'],
    );
    if (!pagingStarted || !sendAdded || !sendStarted) continue;
    hops.release.push(Number(pagingStarted) - epoch(p.endedAt));
    hops.attempt.push(row.attempt - Number(pagingStarted));
    hops.callRow.push(row.created - row.attempt);
    hops.enqueue.push(Number(sendAdded) - row.created);
    hops.pickUp.push(Number(sendStarted) - Number(sendAdded));
    hops.send.push(epoch(p.arrivedAt) - Number(sendStarted));
  }
  return Object.fromEntries(
    Object.entries(hops).map(([hop, values]) => [hop, percentiles(values)]),
  ) as Record<Hop, Percentiles>;
}

const hopLines = (hops: Record<Hop, Percentiles>) =>
  (Object.keys(HOPS) as Hop[]).map(
    (hop) => `    ${HOPS[hop].padEnd(82)} p50 ${hops[hop].p50} ms, p95 ${hops[hop].p95} ms`,
  );

const viaCounts = (arrivals: Arrival[]) =>
  arrivals.reduce<Record<string, number>>((m, a) => {
    const key = `${a.kind} via ${a.via}`;
    m[key] = (m[key] ?? 0) + 1;
    return m;
  }, {});

// ---------------------------------------------------------------------------------------------
// The benchmark

export async function runPagingBench(): Promise<PagingOutcome> {
  const loadBefore = loadavg()[0]!;
  const total = WARMUP_CALLS + LATENCY_CALLS + CONCURRENT_CALLS;
  const data = await timed(
    `Preparing ${DATABASE}: ${total} agencies, technicians and covered customers`,
    () => prepareData(total),
  );
  const templates = await loadTemplates(PATHS.messageTemplates);
  const willCallBack = templates.render('voice/oncall-will-call-back', 'fr').trim();
  // One stand-in listener per server process: a request's listener says which process sent it.
  const standIn = await startTwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, ['all', 'worker']);
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const apiPort = await freePort();
  const apiBaseUrl = `http://127.0.0.1:${apiPort}`;
  const env = (label: string): Record<string, string> => ({
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: apiBaseUrl,
    DATABASE_URL,
    REDIS_URL,
    LOG_LEVEL: 'warn',
    TELEPHONY: 'twilio',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: standIn.baseUrl(label),
    TWILIO_FROM_NUMBER: FROM_NUMBER,
    TWILIO_MESSAGING_SERVICE_SID: '',
    EMAIL: 'simulator',
    SMTP_URL: '',
    // Required with Twilio (signed links in messages); any 32+ characters do here.
    LINK_SIGNING_SECRET: 'bench-paging-link-signing-secret-0123456789',
    IVR_FLOWS_DIR: '',
    // No retries or escalation in the window: every page is one attempt, one call, one SMS.
    ONCALL_ACK_TIMEOUT_SECONDS: '3600',
    ONCALL_RETRY_DELAY_SECONDS: '3600',
  });
  // What the servers will read from that environment (bench/README.md quotes it).
  const settings = loadSettings({ ...process.env, ...env('all') }, ['--role', 'all']);
  const servers: MainProcess[] = [];
  try {
    await timed('Starting src/main.ts --role all, then --role worker', async () => {
      servers.push(await startMain('all', 'all', { ...env('all'), PORT: String(apiPort) }, redis, 0));
      servers.push(await startMain('worker', 'worker', env('worker'), redis, 1));
    });
    const drive = caller(apiBaseUrl, willCallBack);

    // Latency: one call at a time; each waits for its call and SMS before the next one starts.
    const sequential = async (calls: number[]) => {
      const results: Array<CallResult & { callMs: number | null; smsMs: number | null }> = [];
      for (const n of calls) {
        const call = await drive.drive(n);
        const [placed, texted] = !call.endedAt
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
    };
    const warmupCalls = range(0, WARMUP_CALLS);
    const latencyCalls = range(WARMUP_CALLS, LATENCY_CALLS);
    const concurrentCalls = range(WARMUP_CALLS + LATENCY_CALLS, CONCURRENT_CALLS);

    const warmup = await timed(`Warm-up: ${WARMUP_CALLS} calls, one at a time`, () =>
      sequential(warmupCalls),
    );
    const latencyCpu = await cpuMeter(servers);
    const latency = await timed(`Latency: ${LATENCY_CALLS} calls, one at a time`, () =>
      sequential(latencyCalls),
    );
    const latencyCpuUse = await latencyCpu();
    const latencyArrivals = standIn.arrivals.length;

    // Concurrency: every call at once; wall time from the first incoming webhook to the last page.
    const concurrencyCpu = await cpuMeter(servers);
    const concurrency = await timed(`Concurrency: ${CONCURRENT_CALLS} calls at once`, async () => {
      const backends = sampleBackends();
      const monotonicStartUs = Number(process.hrtime.bigint() / 1000n);
      const firstSent = performance.now();
      const calls = await Promise.all(concurrentCalls.map((n) => drive.drive(n)));
      const pages = await Promise.all(
        concurrentCalls.map((n) =>
          Promise.all([
            standIn.first('call', technicianMobile(n), PAGE_TIMEOUT_MS),
            standIn.first('sms', technicianMobile(n), PAGE_TIMEOUT_MS),
          ]),
        ),
      );
      const arrived = pages.flat().filter((a): a is Arrival => a !== null);
      const lastPage = arrived.length ? Math.max(...arrived.map((a) => a.at)) : Number.NaN;
      const placed = pages.flatMap(([call]) => (call ? [call.at] : []));
      const lastCall = placed.length ? Math.max(...placed) : Number.NaN;
      const monotonicEndUs = Number(process.hrtime.bigint() / 1000n);
      const cpu = await concurrencyCpu();
      const connections = await backends();
      // Late duplicates (a second worker sending the same page) would come now.
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const window = [monotonicStartUs, monotonicEndUs];
      return { firstSent, calls, pages, lastPage, lastCall, cpu, connections, window };
    });
    const c = concurrency.value;
    const concurrencyCpuUse = c.cpu;

    // Checks: the stand-in's counts per technician, then PostgreSQL.
    const allCalls = [...warmupCalls, ...latencyCalls, ...concurrentCalls];
    const sequentialCount = countPages(standIn, [...warmupCalls, ...latencyCalls]);
    const concurrentCount = countPages(standIn, concurrentCalls);
    const expected = new Set(allCalls.map(technicianMobile));
    const strayPages = standIn.arrivals.filter((a) => !expected.has(a.to)).length;
    const dbSequential = await checkDatabase([...warmupCalls, ...latencyCalls]);
    const dbConcurrent = await checkDatabase(concurrentCalls);
    const failedWebhooks = [...warmup.value, ...latency.value, ...c.calls].flatMap((r) =>
      r.failures.map((f) => `call ${r.n}: ${f}`),
    );

    const ok = (r: { failures: string[] }) => r.failures.length === 0;
    const latencyHops = await hopTimes(
      redis,
      latency.value.flatMap((r) => {
        const placed = standIn.arrivals.find((a) => a.kind === 'call' && a.to === technicianMobile(r.n));
        return placed && ok(r) ? [{ n: r.n, endedAt: r.endedAt, arrivedAt: placed.at }] : [];
      }),
    );
    const concurrencyHops = await hopTimes(
      redis,
      c.calls.flatMap((r, i) => {
        const placed = c.pages[i]?.[0];
        return placed && ok(r) ? [{ n: r.n, endedAt: r.endedAt, arrivedAt: placed.at }] : [];
      }),
    );
    const latencies = percentiles(latency.value.flatMap((r) => (r.callMs === null ? [] : [r.callMs])));
    const smsLatencies = percentiles(latency.value.flatMap((r) => (r.smsMs === null ? [] : [r.smsMs])));
    const recordingWebhook = percentiles(latency.value.filter(ok).map((r) => r.recordingMs));
    const menuWebhook = percentiles(latency.value.filter(ok).map((r) => r.menuMs));
    const routingWebhook = percentiles(latency.value.filter(ok).map((r) => r.routingMs));
    const concurrentLatency = percentiles(
      c.calls.flatMap((r, i) => {
        const placed = c.pages[i]?.[0];
        return placed && ok(r) ? [placed.at - r.endedAt] : [];
      }),
    );
    // Servers stopped first: a backend's transaction counts reach pg_stat_database when it ends.
    await Promise.all(servers.map((s) => s.stop()));
    const transactionsPerCall = Number(((await databaseTransactions()) / allCalls.length).toFixed(1));
    // A call is routed when its page call reaches Twilio; the SMS follow at the sender's rate
    // (SMS_RATE_PER_SECOND, shared by every worker), so the last SMS is reported apart.
    const wallMs = c.lastCall - c.firstSent;
    const callsPerSecond = CONCURRENT_CALLS / (wallMs / 1000);
    const summary = {
      benchmark: 'on-call paging: end of a night call → first page at the Twilio API; concurrent night calls',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(data.value),
      servers: servers.map((s) => ({ label: s.label, role: s.role })),
      settings: {
        workerConcurrency: settings.workerConcurrency,
        smsPerSecond: settings.messaging.smsPerSecond,
        ivrActionTimeoutMs: settings.ivr.actionTimeoutMs,
        pageAfterCallSeconds: settings.oncall.pageAfterCallSeconds,
        ackTimeoutSeconds: settings.oncall.ackTimeoutSeconds,
      },
      calls: { warmup: WARMUP_CALLS, latency: LATENCY_CALLS, concurrent: CONCURRENT_CALLS },
      dataPreparationSeconds: Number((data.ms / 1000).toFixed(1)),
      /** PostgreSQL transactions in cc_bench_paging over the servers' life ÷ calls (start-up included). */
      transactionsPerCall,
      latency: {
        /** Recording webhook sent → Calls.json request at the stand-in, ms. */
        firstCallMs: latencies,
        /** Recording webhook sent → Messages.json request at the stand-in, ms. */
        firstSmsMs: smsLatencies,
        /** How long the recording webhook took to answer (the caller's wait), ms. */
        recordingWebhookMs: recordingWebhook,
        /** The menu answer (identify, eligibility, the address read back), ms. */
        menuWebhookMs: menuWebhook,
        /** The address confirmed (open case, route-on-call, "the technician will call back"), ms. */
        routingWebhookMs: routingWebhook,
        incomingWebhookMs: percentiles(latency.value.filter(ok).map((r) => r.incomingMs)),
        statusCallbackMs: percentiles(latency.value.filter(ok).map((r) => r.statusMs)),
        warmupFirstCallMs: percentiles(warmup.value.flatMap((r) => (r.callMs === null ? [] : [r.callMs]))),
        seconds: Number((latency.ms / 1000).toFixed(1)),
        /** CPU used over the run, in cores: each server, cc_bench_paging's backends, the whole machine. */
        cpuCores: latencyCpuUse,
        hopsMs: latencyHops,
        pagesVia: viaCounts(standIn.arrivals.slice(0, latencyArrivals)),
      },
      concurrency: {
        calls: CONCURRENT_CALLS,
        /** First incoming webhook sent → last page call (Calls.json) at the stand-in. */
        wallMs: Math.round(wallMs),
        callsRoutedPerSecond: Number(callsPerSecond.toFixed(1)),
        /** First incoming webhook sent → last page request of any kind (the SMS are rate-limited). */
        lastPageRequestMs: Math.round(c.lastPage - c.firstSent),
        /** Per call: recording webhook sent → its Calls.json request, ms. */
        firstCallMs: concurrentLatency,
        recordingWebhookMs: percentiles(c.calls.filter(ok).map((r) => r.recordingMs)),
        menuWebhookMs: percentiles(c.calls.filter(ok).map((r) => r.menuMs)),
        routingWebhookMs: percentiles(c.calls.filter(ok).map((r) => r.routingMs)),
        incomingWebhookMs: percentiles(c.calls.filter(ok).map((r) => r.incomingMs)),
        statusCallbackMs: percentiles(c.calls.filter(ok).map((r) => r.statusMs)),
        /** Callers sent to a fallback (leave a message) instead of "the technician will call back". */
        notRouted: c.calls.filter((r) => r.notRouted).length,
        duplicates: concurrentCount.duplicates,
        misses: concurrentCount.misses,
        quietWaitMs: QUIET_MS,
        /** Up to the last page (the quiet wait excluded). */
        cpuCores: concurrencyCpuUse,
        /** The servers' PostgreSQL connections by state, sampled every 100 ms up to the last page. */
        connections: c.connections,
        hopsMs: concurrencyHops,
        /**
         * The run on the monotonic clock (µs), the clock of a .cpuprofile's timestamps: to cut the
         * servers' profiles (BENCH_NODE_ARGS="--cpu-prof ...") to this run.
         */
        monotonicWindowUs: c.window,
        pagesVia: viaCounts(standIn.arrivals.slice(latencyArrivals)),
        database: dbConcurrent,
      },
      sequential: {
        ...sequentialCount,
        notRouted: [...warmup.value, ...latency.value].filter((r) => r.notRouted).length,
        database: dbSequential,
      },
      strayPages,
      unexpectedRequests: standIn.unexpected.slice(0, 10),
      listRequests: standIn.lists,
      failedWebhooks: failedWebhooks.length,
      failedWebhookSamples: failedWebhooks.slice(0, 10),
      serverLogs: Object.fromEntries(servers.map((s) => [s.label, { lines: s.logCount, byMessage: s.logs }])),
      /** 1-minute load average before and after: other work on the machine skews the figures. */
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      hops: HOPS,
      targets: TARGETS,
      met: {
        latencyP95: latencies.p95 < TARGETS.latencyP95UnderMs,
        concurrency:
          CONCURRENT_CALLS >= TARGETS.concurrentCalls &&
          c.calls.every((r) => !r.notRouted && r.failures.length === 0) &&
          concurrentCount.duplicates === 0 &&
          concurrentCount.misses === 0 &&
          dbConcurrent.ok,
      },
    };
    const passed =
      failedWebhooks.length === 0 &&
      sequentialCount.duplicates +
        sequentialCount.misses +
        concurrentCount.duplicates +
        concurrentCount.misses ===
        0 &&
      strayPages === 0 &&
      standIn.unexpected.length === 0 &&
      dbSequential.ok &&
      dbConcurrent.ok;
    const ms = (p: Percentiles) => `p50 ${p.p50} / p95 ${p.p95} / p99 ${p.p99} / max ${p.max} ms`;
    const m = summary.machine;
    return {
      name: 'paging',
      result: { summary, rows: [] },
      report: [
        `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
          `load average ${loadBefore.toFixed(2)} before, ${summary.loadAverage.after.toFixed(2)} after`,
        `servers: src/main.ts --role all (webhooks, workers) + --role worker; Twilio stand-in in this process`,
        `latency, ${LATENCY_CALLS} sequential calls (after ${WARMUP_CALLS} warm-up): end of call → page call at Twilio ${ms(latencies)}`,
        `  → page SMS at Twilio ${ms(smsLatencies)}`,
        `  the caller's waits: menu answer ${ms(menuWebhook)}, address answer (routing) ${ms(routingWebhook)}, ` +
          `recording webhook ${ms(recordingWebhook)}`,
        `  pages sent via: ${JSON.stringify(summary.latency.pagesVia)}; CPU (cores) ${JSON.stringify(latencyCpuUse)}`,
        ...hopLines(latencyHops),
        `concurrency, ${CONCURRENT_CALLS} calls at once: ${Math.round(wallMs)} ms from the first webhook to the last page call, ` +
          `${summary.concurrency.callsRoutedPerSecond} calls routed/s (last page SMS at ${summary.concurrency.lastPageRequestMs} ms, ` +
          `${settings.messaging.smsPerSecond} SMS/s); end of call → page call ${ms(concurrentLatency)}`,
        `  the caller's waits: incoming ${ms(summary.concurrency.incomingWebhookMs)}, menu answer ${ms(summary.concurrency.menuWebhookMs)}, ` +
          `address answer (routing) ${ms(summary.concurrency.routingWebhookMs)}, ` +
          `recording webhook ${ms(summary.concurrency.recordingWebhookMs)}`,
        `  callers not routed (sent to a fallback) ${summary.concurrency.notRouted}; ` +
          `duplicates ${concurrentCount.duplicates}, misses ${concurrentCount.misses} (stand-in, ${QUIET_MS} ms quiet wait); ` +
          `PostgreSQL: ${dbConcurrent.pages} pages, ${dbConcurrent.attempts} attempts (${dbConcurrent.attemptsNumbered1} numbered 1), ` +
          `${dbConcurrent.callMessages} calls + ${dbConcurrent.smsMessages} SMS in the outbox, ${dbConcurrent.messagesSentTwice} claimed twice: ${dbConcurrent.ok ? 'ok' : 'WRONG'}`,
        `  pages sent via: ${JSON.stringify(summary.concurrency.pagesVia)}; CPU (cores) ${JSON.stringify(concurrencyCpuUse)}`,
        `  PostgreSQL connections (sampled): ${JSON.stringify(c.connections)}`,
        ...hopLines(concurrencyHops),
        `sequential calls: not routed ${summary.sequential.notRouted}, duplicates ${sequentialCount.duplicates}, misses ${sequentialCount.misses}, PostgreSQL ${dbSequential.ok ? 'ok' : 'WRONG'}; ` +
          `failed webhooks ${failedWebhooks.length}; stray pages ${strayPages}; unexpected Twilio requests ${standIn.unexpected.length}; list requests ${standIn.lists}`,
        ...[...sequentialCount.wrong, ...concurrentCount.wrong, ...failedWebhooks.slice(0, 5)].map(
          (w) => `  ! ${w}`,
        ),
        `PostgreSQL transactions per call (start-up included): ${transactionsPerCall}`,
        `server log lines at warn or above: ${servers.map((s) => `${s.label} ${s.logCount}`).join(', ')}`,
        ...servers.flatMap((s) => Object.entries(s.logs).map(([msg, n]) => `  ${s.label}: ${n} × ${msg}`)),
        `targets: p95 ${latencies.p95} ms < ${TARGETS.latencyP95UnderMs} ms: ${verdict(summary.met.latencyP95)}; ` +
          `${CONCURRENT_CALLS} simultaneous calls, all routed, no duplicate, no miss: ${verdict(summary.met.concurrency)}`,
      ],
      passed,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all([standIn.close(), redis.close().catch(() => undefined)]);
  }
}

// `npx tsx bench/paging.bench.ts`: this benchmark alone, saved like `npm run bench` saves it.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  installCleanup();
  const outcome = await runPagingBench();
  for (const line of outcome.report) console.log(line);
  console.log(`saved ${saveResult(outcome.result)}`);
  process.exit(outcome.passed ? 0 : 1);
}
