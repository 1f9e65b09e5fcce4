// Free appointment slots (issue #18: "free slots for an agency of 200 technicians over 10 working
// days with 20,000 booked appointments, p99 < 50 ms per request at 20 concurrent requests, beside
// a bare Fastify baseline in the same run"). GET /api/agencies/:id/slots with an agent's bearer
// token against the bare server answering the same JSON, 20 connections; every answer checked
// against free counts computed by a separate SQL query over the same data.
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { apiServer, DATABASE_URL, prepareData, redisCpuMeter, seedConsoleUsers } from './fixtures.js';
import {
  type BenchOutcome,
  type Check,
  type Contender,
  compare,
  freePort,
  machine,
  median,
  processCpuMeter,
  type Requests,
  RUN_OPTIONS,
  runIfMain,
  runLine,
  runRounds,
  type Server,
  startServer,
  timed,
  verdict,
} from './support.js';

const TECHNICIANS = Number(process.env.BENCH_SLOTS_TECHNICIANS ?? 200);
const APPOINTMENTS = Number(process.env.BENCH_SLOTS_APPOINTMENTS ?? 20_000);
const CONNECTIONS = 20;
const TARGETS = { p99UnderMs: 50 };
const AGENCIES = 5; // the one asked about (index 0) and four others whose bookings the query skips
const OTHER_TECHNICIANS = 20;
/** Agents of agency 0, one session each: the requests take their tokens in turn. */
const AGENTS = 20;
const PASSWORD = 'bench-slots-password';
const ZONE = 'Europe/Paris';
// A Monday, 09:00 in Paris: the api's clock starts there (CLOCK_START, simulator mode only), so
// J+2..J+10 working days is always the same window. Friday 4 December is an agency closure, so
// the window is 9 working days from Wednesday 2 to Tuesday 15 December (no public holiday).
const CLOCK_START = '2026-11-30T09:00:00+01:00';
const CLOSURE = '2026-12-04';
const WINDOW_DAYS = ['02', '03', '07', '08', '09', '10', '11', '14', '15'].map((d) => `2026-12-${d}`);
// The booked history before the window and the bookings after it: the weekdays of three weeks on
// each side, public holidays left out (11 November, Christmas, New Year's Day).
const HISTORY = {
  from: '2026-11-09',
  to: '2027-01-08',
  holidays: ['2026-11-11', '2026-12-25', '2027-01-01'],
};
/** The service's default field hours (Mon-Fri 08:00-12:00, 13:30-17:30): four 2-hour slots. */
const SLOT_STARTS = ['08:00', '10:00', '13:30', '15:30'];
/** Share of the window's technician-slots booked: about 20 free technicians a slot. */
const BOOKED_IN_WINDOW = 0.9;
const CANCELLED_IN_WINDOW = 500;
const PATH = (agencyId: string) => `/api/agencies/${agencyId}/slots`;

interface ExpectedSlot {
  startsAt: string;
  endsAt: string;
  day: string;
  technicians: number;
}

/**
 * cc_bench re-created (`prepareData`, no customers), agencies and agents (`seedConsoleUsers`), then
 * in one transaction of plain SQL: technicians, absences, closures, and the appointments, each on
 * its own case. Returns the free counts per slot computed here in SQL from the same rows (the
 * check of every answer), and what was made.
 */
