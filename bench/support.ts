import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import autocannon from 'autocannon';

export interface Measurement {
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** Starts a server script in its own process (so it does not share the load generator's CPU time). */
export async function startServer(
  script: string,
  env: Record<string, string> = {},
): Promise<{ port: number; stop(): void }> {
  // BENCH_NODE_ARGS (e.g. --cpu-prof) lets a profile of the server be taken during a run.
  const extra = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child: ChildProcess = spawn(process.execPath, [...extra, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /READY (\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { port, stop: () => child.kill(extra.length ? 'SIGINT' : 'SIGKILL') };
}

export async function load(
  label: string,
  url: string,
  buildRequest: () => { body: string; headers: Record<string, string> },
  options: { connections: number; seconds: number },
): Promise<Measurement> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const { body, headers } = buildRequest();
          return { ...request, method: 'POST', body, headers: { ...request.headers, ...headers } };
        },
      },
    ],
  });
  return {
    label,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function machine(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  const nproc = execSync('nproc').toString().trim();
  return `${nproc} cores (${model}), Node ${process.version}`;
}
