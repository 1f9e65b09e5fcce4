import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface Measurement {
  label: string;
  round: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers sent over the measured window (autocannon's total). */
  requests: number;
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
}

/** Where load() reads CPU time from: the server's process and the Redis server. */
export interface Meters {
  serverPid: number;
  redisCpuSeconds: () => Promise<number>;
}

export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
  /** What the answer must be, handed to the check with the answer. */
  expect: string;
}

/** Classifies an answer's body; `ok` is false when it is not what `expect` asked for. */
export type Check = (body: string, expect: string) => { kind: string; ok: boolean };

interface Server {
  port: number;
  pid: number;
  stop(): Promise<void>;
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
export async function startServer(script: string, env: Record<string, string> = {}): Promise<Server> {
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
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += String(chunk);
        const match = /READY (\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`${script} exited before it was ready (${signal ?? `code ${code}`})`)),
      );
      setTimeout(() => reject(new Error(`${script} not ready after 60 s`)), 60_000).unref();
    });
    return {
      port,
      pid: child.pid!,
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
 * One autocannon run. Requests come from `next()` (prepared beforehand: the load generator
 * shares the two cores with the servers, so it should spend its time sending, not signing);
 * each answer is checked against what its request expects. With pipelining 1, autocannon hands
 * `onResponse` the context its `setupRequest` filled for the request being answered.
 */
export async function load(
  label: string,
  round: number,
  url: string,
  next: () => PreparedRequest,
  check: Check,
  meters: Meters,
  options: { connections: number; seconds: number },
): Promise<Measurement> {
  const answers: Record<string, number> = {};
  let wrongAnswers = 0;
  const [serverCpuBefore, redisCpuBefore, startedAt] = [
    cpuSeconds(meters.serverPid),
    await meters.redisCpuSeconds(),
    performance.now(),
  ];
  const result = await autocannon({
    url,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const { body, headers, expect } = next();
          (context as { expect?: string }).expect = expect;
          return { ...request, method: 'POST', body, headers: { ...request.headers, ...headers } };
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
  const answered = Math.max(1, result.requests.total);
  return {
    label,
    round,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    wrongAnswers,
    answers,
    serverCpuUsPerRequest: Math.round((serverCpu * 1e6) / answered),
    serverBusy: Number((serverCpu / elapsedSeconds).toFixed(2)),
    redisCpuUsPerRequest: Math.round((redisCpu * 1e6) / answered),
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
