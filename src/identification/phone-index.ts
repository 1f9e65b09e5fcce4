import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { Redis } from '../platform/redis.js';

// Which customers have a given number, answered from Redis so the lookup can sit on the
// webhook path (a PostgreSQL query per call costs ~10x more on this hardware: see bench/).
// PostgreSQL stays the truth: the index is rebuilt from it and refreshed after every change
// of phones; until it has been built, lookups go to PostgreSQL.

const INDEX = 'phone-index';
const BUILT_AT = 'phone-index:built-at';
const BATCH = 10_000;
const BUILT_CHECK_EVERY_MS = 5000;

export interface PhoneIndex {
  customerIdsFor(e164: string): Promise<string[]>;
  /** Rebuilds the whole index from PostgreSQL and swaps it in atomically. Returns the numbers indexed. */
  rebuild(): Promise<number>;
  /** Re-reads these numbers from PostgreSQL (after an import, an edit, a departure). */
  refresh(e164s: string[]): Promise<void>;
}

export function createPhoneIndex(db: Db, redis: Redis, clock: Clock): PhoneIndex {
  // Whether the index exists, checked at most every few seconds rather than on every call
  // (a monotonic timer: a throttle, not business time).
  let builtCheckedAt = -Infinity;
  let built = false;
  const isBuilt = async () => {
    if (performance.now() - builtCheckedAt > BUILT_CHECK_EVERY_MS) {
      built = (await redis.exists(BUILT_AT)) === 1;
      builtCheckedAt = performance.now();
    }
    return built;
  };

  // Number -> "id,id" for the numbers matching `where`, current customers only.
  const entries = (where: Prisma.Sql, tail: Prisma.Sql = Prisma.empty) =>
    db.$queryRaw<Array<{ e164: string; ids: string }>>`
      SELECT p.e164, string_agg(p.customer_id::text, ',' ORDER BY c.reference) AS ids
      FROM customer_phones p JOIN customers c ON c.id = p.customer_id
      WHERE ${where} AND c.departed_at IS NULL
      GROUP BY p.e164 ${tail}`;

  const fromDatabase = async (e164s: string[]): Promise<Map<string, string>> => {
    const rows = await entries(Prisma.sql`p.e164 = ANY(${e164s})`);
    return new Map(rows.map((r) => [r.e164, r.ids]));
  };

  return {
    async customerIdsFor(e164) {
      if (await isBuilt()) {
        const ids = await redis.hGet(INDEX, e164);
        return ids ? ids.split(',') : [];
      }
      return (await fromDatabase([e164])).get(e164)?.split(',') ?? [];
    },

    async rebuild() {
      const building = `${INDEX}:building:${randomUUID()}`;
      let after = '';
      let count = 0;
      for (;;) {
        // Keyset pagination: constant cost per batch whatever the size of the table.
        const rows = await entries(Prisma.sql`p.e164 > ${after}`, Prisma.sql`ORDER BY p.e164 LIMIT ${BATCH}`);
        if (rows.length === 0) break;
        await redis.hSet(building, Object.fromEntries(rows.map((r) => [r.e164, r.ids])));
        count += rows.length;
        after = rows.at(-1)!.e164;
      }
      const builtAt = clock.now().toISOString();
      if (count === 0) await redis.multi().del(INDEX).set(BUILT_AT, builtAt).exec();
      else await redis.multi().rename(building, INDEX).set(BUILT_AT, builtAt).exec();
      builtCheckedAt = -Infinity;
      return count;
    },

    async refresh(e164s) {
      if (e164s.length === 0) return;
      const current = await fromDatabase(e164s);
      const gone = e164s.filter((n) => !current.has(n));
      const tx = redis.multi();
      if (current.size > 0) tx.hSet(INDEX, Object.fromEntries(current));
      if (gone.length > 0) tx.hDel(INDEX, gone);
      await tx.exec();
    },
  };
}
