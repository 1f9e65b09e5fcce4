import { DateTime } from 'luxon';
import { type Clock, systemClock } from '../../src/platform/clock.js';

// Tests pin their own time: a test that uses a calendar date sets the service's clock to an
// instant relative to that date, so it passes on any day it is run (see README, "Tests").

/** The instant a wall clock in `zone` shows at `local` ('2026-11-30T10:00'). */
export function at(local: string, zone = 'Europe/Paris'): Date {
  const instant = DateTime.fromISO(local, { zone });
  if (!instant.isValid) throw new Error(`at(): "${local}" in ${zone}: ${instant.invalidExplanation}`);
  return instant.toJSDate();
}

export interface TestClock extends Clock {
  /** Moves the clock to `instant`; a running clock runs on from there. */
  set(instant: Date): void;
}

/** A clock that starts at `start` and runs at the real pace, so that delays and timers stay real. */
export function runningFrom(start: Date): TestClock {
  let offsetMs = 0;
  const clock = {
    now: () => new Date(systemClock.now().getTime() + offsetMs),
    set: (instant: Date) => {
      offsetMs = instant.getTime() - systemClock.now().getTime();
    },
  };
  clock.set(start);
  return clock;
}

export interface StoppedClock extends TestClock {
  advance(ms: number): void;
}

/** A clock that shows `start` until the test moves it. */
export function stoppedAt(start: Date): StoppedClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    set: (instant) => {
      now = instant.getTime();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/**
 * Where the harness's clock starts when a test names no time of its own: a Tuesday morning in
 * Paris, a working day with the agencies open and nobody on call.
 */
export const TEST_START = at('2026-11-24T10:00');
