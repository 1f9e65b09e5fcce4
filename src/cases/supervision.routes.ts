import type { FastifyInstance } from 'fastify';
import type { Prisma } from '../generated/prisma/client.js';
import { SUPERVISORS } from '../platform/auth/principal.js';
import type { Services } from '../services.js';
import { OPEN_CASE_STATUSES } from './case-scope.js';
import { SupervisionReply } from './supervision.schemas.js';

// The supervisor's view of the case queues: open cases per agency with how many are urgent,
// overdue or due within the hour; the overdue ones (SLA breaches) and the multi-contact ones,
// which the domain flags to a supervisor for priority.

const OPEN: Prisma.CaseWhereInput = { status: { in: [...OPEN_CASE_STATUSES] } };

interface QueueCounts {
  agencyId: string | null;
  open: number;
  urgent: number;
  overdue: number;
  dueWithinHour: number;
  multiContact: number;
}
const LISTED = 50;
const SOON_MS = 3600_000;

const caseSummary = {
  id: true,
  number: true,
  subject: true,
  kind: true,
  urgency: true,
  status: true,
  dueAt: true,
  openedAt: true,
  multiContact: true,
  agency: { select: { id: true, name: true } },
  customer: { select: { reference: true, lastName: true, firstName: true } },
} as const;

export function supervisionRoutes(app: FastifyInstance, services: Services): void {
  const { db, clock } = services;

  app.get(
    '/api/supervision',
    {
      config: { access: { users: SUPERVISORS } },
      schema: { tags: ['cases'], response: { 200: SupervisionReply } },
    },
    async () => {
      const now = clock.now();
      const soon = new Date(now.getTime() + SOON_MS);
      const [counts, agencies, breaches, flagged, sensitive] = await Promise.all([
        // Every count of every agency in one pass over the open cases.
        db.$queryRaw<QueueCounts[]>`
          SELECT agency_id AS "agencyId",
                 count(*)::int AS open,
                 (count(*) FILTER (WHERE urgency = 'URGENT'))::int AS urgent,
                 (count(*) FILTER (WHERE due_at < ${now} AND waiting_since IS NULL))::int AS overdue,
                 (count(*) FILTER (WHERE due_at >= ${now} AND due_at < ${soon}
                                   AND waiting_since IS NULL))::int AS "dueWithinHour",
                 (count(*) FILTER (WHERE multi_contact))::int AS "multiContact"
          FROM cases
          WHERE status::text = ANY(${[...OPEN_CASE_STATUSES]})
          GROUP BY agency_id`,
        db.agency.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
        db.case.findMany({
          // [CS-3] A case waiting for a third party is not late.
          where: { ...OPEN, dueAt: { lt: now }, waitingSince: null },
          orderBy: { dueAt: 'asc' },
          take: LISTED,
          select: caseSummary,
        }),
        db.case.findMany({
          where: { ...OPEN, multiContact: true },
          orderBy: [{ dueAt: 'asc' }, { openedAt: 'asc' }],
          take: LISTED,
          select: caseSummary,
        }),
        // [CS-6] The sensitive letters' team queue, every agency.
        db.case.findMany({
          where: { ...OPEN, sensitive: { not: null } },
          orderBy: [{ dueAt: 'asc' }, { openedAt: 'asc' }],
          take: LISTED,
          select: { ...caseSummary, sensitive: true },
        }),
      ]);
      const none = { open: 0, urgent: 0, overdue: 0, dueWithinHour: 0, multiContact: 0 };
      const queues = [...agencies, { id: null, name: null }]
        .map((agency) => {
          const { agencyId: _, ...found } = counts.find((c) => c.agencyId === agency.id) ?? {
            agencyId: null,
            ...none,
          };
          return { agencyId: agency.id, agency: agency.name, ...found };
        })
        .filter((queue) => queue.agencyId !== null || queue.open > 0);
      return { at: now.toISOString(), queues, overdue: breaches, multiContact: flagged, sensitive };
    },
  );
}
