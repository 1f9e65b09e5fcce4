import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from '../test/support/free-port.js';
import { wallNow } from './fanout-shared.js';

/** The settings both benchmarks share (bench/README.md). */
export const RUN_OPTIONS: RunOptions = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 2),
  connections: 50,
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
};

/** What a benchmark hands back to run.ts: figures to save, lines to print, pass or fail. */
export interface BenchOutcome {
  /** results/<name>-<date>.json */
  name: string;
  result: { summary: object; rows: Measurement[] };
  report: string[];
  /** False when a request was answered wrongly (missed targets are reported, not fatal). */
  passed: boolean;
}

export interface Measurement {
  label: string;
  round: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers sent over the measured window (autocannon's total). */
  requests: number;
  /** Requests prepared for the run: beyond that many, they were handed out again. */
  prepared: number;
  /** Non-2xx, errors and wrong answers in the warm-up run before this one. */
  warmupFailures: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** 2xx answers whose body was not the one expected for that request (see `Check`). */
  wrongAnswers: number;
  /** Answers per kind, as classified by the check. */
  answers: Record<string, number>;
  /**
   * CPU time of the server process per answer, and its busy share of one core over the run.
   * Less noisy than req/s on a shared machine: other load slows the server down but barely
   * changes what each request costs it.
   */
  serverCpuUsPerRequest: number;
  serverBusy: number;
  /** CPU time Redis spent per answer over the same run (both servers share the one Redis). */
  redisCpuUsPerRequest: number;
  /** CPU time PostgreSQL's backends spent per answer, when the benchmark meters them. */
  postgresCpuUsPerRequest?: number;
}

/** Where load() reads CPU time from: the server's process and the Redis server. */
export interface Meters {
  serverPid: number;
  redisCpuSeconds: () => Promise<number>;
  /** Starts a meter of PostgreSQL's backends (processCpuMeter), for the api's that query it. */
  postgres?: () => { stop(): number };
}

export interface PreparedRequest {
  /** POST unless said (the webhooks); a GET has no body. */
  method?: 'GET' | 'POST';
  body?: string;
  headers: Record<string, string>;
  /** What the answer must be, handed to the check with the answer. */
  expect: string;
}

/** Classifies an answer's body; `ok` is false when it is not what `expect` asked for. */
export type Check = (body: string, expect: string) => { kind: string; ok: boolean };

export interface Server {
  port: number;
  pid: number;
  /** What the server printed before it was ready. */
  output: string;
  stop(): Promise<void>;
}

/** Requests prepared for one run, handed out in turn. */
export interface Requests {
  count: number;
  /** The next request; from the first again once `count` have been handed out. */
  next(): PreparedRequest;
}

// Every server started here, so that an error or Ctrl-C in the parent still ends them.
const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

let handlersInstalled = false;
/** Ends the servers on the parent's exit, on Ctrl-C / SIGTERM and on a crash. */
export function installCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the servers`);
      killAll();
      process.exit(130);
    });
  process.on('uncaughtException', (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  });
}

/**
 * Starts a server script in its own Node process, so that its event loop is not the load
 * generator's. The script prints `READY <port>`; an IPC channel is kept open so that the child
 * ends itself if the parent dies without cleaning up (see servers/*.ts).
 */
export async function startServer(
  script: string,
  env: Record<string, string> = {},
  readyWithinMs = 60_000,
): Promise<Server> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to the servers.
  const extra = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean) : [];
  const child: ChildProcess = spawn(process.execPath, [...extra, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));
  try {
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += String(chunk);
        const match = /READY (\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`${script} exited before it was ready (${signal ?? `code ${code}`})`)),
      );
      setTimeout(
        () => reject(new Error(`${script} not ready after ${readyWithinMs} ms`)),
        readyWithinMs,
      ).unref();
    });
    return {
      port,
      pid: child.pid!,
      output,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        // SIGINT lets a profiled server write its profile (it exits on SIGINT); then insist.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/**
 * One autocannon run. Requests come from `requests` (prepared beforehand: the load generator
 * shares the two cores with the servers, so it should spend its time sending, not signing);
 * each answer is checked against what its request expects. With pipelining 1, autocannon hands
 * `onResponse` the context its `setupRequest` filled for the request being answered.
 */
export async function load(
  label: string,
  round: number,
  url: string,
  requests: Requests,
  check: Check,
  meters: Meters,
  /** A run of `seconds`, or of `amount` requests. */
  options: { connections: number } & ({ seconds: number } | { amount: number }),
): Promise<Measurement> {
  const answers: Record<string, number> = {};
  let wrongAnswers = 0;
  const [serverCpuBefore, redisCpuBefore, startedAt] = [
    cpuSeconds(meters.serverPid),
    await meters.redisCpuSeconds(),
    performance.now(),
  ];
  const postgres = meters.postgres?.();
  const result = await autocannon({
    url,
    connections: options.connections,
    pipelining: 1,
    ...('amount' in options ? { amount: options.amount } : { duration: options.seconds }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const { method = 'POST', body, headers, expect } = requests.next();
          (context as { expect?: string }).expect = expect;
          return { ...request, method, body, headers: { ...request.headers, ...headers } };
        },
        onResponse: (status, body, context) => {
          if (status < 200 || status > 299) return; // counted by autocannon as non-2xx
          const { kind, ok } = check(body, (context as { expect?: string }).expect ?? '');
          answers[kind] = (answers[kind] ?? 0) + 1;
          if (!ok) wrongAnswers++;
        },
      },
    ],
  });
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const serverCpu = cpuSeconds(meters.serverPid) - serverCpuBefore;
  const redisCpu = (await meters.redisCpuSeconds()) - redisCpuBefore;
  const postgresCpu = postgres?.stop();
  const answered = Math.max(1, result.requests.total);
  return {
    label,
    round,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    prepared: requests.count,
    warmupFailures: 0,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    wrongAnswers,
    answers,
    serverCpuUsPerRequest: Math.round((serverCpu * 1e6) / answered),
    serverBusy: Number((serverCpu / elapsedSeconds).toFixed(2)),
    redisCpuUsPerRequest: Math.round((redisCpu * 1e6) / answered),
    ...(postgresCpu === undefined
      ? {}
      : { postgresCpuUsPerRequest: Math.round((postgresCpu * 1e6) / answered) }),
  };
}

const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** CPU time (user + system) a process has used so far, in seconds (10 ms resolution). */
export function cpuSeconds(pid: number): number {
  // /proc/<pid>/stat: the command may hold spaces, so count fields after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

/**
 * CPU time of a set of processes over a run, sampled every `everyMs`: the processes whose
 * `/proc/<pid>/cmdline` matches (PostgreSQL's backends of one database: "postgres: 15/main:
 * postgres cc_bench 127.0.0.1(…) idle"). A process that ends during the run keeps what it had
 * used at its last sample; one born during the run counts from zero.
 */
export function processCpuMeter(matches: (cmdline: string) => boolean, everyMs = 500) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = (initial: boolean) => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        if (!first.has(pid) && !matches(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')))
          continue;
        const seconds = cpuSeconds(pid);
        if (!first.has(pid)) first.set(pid, initial ? seconds : 0);
        last.set(pid, seconds);
      } catch {
        // gone meanwhile
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), everyMs);
  return {
    /** CPU seconds used by the matching processes since the meter started. */
    stop(): number {
      clearInterval(timer);
      sample(false);
      let total = 0;
      for (const [pid, seconds] of last) total += seconds - first.get(pid)!;
      return total;
    },
  };
}

/**
 * Busy CPU time of the whole machine so far (every core; not idle, not waiting for I/O), in
 * seconds, from /proc/stat: with the benchmark's own processes' time, how much the machine's
 * other work took from them.
 */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return (total - fields[3]! - fields[4]!) / CLOCK_TICKS; // idle, iowait
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values`, rounded to `decimals` (NaN when there are none). */
export function percentiles(values: ArrayLike<number>, decimals = 1): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const scale = 10 ** decimals;
  const round = (v: number) => Math.round(v * scale) / scale;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(at(100)),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  postgres: string;
  redis: string;
}

