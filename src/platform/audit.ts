import type { Prisma } from '../generated/prisma/client.js';
import type { Principal } from './auth/principal.js';

/** An audit-log row for what a signed-in user or an API token did (the table is append-only). */
export function auditEntry(
  principal: Principal,
  action: string,
  entity: string,
  entityId: string,
  data: Record<string, unknown>,
): Prisma.AuditLogCreateInput {
  return {
    actorType: principal.kind === 'user' ? 'USER' : 'API_TOKEN',
    actorId: principal.id,
    action,
    entity,
    entityId,
    data: data as Prisma.InputJsonValue,
  };
}
