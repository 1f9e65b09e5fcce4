// The night storm (issue 20), `npm run load:night`: STORM_CALLERS callers at once on the
// out-of-hours line for STORM_SECONDS, each calling again as soon as their call ends, through the
// real signed webhooks of 2 apis and 2 workers (src/main.ts processes sharing PostgreSQL and
// Redis). The Twilio stand-in answers the REST API and carries every page call and SMS back to the
// service as the technician's phone would (phones.ts): answered and accepted, not answered,
// voicemail, refused, with delays. A supervisor's console socket listens throughout.
// Then, once every page has settled: each eligible call got one page, each attempt one call and one
// SMS, every page whose technician failed twice went to the regional manager, every case got one
// recap. Exits 1 when a check fails. bench/README.md, "Night storm", has the figures.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { io } from 'socket.io-client';
import { loadTemplates } from '../../src/messaging/templates.js';
import { PATHS } from '../../src/platform/paths.js';
import { seedConsoleUsers } from '../fixtures.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  type CallResult,
  caller,
  DATABASE_URL,
  FRONT_URL,
  MANAGER_MOBILE,
  nightServerEnv,
  prepareData,
  REDIS_URL,
  range,
  serverLabels,
  sleep,
  startTopology,
  type Topology,
  technicianMobile,
} from '../paging.bench.js';
import { cpuSeconds, installCleanup, type Percentiles, percentiles, verdict } from '../support.js';
import { startTwilioStandIn } from '../twilio-stand-in.js';
import { BEHAVIOURS, behaviourOf, createPhones, EXPECTED_OUTCOMES } from './phones.js';

const SECONDS = Number(process.env.STORM_SECONDS ?? 600);
const CALLERS = Number(process.env.STORM_CALLERS ?? 200);
/** How long a caller listens to a prompt before keying, and speaks before the beep (ms, min-max). */
const PAUSE_MS = (process.env.STORM_PAUSE_MS ?? '4000-12000').split('-').map(Number) as [number, number];
/** After the last call: how long every page has to settle. */
const SETTLE_SECONDS = Number(process.env.STORM_SETTLE_SECONDS ?? 180);
/** Twilio's REST API answers 429 and 500 for this long, from a third of the storm on. */
const TWILIO_FAULT_SECONDS = Number(process.env.STORM_TWILIO_FAULT_SECONDS ?? 60);
const TWILIO_REFUSALS = [
  { status: 429, code: 20429, message: 'Too Many Requests' },
  { status: 500, code: 20500, message: 'Internal Server Error' },
];
/** Where the JSON goes (the suite's short run writes under /tmp). */
const RESULT_FILE = process.env.STORM_RESULT_FILE;

/** Issue 20: end of call → first page call p95 in the storm. */
const PAGE_P95_UNDER_MS = 50;
const TOPOLOGY: Topology = { name: 'S', apis: 2, workers: 2, latency: false };
const SUPERVISOR = { email: 'superviseur@storm.example', password: 'storm-supervisor-password' };
const PHONE_DELAYS = {
  ringMs: [1000, 3000],
  noAnswerMs: 6000,
  listenMs: [1000, 2000],
  deliveryMs: [500, 1500],
} as const;

/** Where `npm run load:night` saves its run of that day; `npm run bench`'s report includes it. */
export const stormResultFile = (date: string) =>
  new URL(`../results/storm-${date}.json`, import.meta.url).pathname;

/** The agency whose technician has this mobile (prepareData's numbering), or null (the manager). */
const agencyOf = (to: string) => (/^\+3362(\d{7})$/.test(to) ? Number(to.slice(5)) : null);

export interface StormOutcome {
  passed: boolean;
  report: string[];
  result: Record<string, unknown>;
}