export function machine(versions: { postgres: string; redis: string }): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  return {
    nproc: Number(execSync('nproc').toString().trim()),
    cpuModel,
    node: process.version,
    ...versions,
  };
}

/** One side of a comparison: a server, the path it is loaded on, its requests and their check. */
export interface Contender {
  label: string;
  server: Server;
  path: string;
  check: Check;
  /**
   * The requests of one run of `seconds`, prepared before it: the load generator shares the
   * cores with the servers, so it should spend its time sending, not signing. `last` is this
   * contender's previous run (warm-up or measured), to size them by.
   */
  prepare(seconds: number, last: Measurement | undefined): Promise<Requests>;
}

export interface RunOptions {
  rounds: number;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/**
 * `rounds` times, each contender in turn: a warm-up run, then a measured run. Interleaving the
 * contenders spreads the machine's other load over both. Returns the measured runs.
 */
export async function runRounds(
  contenders: Contender[],
  options: RunOptions,
  redisCpuSeconds: () => Promise<number>,
  postgres?: Meters['postgres'],
): Promise<Measurement[]> {
  const { connections, seconds, warmupSeconds } = options;
  const rows: Measurement[] = [];
  const last = new Map<string, Measurement>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const { label, server, path, check, prepare } of contenders) {
      const url = `http://127.0.0.1:${server.port}${path}`;
      const meters: Meters = { serverPid: server.pid, redisCpuSeconds, ...(postgres ? { postgres } : {}) };
      const before = await prepare(warmupSeconds, last.get(label));
      const warmup = await load(label, round, url, before, check, meters, {
        connections,
        seconds: warmupSeconds,
      });
      const row = await load(label, round, url, await prepare(seconds, warmup), check, meters, {
        connections,
        seconds,
      });
      row.warmupFailures = warmup.non2xx + warmup.errors + warmup.wrongAnswers;
      last.set(label, row);
      console.log(
        `  round ${round} ${label.padEnd(16)} ${String(Math.round(row.requestsPerSecond)).padStart(6)} req/s` +
          `  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  non-2xx ${row.non2xx}  errors ${row.errors}` +
          `  wrong answers ${row.wrongAnswers}  server CPU ${row.serverCpuUsPerRequest} µs/req` +
          ` (busy ${row.serverBusy})  Redis CPU ${row.redisCpuUsPerRequest} µs/req` +
          (row.postgresCpuUsPerRequest === undefined
            ? ''
            : `  PostgreSQL CPU ${row.postgresCpuUsPerRequest} µs/req`),
      );
      rows.push(row);
    }
  }
  return rows;
}

