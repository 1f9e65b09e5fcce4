import type { Prisma } from '../generated/prisma/client.js';
import type { CaseStatus } from '../generated/prisma/enums.js';
import { confinedAgency, type Principal } from '../platform/auth/principal.js';

/** Cases not yet closed or cancelled: the open list, the agent's actions, the supervisor's queues. */
export const OPEN_CASE_STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING'] as const satisfies readonly CaseStatus[];

/** An agent attached to an agency sees that agency's cases and those of no agency; others see all. */
export function visibleTo(principal: Principal): Prisma.CaseWhereInput {
  const agencyId = confinedAgency(principal);
  return agencyId ? { OR: [{ agencyId }, { agencyId: null }] } : {};
}