export async function runNightStorm(): Promise<StormOutcome> {
  const began = performance.now();
  const between = ([min, max]: readonly [number, number]) => min + Math.random() * (max - min);
  // A caller cannot make more calls than the storm's length over three pauses: one agency each.
  const agencies = CALLERS * Math.ceil((SECONDS * 1000) / (3 * PAUSE_MS[0]!) + 1);
  console.log(`Preparing ${agencies} agencies, technicians and covered customers...`);
  const versions = await prepareData(agencies);
  await seedConsoleUsers(DATABASE_URL, 'STORM', 0, SUPERVISOR.password, [
    { email: SUPERVISOR.email, displayName: 'Superviseur', role: 'SUPERVISOR', agency: null },
  ]);
  const templates = await loadTemplates(PATHS.messageTemplates);
  const willCallBack = templates.render('voice/oncall-will-call-back', 'fr').trim();

  // The phones need the callers' signed post, the callers need the apis: wired once both exist.
  let phones: ReturnType<typeof createPhones> | null = null;
  // Twilio's fault window, set once the storm starts.
  const fault = { from: Number.POSITIVE_INFINITY, until: Number.NEGATIVE_INFINITY };
  let refusals = 0;
  const standIn = await startTwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, serverLabels(TOPOLOGY), {
    onCreate: (kind, form, sid) => (kind === 'call' ? phones?.call(form, sid) : phones?.sms(form, sid)),
    refusing: () => {
      const now = performance.now();
      return now >= fault.from && now < fault.until ? TWILIO_REFUSALS[refusals++ % 2]! : null;
    },
  });
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const env = (label: string): Record<string, string> => ({
    ...nightServerEnv(standIn.baseUrl(label)),
    // The escalation of a storm's night within its minutes: the next attempt 5 s after a failure.
    ONCALL_RETRY_DELAY_SECONDS: '5',
    ONCALL_ACK_TIMEOUT_SECONDS: '120',
    // A messaging service with a pool of senders, as an operator expecting storms sets it up (one
    // number's 10/s would hold a storm's page SMS for half an hour).
    SMS_RATE_PER_SECOND: '50',
  });
  console.log(`Starting ${TOPOLOGY.apis} apis + ${TOPOLOGY.workers} workers...`);
  const running = await startTopology(TOPOLOGY, env, redis);
  const { servers, apiUrls } = running;
  const callers = caller(apiUrls, willCallBack, { pause: () => between(PAUSE_MS), retryResets: true });
  phones = createPhones(
    { post: callers.post, pathOf: (url) => url.slice(FRONT_URL.length) },
    agencyOf,
    (to) => to === MANAGER_MOBILE,
    PHONE_DELAYS as unknown as Parameters<typeof createPhones>[3],
    ACCOUNT_SID,
  );
  const console_ = await superviseConsole(apiUrls[0]!);

  console.log(`Storm: ${CALLERS} callers for ${SECONDS} s...`);
  const cpuBefore = servers.map((server) => cpuSeconds(server.pid));
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  fault.from = started + (SECONDS * 1000) / 3;
  fault.until = fault.from + TWILIO_FAULT_SECONDS * 1000;
  const calls: CallResult[] = [];
  let next = 0;
  await Promise.all(
    range(1, CALLERS).map(async () => {
      while (performance.now() < deadline) calls.push(await callers.drive(next++));
    }),
  );
  const stormSeconds = (performance.now() - started) / 1000;
  // Cores each process used while the callers called.
  const cores = Object.fromEntries(
    servers.map((server, i) => [
      server.label,
      Number(((cpuSeconds(server.pid) - cpuBefore[i]!) / stormSeconds).toFixed(2)),
    ]),
  );
  console.log(`  ${calls.length} calls in ${stormSeconds.toFixed(0)} s; waiting for every page to settle...`);

  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const routed = calls.filter((c) => c.failures.length === 0).map((c) => c.n);
  const settled = await settle(db, routed, () => phones!.events.pending);
  const checks = await check(db, routed, standIn.arrivals);
  // End of call → first page call, apart for the calls that ended while Twilio refused.
  const firstPages = await Promise.all(
    calls
      .filter((c) => c.endedAt > 0)
      .map(async (c) => {
        const arrival = await standIn.first('call', technicianMobile(c.n), 0);
        const inFault = c.endedAt >= fault.from && c.endedAt < fault.until;
        return { inFault, ms: arrival ? arrival.at - c.endedAt : Number.NaN };
      }),
  );
  const pageMs = (inFault: boolean) =>
    percentiles(firstPages.filter((p) => p.inFault === inFault && Number.isFinite(p.ms)).map((p) => p.ms));
  const firstPage = pageMs(false);
  const firstPageInFault = pageMs(true);
  await db.end();
  const fanOut = console_.close();
  await Promise.all(servers.map((s) => s.stop()));
  await standIn.close();
  await redis.close();

  const waits = {
    incoming: percentiles(calls.map((c) => c.incomingMs)),
    menu: percentiles(calls.map((c) => c.menuMs)),
    address: percentiles(calls.map((c) => c.routingMs)),
    recording: percentiles(calls.map((c) => c.recordingMs)),
    status: percentiles(calls.map((c) => c.statusMs)),
  };
  const failedWebhooks = calls.flatMap((c) => c.failures);
  const serverLogs = servers.flatMap((s) =>
    Object.entries(s.logs).map(([msg, n]) => `${s.label}: ${n} × ${msg}`),
  );
  const problems = [
    ...failedWebhooks.slice(0, 10).map((f) => `webhook: ${f}`),
    ...phones.events.failed.slice(0, 10),
    ...(settled ? [] : ['pages still open after the settle time']),
    ...checks.problems.slice(0, 20),
    ...(standIn.unexpected.length > 0
      ? [`unexpected Twilio requests: ${standIn.unexpected.slice(0, 5).join(', ')}`]
      : []),
  ];
  const passed =
    failedWebhooks.length === 0 &&
    phones.events.failed.length === 0 &&
    settled &&
    checks.problems.length === 0;
  const line = (name: string, p: Percentiles) => `${name} p50 ${p.p50} / p99 ${p.p99} / max ${p.max} ms`;
  const report = [
    `night storm: ${CALLERS} callers for ${SECONDS} s (pauses ${PAUSE_MS.join('-')} ms), ${TOPOLOGY.apis} apis + ${TOPOLOGY.workers} workers; PostgreSQL ${versions.postgres}, Redis ${versions.redis}`,
    `  ${calls.length} calls (${(calls.length / stormSeconds).toFixed(1)}/s), ${routed.length} routed, failed webhooks ${failedWebhooks.length}; requests sent again after a kept-alive socket was reset: ${callers.resets}`,
    `  CPU while the callers called (cores): ${JSON.stringify(cores)}`,
    `  caller's wait: ${Object.entries(waits)
      .map(([step, p]) => line(step, p))
      .join('; ')}`,
    `  end of call → first page call: p50 ${firstPage.p50} / p95 ${firstPage.p95} / p99 ${firstPage.p99} / max ${firstPage.max} ms; ` +
      `calls that ended while Twilio answered 429 and 500 (${TWILIO_FAULT_SECONDS} s, ${standIn.refused} requests refused): ` +
      `p50 ${firstPageInFault.p50} / p95 ${firstPageInFault.p95} / max ${firstPageInFault.max} ms`,
    `  console fan-out (supervisor, event published → received): ${line('', fanOut.latency)} over ${fanOut.events} events; disconnects ${fanOut.disconnects}`,
    `  pages: ${checks.pages} (${BEHAVIOURS.map((b) => `${b} ${checks.byBehaviour[b] ?? 0}`).join(', ')}), escalated to the regional manager ${checks.escalated}, attempts ${checks.attempts}; Twilio requests: calls ${checks.callRequests}, SMS ${checks.smsRequests}; recaps ${checks.recaps}; page calls and SMS dropped once their page was taken ${checks.obsolete}; list requests (reconciliations) ${standIn.lists}`,
    `  phone callbacks: ${Object.entries(phones.events.posted)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')}`,
    `  lost ${checks.lost}, doubled ${checks.doubled}; ${passed ? 'every check passed' : 'CHECKS FAILED'}`,
    `target, night storm: end of call → first page call p95 ${firstPage.p95} < ${PAGE_P95_UNDER_MS} ms ` +
      `${verdict(firstPage.p95 < PAGE_P95_UNDER_MS)}; 0 lost ${verdict(checks.lost === 0)}; 0 doubled ${verdict(checks.doubled === 0)}`,
    ...problems.map((p) => `  ! ${p}`),
    `  server log lines at warn or above: ${servers.map((s) => `${s.label} ${s.logCount}`).join(', ')}`,
    ...serverLogs.slice(0, 20).map((l) => `    ${l}`),
  ];
  const result = {
    date: new Date().toISOString(),
    seconds: Math.round((performance.now() - began) / 1000),
    report,
    settings: {
      seconds: SECONDS,
      callers: CALLERS,
      pauseMs: PAUSE_MS,
      twilioFaultSeconds: TWILIO_FAULT_SECONDS,
      phoneDelays: PHONE_DELAYS,
      topology: TOPOLOGY,
    },
    calls: calls.length,
    routed: routed.length,
    resets: callers.resets,
    waits,
    cores,
    firstPageMs: firstPage,
    firstPageInTwilioFaultMs: firstPageInFault,
    twilioRefused: standIn.refused,
    fanOut,
    checks,
    passed,
    problems,
  };
  return { passed, report, result };
}