/** A contender against the baseline: medians over the rounds; ratio = req/s ÷ baseline req/s. */
export function compare(rows: Measurement[], baseline: string, subject: string) {
  const of = (label: string, figure: (r: Measurement) => number) =>
    median(rows.filter((r) => r.label === label).map(figure));
  const baselineRps = of(baseline, (r) => r.requestsPerSecond);
  const rps = of(subject, (r) => r.requestsPerSecond);
  return {
    baselineRequestsPerSecond: Math.round(baselineRps),
    requestsPerSecond: Math.round(rps),
    ratio: Number((rps / baselineRps).toFixed(3)),
    baselineP99Ms: of(baseline, (r) => r.p99Ms),
    p50Ms: of(subject, (r) => r.p50Ms),
    p99Ms: of(subject, (r) => r.p99Ms),
    /** Server CPU per request; the subject's includes none of Redis's, given apart. */
    baselineCpuUsPerRequest: of(baseline, (r) => r.serverCpuUsPerRequest),
    cpuUsPerRequest: of(subject, (r) => r.serverCpuUsPerRequest),
    redisCpuUsPerRequest: of(subject, (r) => r.redisCpuUsPerRequest),
    /** NaN when PostgreSQL was not metered. */
    postgresCpuUsPerRequest: of(subject, (r) => r.postgresCpuUsPerRequest ?? Number.NaN),
    failedRequests: rows.reduce((sum, r) => sum + r.non2xx + r.errors + r.wrongAnswers + r.warmupFailures, 0),
    /** Whether a measured run of the subject outran its prepared requests. */
    repeated: rows.some((r) => r.label === subject && r.requests > r.prepared),
  };
}

