// The signed incoming-call webhook (signature check, call state in Redis, the flow's first answer
// as TwiML) against a bare Fastify route, 50 connections, in the same run.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { signTwilioRequest } from '../src/platform/twilio-webhook.js';
import { apiServer, FORM, knownPhone, LINE, prepareData, redisCpuMeter, unknownPhone } from './fixtures.js';
import {
  type BenchOutcome,
  type Check,
  type Contender,
  checkBare,
  compare,
  freePort,
  machine,
  type PreparedRequest,
  type Requests,
  RUN_OPTIONS,
  runLine,
  runRounds,
  startServer,
  timed,
  verdict,
} from './support.js';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200_000);
// Distinct calls prepared per run: enough for 40k req/s. Beyond that CallSids would repeat
// (a replayed CallSid takes a slightly different path); the summary says if it happened.
const MAX_RATE = 40_000;
const TARGETS = { ratioAtLeast: 0.3, webhookP99UnderMs: 10 };
const PATH = '/twilio/voice/incoming';
const GREETING = 'menu greeting';

export async function runWebhookBench(): Promise<BenchOutcome> {
  const loadBefore = loadavg()[0]!;
  const { value: versions } = await timed(
    `Preparing cc_bench: ${CUSTOMERS.toLocaleString('en')} customers with a phone each`,
    () => prepareData(CUSTOMERS),
  );
  const { env, settings } = apiServer(await freePort());
  const { authToken, accountSid } = settings.twilio;

  // Every request is a new call with its own CallSid: none is a replay. Both servers get the same
  // kind of body and headers, so the client's work is the same. Only bodies and signatures are
  // kept (~0.3 KB a request), to keep the load generator's heap, and its GC, small.
  const build = (url: string, n: number) => {
    // Four callers in five are customers, the others unknown numbers, as in real traffic.
    const params = {
      CallSid: `CA${randomBytes(16).toString('hex')}`,
      AccountSid: accountSid,
      From: n % 5 !== 0 ? knownPhone((n * 7919) % CUSTOMERS) : unknownPhone(n),
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
  const request = ({ body, signature }: { body: string; signature: string }): PreparedRequest => ({
    body,
    headers: { ...FORM, 'x-twilio-signature': signature },
    expect: GREETING,
  });
  let index = 0;
  const prepare = (port: number) => async (seconds: number) => {
    const url = `http://127.0.0.1:${port}${PATH}`;
    const count = MAX_RATE * seconds;
    const bodies = new Array<string>(count);
    const signatures = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const { body, signature } = build(url, index++);
      bodies[i] = body;
      signatures[i] = signature;
    }
    let i = 0;
    return {
      count,
      next: () => request({ body: bodies[i % count]!, signature: signatures[i++ % count]! }),
    } satisfies Requests;
  };

  const redisCpu = await redisCpuMeter();
  let bare: Awaited<ReturnType<typeof startServer>> | undefined;
  let webhook: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    bare = await startServer(new URL('./servers/bare.ts', import.meta.url).pathname);
    webhook = await startServer(new URL('./servers/api.ts', import.meta.url).pathname, env);

    // The out-of-hours flow greets and asks the menu before it identifies anyone, so a customer
    // and a stranger must get the same answer: the menu's <Gather>, whose answer comes back as
    // step 1. Anything else under load (the apology, which records a message) is a wrong answer.
    const probe = async (n: number) => {
      const answer = await fetch(`http://127.0.0.1:${webhook!.port}${PATH}`, {
        method: 'POST',
        ...request(build(`http://127.0.0.1:${webhook!.port}${PATH}`, n)),
      });
      const twiml = await answer.text();
      if (answer.status !== 200 || !twiml.includes('<Gather') || !twiml.includes('/twilio/voice/step?seq=1'))
        throw new Error(`webhook answered ${answer.status}: ${twiml}`);
      return twiml;
    };
    const greeting = await probe(1); // a customer
    if ((await probe(0)) !== greeting) throw new Error('a customer and a stranger got different greetings');
    const checkWebhook: Check = (body, expect) => {
      const kind = body === greeting ? GREETING : body.includes('<Record') ? 'apology (records)' : 'other';
      return { kind, ok: kind === expect };
    };

    const contenders: Contender[] = [
      { label: 'bare Fastify', server: bare, path: PATH, check: checkBare, prepare: prepare(bare.port) },
      {
        label: 'signed webhook',
        server: webhook,
        path: PATH,
        check: checkWebhook,
        prepare: prepare(webhook.port),
      },
    ];
    const rows = await runRounds(contenders, RUN_OPTIONS, redisCpu.seconds);
    const c = compare(rows, 'bare Fastify', 'signed webhook');
    const summary = {
      benchmark: 'signed incoming-call webhook vs bare Fastify',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(versions),
      customers: CUSTOMERS,
      ...RUN_OPTIONS,
      bareRequestsPerSecond: c.baselineRequestsPerSecond,
      webhookRequestsPerSecond: c.requestsPerSecond,
      ratio: c.ratio,
      bareP99Ms: c.baselineP99Ms,
      webhookP50Ms: c.p50Ms,
      webhookP99Ms: c.p99Ms,
      /** Server CPU per request (median of the rounds); the webhook's includes none of Redis's. */
      bareCpuUsPerRequest: c.baselineCpuUsPerRequest,
      webhookCpuUsPerRequest: c.cpuUsPerRequest,
      webhookRedisCpuUsPerRequest: c.redisCpuUsPerRequest,
      failedRequests: c.failedRequests,
      callSidsRepeated: c.repeated,
      /** 1-minute load average before and after: other work on the machine skews the figures. */
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      targets: TARGETS,
      met: { ratio: c.ratio >= TARGETS.ratioAtLeast, webhookP99: c.p99Ms < TARGETS.webhookP99UnderMs },
    };
    return {
      name: 'webhook',
      result: { summary, rows },
      report: [
        runLine(summary),
        `bare Fastify ${c.baselineRequestsPerSecond} req/s (p99 ${c.baselineP99Ms} ms), ` +
          `signed webhook ${c.requestsPerSecond} req/s (p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms)`,
        `server CPU per request: bare ${c.baselineCpuUsPerRequest} µs, webhook ${c.cpuUsPerRequest} µs ` +
          `+ ${c.redisCpuUsPerRequest} µs in Redis`,
        `ratio ${c.ratio} (target >= ${TARGETS.ratioAtLeast}: ${verdict(summary.met.ratio)}), ` +
          `webhook p99 ${c.p99Ms} ms (target < ${TARGETS.webhookP99UnderMs} ms: ${verdict(summary.met.webhookP99)}), ` +
          `failed requests ${c.failedRequests}${c.repeated ? ' (CallSids repeated: raise MAX_RATE)' : ''}`,
      ],
      passed: c.failedRequests === 0,
    };
  } finally {
    await Promise.all([bare?.stop(), webhook?.stop(), redisCpu.close()]);
  }
}
