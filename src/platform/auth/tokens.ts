import { createHash, randomBytes } from 'node:crypto';
import type { ApiTokenRole } from '../../generated/prisma/enums.js';
import type { Db } from '../db/client.js';
import type { Redis } from '../redis.js';
import type { Principal } from './principal.js';

// Opaque bearer tokens. Only their SHA-256 is stored: sessions in Redis (with an expiry, so a
// logout or an expiry takes effect in every api process), API tokens in PostgreSQL.
const SESSION_PREFIX = 'ccs_';
const API_TOKEN_PREFIX = 'cct_';

export function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export async function createSession(
  redis: Redis,
  principal: Extract<Principal, { kind: 'user' }>,
  ttlSeconds: number,
): Promise<string> {
  const token = newToken(SESSION_PREFIX);
  await redis.set(`session:${digest(token)}`, JSON.stringify(principal), { EX: ttlSeconds });
  return token;
}

export async function endSession(redis: Redis, token: string): Promise<void> {
  await redis.del(`session:${digest(token)}`);
}

export async function createApiToken(
  db: Db,
  name: string,
  role: ApiTokenRole,
  createdById: string | null,
): Promise<{ id: string; token: string }> {
  const token = newToken(API_TOKEN_PREFIX);
  const row = await db.apiToken.create({
    data: { name, role, tokenHash: digest(token), createdById },
    select: { id: true },
  });
  return { id: row.id, token };
}

export async function resolveToken(db: Db, redis: Redis, token: string): Promise<Principal | null> {
  if (token.startsWith(SESSION_PREFIX)) {
    const raw = await redis.get(`session:${digest(token)}`);
    return raw ? (JSON.parse(raw) as Principal) : null;
  }
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const row = await db.apiToken.findUnique({ where: { tokenHash: digest(token) } });
    if (!row || row.revokedAt) return null;
    return { kind: 'token', id: row.id, role: row.role, name: row.name };
  }
  return null;
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}