async function prepareSlots() {
  const versions = await prepareData(0);
  const agents = Array.from({ length: AGENTS }, (_, i) => ({
    email: `agent-${String(i).padStart(2, '0')}@slots.bench`,
    displayName: `Agent ${i}`,
    role: 'AGENT' as const,
    agency: 0,
  }));
  const { agencyIds } = await seedConsoleUsers(DATABASE_URL, 'S', AGENCIES, PASSWORD, agents);
  const agencyId = agencyIds.get(0)!;
  const others = [...agencyIds].filter(([i]) => i !== 0).map(([, id]) => id);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query('BEGIN');
    // The agency's roster: TECHNICIANS on it Monday to Friday, plus 10 off it (office work) and 5
    // inactive ones, whom the service must leave out; 20 on the roster in each other agency.
    const technicians = `
      INSERT INTO technicians (agency_id, reference, last_name, first_name, mobile, active, field_weekdays, updated_at)
      SELECT $1, $2 || '-T' || lpad(i::text, 3, '0'), 'Tech' || i, 'Banc', '+3362' || $3 || lpad(i::text, 3, '0'),
             i < $4 + 10, CASE WHEN i >= $4 AND i < $4 + 10 THEN '{}'::int[] ELSE '{1,2,3,4,5}' END, now()
      FROM generate_series(0, $5) AS i`;
    await db.query(technicians, [agencyId, 'S0', '0000', TECHNICIANS, TECHNICIANS + 14]);
    for (const [n, id] of others.entries())
      await db.query(technicians, [
        id,
        `S${n + 1}`,
        String(n + 1).padStart(4, '0'),
        OTHER_TECHNICIANS,
        OTHER_TECHNICIANS - 1,
      ]);

    // Ten technicians away two working days inside the window, ten others away in the past.
    await db.query(
      `INSERT INTO technician_absences (technician_id, starts_at, ends_at, reason)
       SELECT id, CASE WHEN reference < 'S0-T010' THEN '2026-12-07T00:00:00+01:00'::timestamptz ELSE '2026-11-16T00:00:00+01:00' END,
              CASE WHEN reference < 'S0-T010' THEN '2026-12-09T00:00:00+01:00'::timestamptz ELSE '2026-11-18T00:00:00+01:00' END,
              'congés'
       FROM technicians WHERE reference < 'S0-T020'`,
    );
    await db.query(
      `INSERT INTO agency_closures (agency_id, day, reason) VALUES ($1, $2, 'inventaire'), ($1, '2026-11-20', 'inventaire')`,
      [agencyId, CLOSURE],
    );

    // Every slot position of the period, in Paris wall-clock time, marked when inside the window.
    await db.query(
      `CREATE TEMP TABLE positions AS
       SELECT d::date AS day, d::date = ANY($3::date[]) AS in_window,
              (d::date + s.at) AT TIME ZONE '${ZONE}' AS starts_at,
              (d::date + s.at + interval '2 hours') AT TIME ZONE '${ZONE}' AS ends_at
       FROM generate_series($1::date, $2::date, interval '1 day') AS d, unnest($4::time[]) AS s(at)
       WHERE extract(isodow FROM d) < 6 AND NOT d::date = ANY($5::date[])`,
      [HISTORY.from, HISTORY.to, WINDOW_DAYS, SLOT_STARTS, [...HISTORY.holidays, CLOSURE]],
    );
    // The agency's APPOINTMENTS bookings: BOOKED_IN_WINDOW of the window's technician-slots
    // (chosen by a hash, so the free counts vary from slot to slot), none during an absence, the
    // rest spread over the weeks before and after. One technician never holds two at once.
    const inWindow = Math.round(256 * BOOKED_IN_WINDOW);
    const held = (agency: string, where: string) => `
      SELECT gen_random_uuid() AS case_id, t.agency_id, t.id AS technician_id, p.starts_at, p.ends_at,
             CASE WHEN get_byte(decode(md5(t.reference || p.starts_at), 'hex'), 1) < 77
                  THEN 'CONFIRMED' ELSE 'BOOKED' END AS status
      FROM technicians t CROSS JOIN positions p
      WHERE t.agency_id = '${agency}' AND t.active AND t.field_weekdays <> '{}'
        AND NOT EXISTS (SELECT 1 FROM technician_absences b
                        WHERE b.technician_id = t.id AND b.starts_at < p.ends_at AND b.ends_at > p.starts_at)
        AND (NOT p.in_window OR get_byte(decode(md5(t.reference || p.starts_at), 'hex'), 0) < ${inWindow})
        ${where}`;
    await db.query(
      `CREATE TEMP TABLE planned AS ${held(agencyId, '')}
       ORDER BY p.in_window DESC, md5(t.reference || p.starts_at || 'order') LIMIT ${APPOINTMENTS}`,
    );
    // The other agencies, booked as much inside the window only; and cancelled appointments on
    // the agency's free technician-slots, which hold nothing.
    await db.query(
      `INSERT INTO planned ${others.map((id) => held(id, 'AND p.in_window')).join(' UNION ALL ')}`,
    );
    await db.query(
      `INSERT INTO planned
       SELECT gen_random_uuid(), t.agency_id, t.id, p.starts_at, p.ends_at, 'CANCELLED'
       FROM technicians t CROSS JOIN positions p
       WHERE t.agency_id = $1 AND p.in_window
         AND NOT EXISTS (SELECT 1 FROM planned x WHERE x.technician_id = t.id AND x.starts_at = p.starts_at)
       ORDER BY md5(t.reference || p.starts_at) LIMIT ${CANCELLED_IN_WINDOW}`,
      [agencyId],
    );
    await db.query(
      `INSERT INTO cases (id, category, subject, agency_id, needs_intervention, updated_at)
       SELECT case_id, 'meter', 'Contestation d''index', agency_id, true, now() FROM planned`,
    );
    await db.query(
      `INSERT INTO appointments (case_id, agency_id, technician_id, starts_at, ends_at, status, intervention_type,
                                 presence_required, meter_location, meter_accessible, confirm_by, mobile,
                                 reply_code, cancelled_at, cancelled_by, updated_at)
       SELECT case_id, agency_id, technician_id, starts_at, ends_at, status::"AppointmentStatus", 'index-dispute',
              true, 'Garage', true, 'SMS', '+3361' || lpad(n::text, 7, '0'), lpad((n % 10000)::text, 4, '0'),
              CASE WHEN status = 'CANCELLED' THEN now() END,
              CASE WHEN status = 'CANCELLED' THEN 'CUSTOMER'::"AppointmentParty" END, now()
       FROM (SELECT *, row_number() OVER () AS n FROM planned) p`,
    );
    await db.query('COMMIT');
    await db.query('ANALYZE');

    const counts = (
      await db.query(
        `SELECT count(*) FILTER (WHERE a.agency_id = $1 AND held AND p.in_window)::int AS "inWindow",
                count(*) FILTER (WHERE a.agency_id = $1 AND held AND a.starts_at < $2)::int AS before,
                count(*) FILTER (WHERE a.agency_id = $1 AND held AND a.starts_at > $3)::int AS after,
                count(*) FILTER (WHERE a.agency_id = $1 AND NOT held)::int AS cancelled,
                count(*) FILTER (WHERE a.agency_id <> $1)::int AS "otherAgencies"
         FROM (SELECT *, status IN ('BOOKED', 'CONFIRMED') AS held FROM appointments) a
         LEFT JOIN positions p ON p.starts_at = a.starts_at`,
        [agencyId, `${WINDOW_DAYS[0]}T00:00:00+01:00`, `${WINDOW_DAYS.at(-1)}T23:59:59+01:00`],
      )
    ).rows[0] as Record<string, number>;

    // What the answer must say, by another road than the service's: each slot of the window with
    // the number of the agency's active roster technicians working that weekday whom no held
    // appointment and no absence overlaps; slots with nobody free are not offered.
    const expected = await db.query(
      `SELECT p.starts_at, p.ends_at, to_char(p.day, 'YYYY-MM-DD') AS day, count(*)::int AS technicians
       FROM positions p CROSS JOIN technicians t
       WHERE p.in_window AND t.agency_id = $1 AND t.active
         AND extract(isodow FROM p.day)::int = ANY(t.field_weekdays)
         AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.technician_id = t.id
                         AND a.status IN ('BOOKED', 'CONFIRMED') AND a.starts_at < p.ends_at AND a.ends_at > p.starts_at)
         AND NOT EXISTS (SELECT 1 FROM technician_absences b WHERE b.technician_id = t.id
                         AND b.starts_at < p.ends_at AND b.ends_at > p.starts_at)
       GROUP BY p.starts_at, p.ends_at, p.day ORDER BY p.starts_at`,
      [agencyId],
    );
    const slots: ExpectedSlot[] = expected.rows.map(
      (r: { starts_at: Date; ends_at: Date; day: string; technicians: number }) => ({
        startsAt: r.starts_at.toISOString(),
        endsAt: r.ends_at.toISOString(),
        day: r.day,
        technicians: r.technicians,
      }),
    );
    return { versions, agencyId, agents, counts, slots };
  } finally {
    await db.end();
  }
}

