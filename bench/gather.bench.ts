// A mid-flow IVR gather step against a bare Fastify route, 50 connections, in the same run: the
// caller keys 1 at the menu of flows/identify.yaml; the api checks the signature, reads the
// call's state from Redis, runs the flow (identify-caller: a lookup in the phone index over all
// the customers' numbers) to the next gather, stores the new state and answers its TwiML.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import type { CallState } from '../src/ivr/call-state.js';
import { loadTemplates } from '../src/messaging/templates.js';
import { PATHS } from '../src/platform/paths.js';
import { signTwilioRequest } from '../src/platform/twilio-webhook.js';
import type { Settings } from '../src/settings.js';
import {
  apiServer,
  DATABASE_URL,
  FORM,
  knownPhone,
  LINE,
  prepareData,
  REDIS_URL,
  redisCpuMeter,
  unknownPhone,
} from './fixtures.js';
import {
  type BenchOutcome,
  type Check,
  type Contender,
  checkBare,
  compare,
  freePort,
  load,
  type Measurement,
  machine,
  type PreparedRequest,
  type Requests,
  RUN_OPTIONS,
  runLine,
  runRounds,
  type Server,
  startServer,
  timed,
  verdict,
} from './support.js';

const CUSTOMERS = Number(process.env.BENCH_GATHER_CUSTOMERS ?? 1_000_000);
// Calls are put at the menu before each run: enough for twice the best step rate seen so far,
// and for MIN_RATE steps a second at least. A run that outpaced them would replay steps, answered
// from the stored reply (cheaper): the benchmark then fails.
const MIN_RATE = Number(process.env.BENCH_GATHER_MIN_RATE ?? 10_000);
const MARGIN = 2;
const TARGETS = { ratioAtLeast: 0.2, gatherP99UnderMs: 15 };
const INCOMING = '/twilio/voice/incoming';
const STEP = '/twilio/voice/step?seq=1'; // the menu's answer: the first of the call
const FLOWS_DIR = fileURLToPath(new URL('./flows', import.meta.url));
const RECOGNISED = 'recognised';
const UNKNOWN = 'ask-reference';
type Expected = Record<typeof RECOGNISED | typeof UNKNOWN, string>;

// Call n: its own CallSid; four callers in five are customers (each a different one), the others
// unknown numbers, whom the flow asks for their customer reference.
const RUN_ID = randomBytes(8).toString('hex');
const callSid = (n: number) => `CA${RUN_ID}${n.toString(16).padStart(16, '0')}`;
const isKnown = (n: number) => n % 5 !== 0;
const from = (n: number) => (isKnown(n) ? knownPhone((n * 7919) % CUSTOMERS) : unknownPhone(n));
const expectFor = (n: number) => (isKnown(n) ? RECOGNISED : UNKNOWN);

/** What Twilio posts for call n, signed with the api's token: the call ringing, then key 1 at the menu. */
function twilioRequests({ authToken, accountSid }: Settings['twilio']) {
  const call = (n: number) => ({
    CallSid: callSid(n),
    AccountSid: accountSid,
    From: from(n),
    To: LINE,
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  });
  const signed = (url: string, params: Record<string, string>, expect: string): PreparedRequest => ({
    body: new URLSearchParams(params).toString(),
    headers: { ...FORM, 'x-twilio-signature': signTwilioRequest(authToken, url, params) },
    expect,
  });
  const stepParams = (n: number) => ({
    ...call(n),
    CallStatus: 'in-progress',
    Digits: '1',
    FinishedOnKey: '',
  });
  return {
    incoming: (url: string, n: number) => signed(url, { ...call(n), CallStatus: 'ringing' }, 'menu'),
    step: (url: string, n: number) => signed(url, stepParams(n), expectFor(n)),
    /**
     * The menu answers of calls first..first+count-1, signed beforehand (~12 µs each) so that the
     * load generator, which shares the cores, spends its time sending; only bodies and signatures
     * are kept, to keep its heap small. Both servers get the same, so the client's work is the same.
     */
    steps(url: string, first: number, count: number): Requests {
      const bodies = new Array<string>(count);
      const signatures = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        const params = stepParams(first + i);
        bodies[i] = new URLSearchParams(params).toString();
        signatures[i] = signTwilioRequest(authToken, url, params);
      }
      let i = 0;
      return {
        count,
        next() {
          const k = i++ % count;
          const headers = { ...FORM, 'x-twilio-signature': signatures[k]! };
          return { body: bodies[k]!, headers, expect: expectFor(first + k) };
        },
      };
    },
  };
}

