// The signed incoming-call webhook (signature check, caller lookup over the customers' phones,
// call state in Redis, TwiML) against a bare Fastify route, 50 connections, in the same run.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import pg from 'pg';
import { createClient } from 'redis';
import { loadSettings } from '../src/platform/config.js';
import { applyMigrations } from '../src/platform/db/migrations.js';
import { signTwilioRequest } from '../src/platform/twilio-webhook.js';
import {
  type Check,
  load,
  type Machine,
  type Measurement,
  machine,
  median,
  type PreparedRequest,
  startServer,
} from './support.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 50;
// Distinct calls prepared per run: enough for 40k req/s. Beyond that CallSids would repeat
// (a replayed CallSid takes a slightly different path); the summary says if it happened.
const MAX_RATE = 40_000;
const LINE = '+33970000001'; // ivr-flows/out-of-hours.yaml
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/cc_bench';
const REDIS_URL = 'redis://127.0.0.1:6379/15';
const TARGETS = { ratioAtLeast: 0.3, webhookP99UnderMs: 10 };
const BARE_ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Bonjour</Say></Response>';

// Customer i has +3361xxxxxxx; callers not in the base come from +3367xxxxxxx.
const knownPhone = (i: number) => `+3361${String(i).padStart(7, '0')}`;
const unknownPhone = (i: number) => `+3367${String(i % 10_000_000).padStart(7, '0')}`;