/**
 * Waits until every routed call's page is acknowledged or given up, its calls and SMS have gone
 * (or were dropped because the page no longer wanted them), and no phone callback is due.
 */
async function settle(db: pg.Client, calls: number[], pending: () => number): Promise<boolean> {
  const deadline = performance.now() + SETTLE_SECONDS * 1000;
  const phones = calls.map(technicianMobile);
  while (performance.now() < deadline) {
    // Every page, also those of calls whose caller heard a fallback.
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status IN ('SCHEDULED', 'PAGING'))::int AS open,
              (SELECT count(*)::int FROM messages WHERE status IN ('QUEUED', 'SENDING')) AS waiting,
              (SELECT count(*)::int FROM page_attempts WHERE number = 1 AND mobile = ANY($1)) AS paged
       FROM pages`,
      [phones],
    );
    const { open, waiting, paged } = rows[0];
    if (open === 0 && paged === calls.length && waiting === 0 && pending() === 0) return true;
    await sleep(500);
  }
  return false;
}

interface Checks {
  pages: number;
  attempts: number;
  escalated: number;
  recaps: number;
  callRequests: number;
  smsRequests: number;
  /** Page SMS dropped because their page was settled before the sender's rate let them go. */
  obsolete: number;
  byBehaviour: Record<string, number>;
  lost: number;
  doubled: number;
  problems: string[];
}

/** What the storm must have left: per call, its page, attempts, requests at Twilio and recap. */
async function check(
  db: pg.Client,
  calls: number[],
  arrivals: Array<{ kind: string; to: string; sid?: string }>,
): Promise<Checks> {
  const problems: string[] = [];
  const byBehaviour: Record<string, number> = {};
  const found = await db.query(
    `SELECT p.id, p.status::text AS status, p.escalated_at IS NOT NULL AS escalated,
            t.mobile AS technician,
            array_agg(a.outcome::text ORDER BY a.number) AS outcomes,
            array_agg(a.target::text ORDER BY a.number) AS targets,
            array_agg(cm.provider_id ORDER BY a.number) AS "callSids",
            array_agg(sm.provider_id ORDER BY a.number) AS "smsSids",
            array_agg(cm.status::text ORDER BY a.number) AS "callStatuses",
            array_agg(sm.status::text ORDER BY a.number) AS "smsStatuses",
            array_agg(sm.error_code ORDER BY a.number) AS "smsErrors",
            array_agg(cm.error_code ORDER BY a.number) AS "callErrors",
            array_agg(cm.attempts ORDER BY a.number) AS "callTries",
            (SELECT count(*)::int FROM messages r WHERE r.case_id = p.case_id AND r.purpose = 'oncall-recap') AS recaps,
            (SELECT count(*)::int FROM messages e
             WHERE e.case_id = p.case_id AND e.purpose = 'oncall-escalated' AND e.provider_id IS NOT NULL) AS told
     FROM pages p
     JOIN page_attempts a ON a.page_id = p.id
     LEFT JOIN messages cm ON cm.id = a.call_message_id
     LEFT JOIN messages sm ON sm.id = a.sms_message_id
     JOIN LATERAL (SELECT mobile FROM page_attempts f WHERE f.page_id = p.id AND f.number = 1) t ON true
     GROUP BY p.id, t.mobile`,
  );
  const pages = new Map(found.rows.map((r) => [r.technician as string, r]));
  const sids = new Map<string, number>();
  for (const a of arrivals) if (a.sid) sids.set(a.sid, (sids.get(a.sid) ?? 0) + 1);
  const totals = { lost: 0, attempts: 0, escalated: 0, recaps: 0, obsolete: 0, smsSent: 0 };
  // Every page, also those of calls whose caller heard a fallback: its calls, SMS and recap.
  for (const page of found.rows) {
    const n = agencyOf(page.technician);
    totals.attempts += page.outcomes.length;
    if (page.escalated) totals.escalated++;
    totals.recaps += page.recaps;
    // An attempt's call or SMS still waiting (the sender's rate, Twilio's refusals) may find its
    // page taken meanwhile: dropped as obsolete, never sent late. Any other without a sid is lost.
    const dropped = [...page.callErrors, ...page.smsErrors].filter(
      (e: string | null) => e === 'obsolete',
    ).length;
    totals.obsolete += dropped;
    const sent = [...page.callSids, ...page.smsSids].filter(Boolean) as string[];
    if (sent.length + dropped !== 2 * page.outcomes.length) {
      totals.lost += 2 * page.outcomes.length - sent.length - dropped;
      problems.push(
        `call ${n}: attempts' calls ${page.callStatuses.join(' ')}, SMS ${page.smsStatuses.join(' ')}`,
      );
    }
    totals.smsSent += page.smsSids.filter(Boolean).length;
    for (const sid of sent)
      if (sids.get(sid) !== 1) problems.push(`call ${n}: sid ${sid} answered ${sids.get(sid) ?? 0} times`);
    if (page.recaps !== 1) problems.push(`call ${n}: ${page.recaps} recaps`);
    // Statuses move forward only, whatever the order and number of the callbacks (phones.ts).
    if (
      page.smsStatuses.some(
        (status: string, i: number) => status !== 'DELIVERED' && page.smsErrors[i] !== 'obsolete',
      )
    )
      problems.push(`call ${n}: page SMS ${page.smsStatuses.join(' ')}, not all DELIVERED`);
    if (
      page.callStatuses.some(
        (status: string, i: number) =>
          status !== 'COMPLETED' && status !== 'NO_ANSWER' && page.callErrors[i] !== 'obsolete',
      )
    )
      problems.push(`call ${n}: page calls ${page.callStatuses.join(' ')}, not all ended`);
    // [ON-9] The technician is told once that the regional manager took over.
    if (page.told !== (page.escalated ? 1 : 0))
      problems.push(`call ${n}: told of the escalation ${page.told} times`);
  }
  // Every routed call: its page, ended as its technician's phone decided.
  for (const n of calls) {
    const behaviour = behaviourOf(n);
    byBehaviour[behaviour] = (byBehaviour[behaviour] ?? 0) + 1;
    const page = pages.get(technicianMobile(n));
    if (!page) {
      totals.lost++;
      problems.push(`call ${n}: no page`);
      continue;
    }
    const expected = EXPECTED_OUTCOMES[behaviour];
    // An attempt whose call Twilio turned away at first may run out of its time to be acknowledged
    // (NO_ACK) before the call goes: the same person is then paged again. Left out here.
    const kept = page.outcomes.map(
      (outcome: string, i: number) => !(outcome === 'NO_ACK' && page.callTries[i] > 1),
    );
    const outcomes = page.outcomes.filter((_: string, i: number) => kept[i]);
    const targets = page.targets.filter((_: string, i: number) => kept[i]);
    if (page.status !== 'ACKNOWLEDGED' || outcomes.join() !== expected.join())
      problems.push(
        `call ${n} (${behaviour}): page ${page.status}, attempts ${page.outcomes.join(' ')}, expected ${expected.join(' ')}`,
      );
    // [ON-9] After two failed attempts the regional manager, and only then.
    const toManager = targets.map((t: string) => t === 'MANAGER');
    const shouldEscalate = expected.length === 3;
    if (shouldEscalate !== page.escalated || toManager.join() !== expected.map((_, i) => i === 2).join())
      problems.push(
        `call ${n} (${behaviour}): targets ${page.targets.join(' ')}, escalated ${page.escalated}`,
      );
  }
  // Every request at Twilio is an attempt's call, a page SMS sent or an escalation notice, once.
  const callRequests = arrivals.filter((a) => a.kind === 'call').length;
  const smsRequests = arrivals.filter((a) => a.kind === 'sms').length;
  const sms = totals.smsSent + totals.escalated;
  const doubled = Math.max(0, callRequests - totals.attempts) + Math.max(0, smsRequests - sms);
  if (callRequests !== totals.attempts || smsRequests !== sms)
    problems.push(
      `${totals.attempts} attempts, ${totals.smsSent} page SMS sent, ${totals.escalated} escalations; ` +
        `${callRequests} calls and ${smsRequests} SMS at Twilio`,
    );
  const { smsSent: _sent, ...figures } = totals;
  return { pages: pages.size, ...figures, callRequests, smsRequests, byBehaviour, doubled, problems };
}

