/** The only source of "now" for domain code, so rules can be tested at any hour. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Starts at `start` and runs at the real clock's pace (rehearsals: CLOCK_START). */
export function clockStartingAt(start: Date, real: Clock = systemClock): Clock {
  const offsetMs = start.getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offsetMs) };
}

/** The service's clock: the real one, or a rehearsal's starting at CLOCK_START. */
export function serviceClock(clockStart: Date | undefined): Clock {
  return clockStart ? clockStartingAt(clockStart) : systemClock;
}
