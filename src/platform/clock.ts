/** The only source of "now" for domain code, so rules can be tested at any hour. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