export function printRows(rows: Measurement[]): void {
  console.table(
    rows.map((r) => ({
      round: r.round,
      server: r.label,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'non-2xx': r.non2xx,
      errors: r.errors,
      'wrong answers': r.wrongAnswers,
      'server µs/req': r.serverCpuUsPerRequest,
      'Redis µs/req': r.redisCpuUsPerRequest,
      ...(r.postgresCpuUsPerRequest === undefined ? {} : { 'PostgreSQL µs/req': r.postgresCpuUsPerRequest }),
      answers: Object.entries(r.answers)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', '),
    })),
  );
}

export { freePort };

/**
 * A process driven over a small HTTP control port (the fan-out's console sockets, the
 * distribution's agents): `call` sends it an order as JSON and returns its JSON answer.
 */
export interface ClientProcess {
  server: Server;
  base: string;
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

/** Starts `script` (which listens on PORT, 127.0.0.1) with `startServer`, and its control channel. */
export async function startClient(script: string, env: Record<string, string> = {}): Promise<ClientProcess> {
  const server = await startServer(script, { PORT: String(await freePort()), ...env });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    server,
    base,
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const answer = await fetch(`${base}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      if (!answer.ok) throw new Error(`client process ${path}: ${answer.status} ${await answer.text()}`);
      return (await answer.json()) as T;
    },
  };
}

/**
 * The client process's clock against this one's: offset = its wallNow() − the midpoint of the
 * round trip, from the quickest of 20 round trips (± half that round trip). The process answers
 * `GET /clock` with `{ now: wallNow() }`.
 */
export async function clockOffset(client: ClientProcess) {
  let best = { offsetMs: Number.NaN, rttMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 20; i++) {
    const before = wallNow();
    const { now } = await client.call<{ now: number }>('GET', '/clock');
    const after = wallNow();
    if (after - before < best.rttMs) best = { offsetMs: now - (before + after) / 2, rttMs: after - before };
  }
  return { offsetMs: Number(best.offsetMs.toFixed(3)), rttMs: Number(best.rttMs.toFixed(3)) };
}

/** Writes results/<name>-<date>.json; returns its path. */
export function saveResult(name: string, result: unknown): string {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const path = new URL(`${name}-${new Date().toISOString().slice(0, 10)}.json`, dir).pathname;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/**
 * `npx tsx bench/<name>.bench.ts`: when its file is the entry point, a benchmark runs alone and is
 * saved as `npm run bench` saves it; imported by run.ts, nothing happens.
 */
export async function runIfMain(moduleUrl: string, run: () => Promise<BenchOutcome>): Promise<void> {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  installCleanup();
  const outcome = await run();
  for (const line of outcome.report) console.log(line);
  console.log(`saved ${saveResult(outcome.name, outcome.result)}`);
  process.exit(outcome.passed ? 0 : 1);
}

export const BARE_ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Bonjour</Say></Response>';
export const checkBare: Check = (body) => ({ kind: 'fixed XML', ok: body === BARE_ANSWER });

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Runs `work`, logging how long it took. */
export async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  console.log(`${what}...`);
  const started = performance.now();
  const value = await work();
  const ms = Math.round(performance.now() - started);
  console.log(`  done in ${seconds(ms)}`);
  return { value, ms };
}

export const verdict = (met: boolean) => (met ? 'met' : 'NOT MET');

/** The machine and the run's shape, in one line of a report. */
export function runLine(
  summary: RunOptions & { machine: Machine; loadAverage: { before: number; after: number } },
) {
  const m = summary.machine;
  return (
    `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
    `${summary.connections} connections, ${summary.rounds} rounds of ${summary.seconds} s (median); ` +
    `load average ${summary.loadAverage.before.toFixed(2)} before, ${summary.loadAverage.after.toFixed(2)} after`
  );
}