export async function runGatherBench(): Promise<BenchOutcome> {
  const loadBefore = loadavg()[0]!;
  const data = await timed(`Preparing cc_bench: ${n(CUSTOMERS)} customers with a phone each`, () =>
    prepareData(CUSTOMERS),
  );
  const { env, settings } = apiServer(await freePort(), { IVR_FLOWS_DIR: FLOWS_DIR });
  const requests = twilioRequests(settings.twilio);
  const redisCpu = await redisCpuMeter();
  let bare: Server | undefined;
  let api: Server | undefined;
  try {
    const started = await timed('Starting the api (it builds the phone index, as the worker does)', () =>
      startServer(new URL('./servers/api.ts', import.meta.url).pathname, env, 600_000),
    );
    api = started.value;
    const [, phonesIndexed = 0, indexMs = 0] = /INDEXED (\d+) (\d+)/.exec(api.output)!.map(Number);
    console.log(`  ${n(phonesIndexed)} numbers indexed in ${inSeconds(indexMs)} s`);
    bare = await startServer(new URL('./servers/bare.ts', import.meta.url).pathname);
    const apiUrl = (path: string) => `http://127.0.0.1:${api!.port}${path}`;

    const { greeting, expected } = await probe(apiUrl, requests);
    const checkGreeting: Check = (body) => ({ kind: 'menu', ok: body === greeting });
    const checkGather: Check = (body, expect) => {
      const kind =
        body === expected[RECOGNISED]
          ? RECOGNISED
          : body === expected[UNKNOWN]
            ? UNKNOWN
            : body.includes('<Record')
              ? 'apology (records)'
              : 'other';
      return { kind, ok: kind === expect };
    };

    // Before each run, as many calls as it may need are put at the menu through the real incoming
    // webhook (not timed): each measured request is then the first answer of a call in progress.
    let next = 2; // calls 0 and 1 were the probes
    let bestRate = 0;
    const calls = { count: 0, ms: 0 };
    const atMenu = async (seconds: number, last: Measurement | undefined): Promise<Requests> => {
      bestRate = Math.max(bestRate, last?.requestsPerSecond ?? 0);
      const count = Math.ceil(Math.max(MIN_RATE, MARGIN * bestRate) * seconds);
      const first = next;
      next += count;
      let i = 0;
      const incoming = { count, next: () => requests.incoming(apiUrl(INCOMING), first + (i++ % count)) };
      const meters = { serverPid: api!.pid, redisCpuSeconds: redisCpu.seconds };
      const startedAt = performance.now();
      const run = await load('to the menu', 0, apiUrl(INCOMING), incoming, checkGreeting, meters, {
        connections: RUN_OPTIONS.connections,
        amount: count,
      });
      const failed = run.non2xx + run.errors + run.wrongAnswers;
      if (failed > 0)
        throw new Error(`${failed} of ${count} calls not put at the menu: ${JSON.stringify(run)}`);
      calls.count += count;
      calls.ms += performance.now() - startedAt;
      return requests.steps(apiUrl(STEP), first, count);
    };
    // The baseline answers anything the same way: its requests need no call behind them, and
    // handing them out again costs the client no more.
    const bareSteps = async (seconds: number) => {
      const count = Math.ceil(MIN_RATE * seconds);
      next += count;
      return requests.steps(`http://127.0.0.1:${bare!.port}${STEP}`, next - count, count);
    };

    const contenders: Contender[] = [
      { label: 'bare Fastify', server: bare, path: STEP, check: checkBare, prepare: bareSteps },
      { label: 'gather step', server: api, path: STEP, check: checkGather, prepare: atMenu },
    ];
    const rows = await runRounds(contenders, RUN_OPTIONS, redisCpu.seconds);
    const c = compare(rows, 'bare Fastify', 'gather step');
    const summary = {
      benchmark: 'mid-flow IVR gather step (menu → identify-caller → next gather) vs bare Fastify',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(data.value),
      customers: CUSTOMERS,
      phonesIndexed,
      dataPreparationSeconds: inSeconds(data.ms),
      indexBuildSeconds: inSeconds(indexMs),
      callsPutAtMenu: calls.count,
      callsPutAtMenuSeconds: inSeconds(calls.ms),
      ...RUN_OPTIONS,
      bareRequestsPerSecond: c.baselineRequestsPerSecond,
      gatherRequestsPerSecond: c.requestsPerSecond,
      ratio: c.ratio,
      bareP99Ms: c.baselineP99Ms,
      gatherP50Ms: c.p50Ms,
      gatherP99Ms: c.p99Ms,
      /** Server CPU per request (median of the rounds); the api's includes none of Redis's. */
      bareCpuUsPerRequest: c.baselineCpuUsPerRequest,
      gatherCpuUsPerRequest: c.cpuUsPerRequest,
      gatherRedisCpuUsPerRequest: c.redisCpuUsPerRequest,
      failedRequests: c.failedRequests,
      stepsReplayed: c.repeated,
      /** 1-minute load average before and after: other work on the machine skews the figures. */
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      targets: TARGETS,
      met: { ratio: c.ratio >= TARGETS.ratioAtLeast, gatherP99: c.p99Ms < TARGETS.gatherP99UnderMs },
    };
    return {
      name: 'gather',
      result: { summary, rows },
      report: [
        runLine(summary),
        `data: ${n(CUSTOMERS)} customers in ${summary.dataPreparationSeconds} s, phone index ` +
          `(${n(phonesIndexed)} numbers) built in ${summary.indexBuildSeconds} s, ` +
          `${n(calls.count)} calls put at the menu in ${summary.callsPutAtMenuSeconds} s`,
        `bare Fastify ${c.baselineRequestsPerSecond} req/s (p99 ${c.baselineP99Ms} ms), ` +
          `gather step ${c.requestsPerSecond} req/s (p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms)`,
        `server CPU per request: bare ${c.baselineCpuUsPerRequest} µs, gather step ${c.cpuUsPerRequest} µs ` +
          `+ ${c.redisCpuUsPerRequest} µs in Redis`,
        `ratio ${c.ratio} (target >= ${TARGETS.ratioAtLeast}: ${verdict(summary.met.ratio)}), ` +
          `gather p99 ${c.p99Ms} ms (target < ${TARGETS.gatherP99UnderMs} ms: ${verdict(summary.met.gatherP99)}), ` +
          `failed requests ${c.failedRequests}` +
          (c.repeated ? ', STEPS REPLAYED: a run outpaced its calls, raise BENCH_GATHER_MIN_RATE' : ''),
      ],
      passed: c.failedRequests === 0 && !c.repeated,
    };
  } finally {
    await Promise.all([bare?.stop(), api?.stop(), redisCpu.close()]);
  }
}

