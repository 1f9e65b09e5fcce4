import { spawn } from 'node:child_process';

// A worker process as an operator starts one (`node --import tsx src/main.ts --role worker`), for
// the tests where a worker must really die (SIGKILL) and another take its jobs over.

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

export interface WorkerProcess {
  /** How it ended: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** SIGTERM, then waits for the end (nothing if it is already gone). */
  stop(): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--role', 'worker'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
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
