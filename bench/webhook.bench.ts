// The signed incoming-call webhook (signature check, caller lookup over the customers' phones,
// call state in Redis, TwiML) against a bare Fastify route, 50 connections, in the same run.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { createClient } from 'redis';
import { loadSettings } from '../src/platform/config.js';
import { applyMigrations } from '../src/platform/db/migrations.js';
import { signTwilioRequest } from '../src/platform/twilio-webhook.js';
import { load, type Measurement, machine, median, startServer } from './support.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 50;
// Enough distinct calls for a run at 40k req/s (beyond that, CallSids would repeat).
const REQUESTS_PER_RUN = 40_000 * (SECONDS + 2);
const LINE = '+33970000001';
const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/cc_bench';
const REDIS_URL = 'redis://127.0.0.1:6379/15';

const knownPhone = (i: number) => `+3361${String(i).padStart(7, '0')}`;

async function prepareData(): Promise<void> {
  const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS cc_bench WITH (FORCE)');
  await admin.end();
  await applyMigrations(DATABASE_URL);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(
    `INSERT INTO customers (reference, last_name, first_name, address_line, postcode, city, updated_at)
     SELECT 'B' || i, 'Nom' || i, 'Prénom', i || ' rue du Banc', '69002', 'Lyon', now() FROM generate_series(0, $1 - 1) AS i`,
    [CUSTOMERS],
  );
  await db.query(
    `INSERT INTO customer_phones (customer_id, e164, kind)
     SELECT c.id, '+3361' || lpad(substr(c.reference, 2), 7, '0'), 'MOBILE' FROM customers c`,
  );
  await db.query('ANALYZE');
  await db.end();
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  await redis.flushDb();
  await redis.close();
}

export async function runWebhookBench(): Promise<{ summary: Record<string, unknown>; rows: Measurement[] }> {
  console.log(`Loading ${CUSTOMERS.toLocaleString('en')} customers with a phone each...`);
  await prepareData();
  const bare = await startServer(new URL('./servers/bare.ts', import.meta.url).pathname);
  const webhookPort = 30_000 + Math.floor(Math.random() * 10_000);
  const webhook = await startServer(new URL('./servers/webhook.ts', import.meta.url).pathname, {
    PORT: String(webhookPort),
    DATABASE_URL,
    REDIS_URL,
  });
  const token = loadSettings({}, []).twilio.authToken;
  const accountSid = loadSettings({}, []).twilio.accountSid;

  // Requests are signed before the run, so the load generator (sharing the two cores) spends
  // its time sending, not hashing. Every request has its own CallSid: none is a replay.
  const requestsFor = (port: number, count: number) => {
    const url = `http://127.0.0.1:${port}/twilio/voice/incoming`;
    return Array.from({ length: count }, (_, n) => {
      // Four callers in five are customers; the others are unknown numbers (a lookup that misses).
      const from =
        n % 5 === 0 ? `+3367${String(n % 10_000_000).padStart(7, '0')}` : knownPhone((n * 7919) % CUSTOMERS);
      const params = {
        CallSid: `CA${randomBytes(16).toString('hex')}`,
        AccountSid: accountSid,
        From: from,
        To: LINE,
        CallStatus: 'ringing',
        Direction: 'inbound',
      };
      return {
        body: new URLSearchParams(params).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(token, url, params),
        },
      };
    });
  };
  const cycle = (requests: Array<{ body: string; headers: Record<string, string> }>) => {
    let n = 0;
    return () => requests[n++ % requests.length]!;
  };

  try {
    // The webhook must really do its job under load: check one answer first.
    const probe = requestsFor(webhookPort, 1)[0]!;
    const answer = await fetch(`http://127.0.0.1:${webhookPort}/twilio/voice/incoming`, {
      method: 'POST',
      ...probe,
    });
    const twiml = await answer.text();
    if (answer.status !== 200 || !twiml.includes('<Record'))
      throw new Error(`webhook answered ${answer.status}: ${twiml}`);

    const rows: Measurement[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, port] of [
        ['bare Fastify', bare.port],
        ['signed webhook', webhookPort],
      ] as const) {
        const url = `http://127.0.0.1:${port}/twilio/voice/incoming`;
        const requests = requestsFor(port, REQUESTS_PER_RUN);
        await load(label, url, cycle(requests.slice(0, REQUESTS_PER_RUN / 10)), {
          connections: CONNECTIONS,
          seconds: 2,
        }); // warm-up
        const row = await load(label, url, cycle(requests.slice(REQUESTS_PER_RUN / 10)), {
          connections: CONNECTIONS,
          seconds: SECONDS,
        });
        console.log(
          `  round ${round} ${label}: ${Math.round(row.requestsPerSecond)} req/s, p99 ${row.p99Ms} ms, non-2xx ${row.non2xx}, errors ${row.errors}`,
        );
        rows.push(row);
      }
    }
    const of = (label: string) => rows.filter((r) => r.label === label);
    const bareRps = median(of('bare Fastify').map((r) => r.requestsPerSecond));
    const hookRps = median(of('signed webhook').map((r) => r.requestsPerSecond));
    const summary = {
      benchmark: 'signed incoming-call webhook vs bare Fastify',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(),
      customers: CUSTOMERS,
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      bareRequestsPerSecond: Math.round(bareRps),
      webhookRequestsPerSecond: Math.round(hookRps),
      ratio: Number((hookRps / bareRps).toFixed(3)),
      webhookP99Ms: median(of('signed webhook').map((r) => r.p99Ms)),
      failedRequests: of('signed webhook').reduce((sum, r) => sum + r.non2xx + r.errors, 0),
      targets: { ratioAtLeast: 0.3, p99UnderMs: 10 },
    };
    return { summary, rows };
  } finally {
    bare.stop();
    webhook.stop();
  }
}

export function saveResult(name: string, result: unknown): string {
  const path = new URL(`./results/${name}-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url)
    .pathname;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