async function prepareData(): Promise<{ postgres: string; redis: string }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS cc_bench WITH (FORCE)');
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.end();
  await applyMigrations(DATABASE_URL); // creates the database, then prisma/migrations
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO customers (reference, last_name, first_name, address_line, postcode, city, updated_at)
       SELECT 'B' || i, 'Nom' || i, 'Prénom', i || ' rue du Banc', '69002', 'Lyon', now()
       FROM generate_series(0, $1 - 1) AS i`,
      [CUSTOMERS],
    );
    await db.query(
      `INSERT INTO customer_phones (customer_id, e164, kind)
       SELECT c.id, '+3361' || lpad(substr(c.reference, 2), 7, '0'), 'MOBILE' FROM customers c`,
    );
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface WebhookBenchResult {
  summary: {
    benchmark: string;
    date: string;
    machine: Machine;
    customers: number;
    connections: number;
    seconds: number;
    warmupSeconds: number;
    rounds: number;
    bareRequestsPerSecond: number;
    webhookRequestsPerSecond: number;
    ratio: number;
    bareP99Ms: number;
    webhookP50Ms: number;
    webhookP99Ms: number;
    /** Server CPU per request (median of the rounds); the webhook's includes none of Redis's. */
    bareCpuUsPerRequest: number;
    webhookCpuUsPerRequest: number;
    webhookRedisCpuUsPerRequest: number;
    failedRequests: number;
    callSidsRepeated: boolean;
    /** 1-minute load average before and after: other work on the machine skews the figures. */
    loadAverage: { before: number; after: number };
    targets: typeof TARGETS;
    met: { ratio: boolean; webhookP99: boolean };
  };
  rows: Measurement[];
}

export async function runWebhookBench(): Promise<WebhookBenchResult> {
  console.log(`Preparing cc_bench: ${CUSTOMERS.toLocaleString('en')} customers with a phone each...`);
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const versions = await prepareData();
  console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const webhookPort = await freePort();
  const webhookEnv = {
    PORT: String(webhookPort),
    DATABASE_URL,
    REDIS_URL,
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: `http://127.0.0.1:${webhookPort}`,
    // Simulator mode whatever the shell has: the token is the simulator's, nothing leaves.
    TELEPHONY: 'simulator',
    EMAIL: 'simulator',
  };
  // The same settings the server reads, so the signatures are made with its token and base URL.
  const settings = loadSettings({ ...process.env, ...webhookEnv }, ['--role', 'api']);
  const { authToken, accountSid } = settings.twilio;

  // Requests are signed before each run, so the load generator (sharing the two cores) spends
  // its time sending, not hashing (~12 µs a request). Every request has its own CallSid: none is
  // a replay. Both servers get the same kind of body and headers, so the client's work is the
  // same. Only bodies and signatures are kept (~0.3 KB a request), to keep the load generator's
  // heap, and its garbage collector, small.
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const build = (url: string, n: number) => {
    // Four callers in five are customers; the others are unknown numbers (a lookup that misses).
    const known = n % 5 !== 0;
    const params = {
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      AccountSid: accountSid,
      From: known ? knownPhone((n * 7919) % CUSTOMERS) : unknownPhone(n),
      To: LINE,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    return {
      body: new URLSearchParams(params).toString(),
      signature: signTwilioRequest(authToken, url, params),
    };
  };
  const expectFor = (n: number) => (n % 5 !== 0 ? 'recognised' : 'unrecognised');
  const one = (port: number, n: number): PreparedRequest => {
    const { body, signature } = build(`http://127.0.0.1:${port}/twilio/voice/incoming`, n);
    return { body, headers: { ...FORM, 'x-twilio-signature': signature }, expect: expectFor(n) };
  };
  /** `count` signed requests, handed out in turn (from the start again if a run outpaces them). */
  const prepare = (port: number, count: number, firstIndex: number): (() => PreparedRequest) => {
    const url = `http://127.0.0.1:${port}/twilio/voice/incoming`;
    const bodies = new Array<string>(count);
    const signatures = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const { body, signature } = build(url, firstIndex + i);
      bodies[i] = body;
      signatures[i] = signature;
    }
    let i = 0;
    return () => {
      const k = i++ % count;
      return {
        body: bodies[k]!,
        headers: { ...FORM, 'x-twilio-signature': signatures[k]! },
        expect: expectFor(firstIndex + k),
      };
    };
  };

  // Redis's own CPU time (INFO cpu), read around each run: the webhook's Redis work is part of
  // what a call costs, on the same two cores.
  const redisInfo = createClient({ url: REDIS_URL });
  await redisInfo.connect();
  const redisCpuSeconds = async () => {
    const info = await redisInfo.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return field('used_cpu_sys') + field('used_cpu_user');
  };

  let bare: Awaited<ReturnType<typeof startServer>> | undefined;
  let webhook: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    bare = await startServer(new URL('./servers/bare.ts', import.meta.url).pathname);
    webhook = await startServer(new URL('./servers/webhook.ts', import.meta.url).pathname, webhookEnv);

    // The two greetings the webhook must answer: one for a customer's number, one for a stranger.
    // Anything else under load (the apology TwiML, which also records) counts as a wrong answer.
    const probe = async (request: PreparedRequest) => {
      const answer = await fetch(`http://127.0.0.1:${webhook!.port}/twilio/voice/incoming`, {
        method: 'POST',
        body: request.body,
        headers: request.headers,
      });
      const twiml = await answer.text();
      if (answer.status !== 200 || !twiml.includes('<Record'))
        throw new Error(`webhook answered ${answer.status}: ${twiml}`);
      return twiml;
    };
    const greeting = {
      recognised: await probe(one(webhook.port, 1)),
      unrecognised: await probe(one(webhook.port, 0)), // n % 5 === 0: a stranger
    };
    if (greeting.recognised === greeting.unrecognised)
      throw new Error('a customer and a stranger got the same greeting: the caller lookup found nobody');
    const checkWebhook: Check = (body, expect) => {
      const kind =
        body === greeting.recognised
          ? 'recognised'
          : body === greeting.unrecognised
            ? 'unrecognised'
            : body.includes('<Record')
              ? 'other TwiML with <Record (apology?)'
              : 'other';
      return { kind, ok: kind === expect };
    };
    const checkBare: Check = (body) => ({ kind: 'fixed XML', ok: body === BARE_ANSWER });

    const perRun = MAX_RATE * SECONDS;
    const perWarmup = MAX_RATE * WARMUP_SECONDS;
    const rows: Measurement[] = [];
    let callSidsRepeated = false;
    let index = 2;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, server, check] of [
        ['bare Fastify', bare, checkBare],
        ['signed webhook', webhook, checkWebhook],
      ] as const) {
        const url = `http://127.0.0.1:${server.port}/twilio/voice/incoming`;
        const options = { connections: CONNECTIONS };
        const warmup = prepare(server.port, perWarmup, index);
        index += perWarmup;
        const meters = { serverPid: server.pid, redisCpuSeconds };
        await load(label, round, url, warmup, check, meters, { ...options, seconds: WARMUP_SECONDS });
        const measured = prepare(server.port, perRun, index);
        index += perRun;
        const row = await load(label, round, url, measured, check, meters, {
          ...options,
          seconds: SECONDS,
        });
        if (server === webhook && row.requests > perRun) callSidsRepeated = true;
        console.log(
          `  round ${round} ${label.padEnd(14)} ${String(Math.round(row.requestsPerSecond)).padStart(6)} req/s` +
            `  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  non-2xx ${row.non2xx}  errors ${row.errors}` +
            `  wrong answers ${row.wrongAnswers}  server CPU ${row.serverCpuUsPerRequest} µs/req` +
            ` (busy ${row.serverBusy})  Redis CPU ${row.redisCpuUsPerRequest} µs/req`,
        );
        rows.push(row);
      }
    }

    const of = (label: string) => rows.filter((r) => r.label === label);
    const bareRps = median(of('bare Fastify').map((r) => r.requestsPerSecond));
    const hookRps = median(of('signed webhook').map((r) => r.requestsPerSecond));
    const webhookP99Ms = median(of('signed webhook').map((r) => r.p99Ms));
    const ratio = Number((hookRps / bareRps).toFixed(3));
    return {
      summary: {
        benchmark: 'signed incoming-call webhook vs bare Fastify',
        date: new Date().toISOString().slice(0, 10),
        machine: machine(versions),
        customers: CUSTOMERS,
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        rounds: ROUNDS,
        bareRequestsPerSecond: Math.round(bareRps),
        webhookRequestsPerSecond: Math.round(hookRps),
        ratio,
        bareP99Ms: median(of('bare Fastify').map((r) => r.p99Ms)),
        webhookP50Ms: median(of('signed webhook').map((r) => r.p50Ms)),
        webhookP99Ms,
        bareCpuUsPerRequest: median(of('bare Fastify').map((r) => r.serverCpuUsPerRequest)),
        webhookCpuUsPerRequest: median(of('signed webhook').map((r) => r.serverCpuUsPerRequest)),
        webhookRedisCpuUsPerRequest: median(of('signed webhook').map((r) => r.redisCpuUsPerRequest)),
        failedRequests: rows.reduce((sum, r) => sum + r.non2xx + r.errors + r.wrongAnswers, 0),
        callSidsRepeated,
        loadAverage: { before: loadBefore, after: loadavg()[0]! },
        targets: TARGETS,
        met: { ratio: ratio >= TARGETS.ratioAtLeast, webhookP99: webhookP99Ms < TARGETS.webhookP99UnderMs },
      },
      rows,
    };
  } finally {
    await Promise.all([bare?.stop(), webhook?.stop(), redisInfo.close().catch(() => undefined)]);
  }
}

export function saveResult(name: string, result: unknown): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const path = new URL(`${name}-${new Date().toISOString().slice(0, 10)}.json`, dir).pathname;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
