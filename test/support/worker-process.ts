import { spawn } from 'node:child_process';

// A worker (or api) process as an operator starts one (`node --import tsx src/main.ts --role
// worker`), for the tests where a worker must really die (SIGKILL) and another take its jobs over,
// and where several processes share the work.

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/**
 * The clock the test process runs on, for its children too: under `npm run test:shifted`,
 * libfaketime's settings, so that a worker's times and the Twilio double's agree as real clocks do.
 */
const sameClock = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        /^(LD_PRELOAD|FAKETIME\w*|TZ)$/.test(entry[0]) && entry[1] !== undefined,
    ),
  );

export interface WorkerProcess {
  /** How it ended: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** SIGTERM, then waits for the end (nothing if it is already gone). */
  stop(): Promise<void>;
}

export function startWorkerProcess(
  env: Record<string, string>,
  role: 'worker' | 'api' = 'worker',
): WorkerProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--role', role], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...sameClock(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