const inSeconds = (ms: number) => Number((ms / 1000).toFixed(1));
const n = (x: number) => x.toLocaleString('en');

/**
 * Before the load: a stranger's call (0) and a customer's (1) go to the menu, then key 1. Both
 * must hear the same menu; then the customer the recognised prompt and the stranger the request
 * for a reference, as the project's templates render them, each in a <Gather> answered as step
 * 2; and the stored states must say the lookup found that customer (the one with that phone),
 * and nobody for the stranger. Returns the answers the load is checked against.
 */
async function probe(
  apiUrl: (path: string) => string,
  requests: ReturnType<typeof twilioRequests>,
): Promise<{ greeting: string; expected: Expected }> {
  const post = async (path: string, request: PreparedRequest) => {
    const { body, headers } = request;
    const answer = await fetch(apiUrl(path), { method: 'POST', body, headers });
    const twiml = await answer.text();
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${twiml}`);
    return twiml;
  };
  const greeting = await post(INCOMING, requests.incoming(apiUrl(INCOMING), 1));
  if (!greeting.includes('<Gather') || !greeting.includes(`action="${STEP}"`))
    throw new Error(`the incoming call was not put at the menu: ${greeting}`);
  if ((await post(INCOMING, requests.incoming(apiUrl(INCOMING), 0))) !== greeting)
    throw new Error('a customer and a stranger got different menus');
  const expected: Expected = {
    [RECOGNISED]: await post(STEP, requests.step(apiUrl(STEP), 1)),
    [UNKNOWN]: await post(STEP, requests.step(apiUrl(STEP), 0)),
  };
  if (expected[RECOGNISED] === expected[UNKNOWN])
    throw new Error('a customer and a stranger got the same answer: the lookup found nobody');

  const templates = await loadTemplates(PATHS.messageTemplates);
  const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const [kind, prompt] of [
    [RECOGNISED, 'voice/caller-recognised'],
    [UNKNOWN, 'voice/ask-reference'],
  ] as const) {
    const twiml = expected[kind];
    if (
      !twiml.includes('<Gather') ||
      !twiml.includes('step?seq=2') ||
      !twiml.includes(xml(templates.render(prompt, 'fr')))
    )
      throw new Error(`the ${kind} answer is not the ${prompt} prompt in a <Gather>: ${twiml}`);
  }

  const redis = createClient({ url: REDIS_URL });
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await Promise.all([redis.connect(), db.connect()]);
  try {
    const state = async (n: number) =>
      JSON.parse((await redis.get(`call:${callSid(n)}`)) ?? 'null') as CallState | null;
    const owner = await db.query('SELECT customer_id FROM customer_phones WHERE e164 = $1', [from(1)]);
    const [known, unknown] = [await state(1), await state(0)];
    if (
      owner.rowCount !== 1 ||
      known?.step !== RECOGNISED ||
      known.customerIds.join() !== owner.rows[0].customer_id
    )
      throw new Error(`the customer's call is not identified: ${JSON.stringify(known)}`);
    if (unknown?.step !== UNKNOWN || unknown.customerIds.length !== 0)
      throw new Error(`the stranger's call is not where it should be: ${JSON.stringify(unknown)}`);
  } finally {
    await Promise.all([redis.close(), db.end()]);
  }
  return { greeting, expected };
}
