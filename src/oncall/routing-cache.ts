import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { Db } from '../platform/db/client.js';
import type { Redis } from '../platform/redis.js';
import { agencyCalendar, type WindowCalendar } from './on-call-windows.js';
import { type RoutingContract, routingContract } from './routing-store.js';

// What `route-on-call` reads about a contract (its agency's time zone, holidays and on-call
// windows) changes only through the imports, a few times a week, while every night call reads
// it as the caller waits (issue 24). Each process keeps what it read. An import that changes
// contracts, agencies or on-call hours bumps a version in Redis; a process checks that version
// at most once a second, and forgets everything when it moved (the importing process at once). An entry is also read again
// after a few minutes, so a change made outside the imports (an operator's SQL) is seen too.

const VERSION_KEY = 'oncall:routing-data-version';

export interface RoutingData {
  /** The contract with its agency's calendar and windows, or null (never cached). */
  contract(contractId: string): Promise<(RoutingContract & { calendar: WindowCalendar }) | null>;
  /** An import changed it: this process reads again now, the others within a second. */
  changed(): Promise<void>;
}

export interface RoutingDataOptions {
  /** How often the version in Redis is checked (default 1 s). */
  checkEveryMs?: number;
  /** How long an entry is trusted without an import (default 5 min). */
  maxAgeMs?: number;
  /** The most contracts kept; past it the cache starts afresh (default 50,000). */
  maxEntries?: number;
}

/** After an import that changed contracts, agencies or on-call hours: every process reads again. */
export async function routingDataChanged(redis: Redis): Promise<void> {
  await redis.incr(VERSION_KEY);
}

export function createRoutingData(
  db: Db,
  redis: Redis,
  calendar: FrenchCalendar,
  { checkEveryMs = 1000, maxAgeMs = 5 * 60_000, maxEntries = 50_000 }: RoutingDataOptions = {},
): RoutingData {
  type Entry = { value: RoutingContract & { calendar: WindowCalendar }; readAt: number };
  const entries = new Map<string, Entry>();
  // Monotonic times: a throttle and an age, not business time.
  let version: string | null = null;
  let checkedAt = -Infinity;

  const checkVersion = async () => {
    if (performance.now() - checkedAt < checkEveryMs) return;
    checkedAt = performance.now();
    try {
      const current = (await redis.get(VERSION_KEY)) ?? '0';
      if (current !== version) entries.clear();
      version = current;
    } catch {
      // Redis away: nothing is trusted that cannot be checked.
      entries.clear();
      checkedAt = -Infinity;
    }
  };

  return {
    async contract(contractId) {
      await checkVersion();
      const known = entries.get(contractId);
      if (known && performance.now() - known.readAt < maxAgeMs) return known.value;
      const contract = await routingContract(db, contractId);
      if (!contract) return null;
      // One calendar per entry: its holidays and on-call periods are remembered per local day.
      const value = { ...contract, calendar: agencyCalendar(calendar, contract.agency) };
      if (entries.size >= maxEntries) entries.clear();
      entries.set(contractId, { value, readAt: performance.now() });
      return value;
    },
    async changed() {
      entries.clear();
      checkedAt = -Infinity;
      await routingDataChanged(redis);
    },
  };
}