/** A supervisor's console socket for the whole storm: how long each event took to reach it. */
async function superviseConsole(apiUrl: string) {
  const login = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: SUPERVISOR.email, password: SUPERVISOR.password }),
  });
  const { token } = (await login.json()) as { token?: string };
  if (login.status !== 200 || !token) throw new Error(`supervisor login: ${login.status}`);
  const socket = io(apiUrl, { auth: { token }, transports: ['websocket'], reconnection: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const latencies: number[] = [];
  let disconnects = 0;
  socket.on('event', (event: { at?: string }) => {
    if (event?.at) latencies.push(Date.now() - Date.parse(event.at));
  });
  socket.on('disconnect', () => disconnects++);
  return {
    close() {
      socket.off('disconnect'); // its own close is not a disconnect to count
      socket.close();
      return { events: latencies.length, latency: percentiles(latencies), disconnects };
    },
  };
}

// `npm run load:night` (STORM_SECONDS, STORM_CALLERS, STORM_PAUSE_MS, STORM_SETTLE_SECONDS).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  installCleanup();
  const outcome = await runNightStorm();
  for (const l of outcome.report) console.log(l);
  const file =
    RESULT_FILE ??
    new URL(`../results/storm-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url).pathname;
  writeFileSync(file, `${JSON.stringify(outcome.result, null, 2)}\n`);
  console.log(`saved ${file}`);
  process.exit(outcome.passed ? 0 : 1);
}