export async function runSlotsBench(): Promise<BenchOutcome> {
  const loadBefore = loadavg()[0]!;
  const data = await timed(
    `Preparing cc_bench: ${AGENCIES} agencies, ${TECHNICIANS} technicians on the roster of the one asked about, ` +
      `${APPOINTMENTS.toLocaleString('en')} of its appointments held`,
    prepareSlots,
  );
  const { agencyId, counts, slots } = data.value;
  console.log(`  appointments: ${JSON.stringify(counts)}`);
  const expectedBody = {
    agencyId,
    zone: ZONE,
    first: WINDOW_DAYS[0],
    last: WINDOW_DAYS.at(-1),
    slots,
  };
  const { env } = apiServer(await freePort(), { CLOCK_START });
  const redisCpu = await redisCpuMeter();
  let api: Server | undefined;
  let bare: Server | undefined;
  try {
    api = await startServer(new URL('./servers/api.ts', import.meta.url).pathname, env);
    const base = `http://127.0.0.1:${api.port}`;
    // Each agent logs in through POST /api/auth/login, as the console does.
    const tokens = await Promise.all(
      data.value.agents.map(async ({ email }) => {
        const answer = await fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: PASSWORD }),
        });
        const body = (await answer.json()) as { token?: string };
        if (answer.status !== 200 || !body.token) throw new Error(`login ${email}: ${answer.status}`);
        return body.token;
      }),
    );

    // The api's answer, checked field by field against the SQL's; then every answer under load
    // must be these very bytes (nothing is booked meanwhile), the bare server's too.
    const probe = await fetch(`${base}${PATH(agencyId)}`, {
      headers: { authorization: `Bearer ${tokens[0]}` },
    });
    const answer = await probe.text();
    if (probe.status !== 200) throw new Error(`slots answered ${probe.status}: ${answer}`);
    if (!isDeepStrictEqual(JSON.parse(answer), expectedBody))
      throw new Error(`slots answered\n${answer}\nexpected\n${JSON.stringify(expectedBody)}`);
    const free = slots.map((s) => s.technicians);
    bare = await startServer(new URL('./servers/bare.ts', import.meta.url).pathname, { BARE_JSON: answer });
    const check: Check = (body) => ({ kind: body === answer ? 'free slots' : 'other', ok: body === answer });
    const bareProbe = await (await fetch(`http://127.0.0.1:${bare.port}${PATH(agencyId)}`)).text();
    if (bareProbe !== answer) throw new Error('the bare server does not answer the api’s bytes');

    // Reads: the same 20 requests (one per agent's token) over and over. The bare server gets
    // them too (it ignores the token), so the client's work is the same for both.
    const requests = async (): Promise<Requests> => {
      let i = 0;
      return {
        count: tokens.length,
        next: () => ({
          method: 'GET',
          headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` },
          expect: 'free slots',
        }),
      };
    };
    const contenders: Contender[] = [
      { label: 'bare Fastify', server: bare, path: PATH(agencyId), check, prepare: requests },
      { label: 'free slots', server: api, path: PATH(agencyId), check, prepare: requests },
    ];
    const options = { ...RUN_OPTIONS, connections: CONNECTIONS };
    const database = new URL(DATABASE_URL).pathname.slice(1);
    const rows = await runRounds(contenders, options, redisCpu.seconds, () =>
      processCpuMeter((cmdline) => cmdline.includes(` ${database} `)),
    );
    const c = compare(rows, 'bare Fastify', 'free slots');
    // Two significant digits: the ratio is far below compare()'s three decimals here.
    const ratio = Number((c.requestsPerSecond / c.baselineRequestsPerSecond).toPrecision(2));
    const summary = {
      benchmark:
        'free appointment slots (GET /api/agencies/:id/slots) vs bare Fastify answering the same JSON',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(data.value.versions),
      ...options,
      clockStart: CLOCK_START,
      window: {
        first: WINDOW_DAYS[0],
        last: WINDOW_DAYS.at(-1),
        workingDays: WINDOW_DAYS.length,
        closure: CLOSURE,
      },
      technicians: TECHNICIANS,
      appointments: counts,
      dataPreparationSeconds: Number((data.ms / 1000).toFixed(1)),
      answer: {
        bytes: Buffer.byteLength(answer),
        slots: slots.length,
        freeTechnicianSlots: free.reduce((a, b) => a + b, 0),
        freePerSlot: { min: Math.min(...free), max: Math.max(...free) },
      },
      bareRequestsPerSecond: c.baselineRequestsPerSecond,
      slotsRequestsPerSecond: c.requestsPerSecond,
      ratio,
      bareP50Ms: median(rows.filter((r) => r.label === 'bare Fastify').map((r) => r.p50Ms)),
      bareP99Ms: c.baselineP99Ms,
      slotsP50Ms: c.p50Ms,
      slotsP99Ms: c.p99Ms,
      /** CPU per request (median of the rounds): the servers', and PostgreSQL's and Redis's for the api. */
      bareCpuUsPerRequest: c.baselineCpuUsPerRequest,
      slotsCpuUsPerRequest: c.cpuUsPerRequest,
      slotsPostgresCpuUsPerRequest: c.postgresCpuUsPerRequest,
      slotsRedisCpuUsPerRequest: c.redisCpuUsPerRequest,
      failedRequests: c.failedRequests,
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      targets: TARGETS,
      met: { p99: c.p99Ms < TARGETS.p99UnderMs },
    };
    return {
      name: 'slots',
      result: { summary, rows },
      report: [
        runLine(summary),
        `agency of ${TECHNICIANS} technicians; appointments ${JSON.stringify(counts)}; window ${summary.window.first} → ` +
          `${summary.window.last} (${WINDOW_DAYS.length} working days, closure ${CLOSURE}); answer ${summary.answer.bytes} bytes, ` +
          `${slots.length} slots, ${summary.answer.freeTechnicianSlots} free technician-slots (${summary.answer.freePerSlot.min}-${summary.answer.freePerSlot.max} a slot)`,
        `bare Fastify ${c.baselineRequestsPerSecond} req/s (p50 ${summary.bareP50Ms} ms, p99 ${c.baselineP99Ms} ms), ` +
          `free slots ${c.requestsPerSecond} req/s (p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms), ratio ${ratio}`,
        `CPU per request: bare ${c.baselineCpuUsPerRequest} µs; free slots ${c.cpuUsPerRequest} µs ` +
          `+ ${c.postgresCpuUsPerRequest} µs in PostgreSQL + ${c.redisCpuUsPerRequest} µs in Redis`,
        `target p99 < ${TARGETS.p99UnderMs} ms at ${CONNECTIONS} connections: ${c.p99Ms} ms, ${verdict(summary.met.p99)}; ` +
          `failed requests ${c.failedRequests}`,
      ],
      passed: c.failedRequests === 0,
    };
  } finally {
    await Promise.all([api?.stop(), bare?.stop(), redisCpu.close()]);
  }
}

// `npx tsx bench/slots.bench.ts`: this benchmark alone.
await runIfMain(import.meta.url, runSlotsBench);
