// Test-only crash points. FAULT_POINT names one point of the code (e.g. "outbox.after-claim"); the
// first time the process reaches it, it kills itself with SIGKILL: no cleanup, no lock released,
// no answer sent, as an out-of-memory kill or a lost machine leaves things. Tests start worker
// processes with it to try each crash window on purpose rather than by luck. Read once at start,
// and refused when NODE_ENV=production (src/platform/config.ts).

export interface FaultPoints {
  /** Called where a crash would leave something half done; kills the process if it is the point. */
  reach(point: string): void;
}

export const NO_FAULTS: FaultPoints = { reach() {} };

export function crashAt(
  point: string | undefined,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): FaultPoints {
  if (!point) return NO_FAULTS;
  let reached = false;
  return {
    reach(name) {
      if (name !== point || reached) return;
      reached = true;
      kill();
    },
  };
}
