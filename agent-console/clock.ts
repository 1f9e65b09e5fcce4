// The service's time, as the console sees it: deadlines count down against the server's clock
// (an agent's PC may be off by minutes; a rehearsal runs the service at another hour).

import type { ClockReply } from '../src/operations/operations.schemas.js';

let offsetMs = 0;

/** Asks the server for its time once; the offset is kept for the session. */
export async function syncClock(): Promise<void> {
  const sent = Date.now();
  try {
    const response = await fetch('/api/clock', { headers: { Accept: 'application/json' } });
    const { now } = (await response.json()) as ClockReply;
    const received = Date.now();
    // Half the round trip is the best guess of when the server read its clock.
    offsetMs = new Date(now).getTime() - (sent + received) / 2;
  } catch {
    offsetMs = 0; // the browser's own clock, rather than nothing
  }
}

export const serverNow = (): number => Date.now() + offsetMs;
