import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.js';

export type Db = PrismaClient;

// The pool under each client, for the hot path's prepared statements (./statements.ts).
const pools = new WeakMap<Db, pg.Pool>();

export function createDb(databaseUrl: string): Db {
  // Connections stay open through a quiet night: opening one in a burst costs PostgreSQL a backend
  // process and an authentication, and the hot path's statements are prepared again on it.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, idleTimeoutMillis: 10 * 60_000 });
  // A connection that fails while idle leaves the pool, and the next query opens another; this
  // listener only keeps that from crashing the process before Prisma's own is attached.
  pool.on('error', () => {});
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The connection pool a client made by `createDb` runs on. */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

export async function isDbReachable(db: Db): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
