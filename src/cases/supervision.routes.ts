import type { FastifyInstance } from 'fastify';
import type { Prisma } from '../generated/prisma/client.js';
import type { Services } from '../platform/services.js';

// The supervisor's view of the case queues: open cases per agency with how many are urgent,
// overdue or due within the hour; the overdue ones (SLA breaches) and the multi-contact ones,
// which the domain flags to a supervisor for priority.

const OPEN: Prisma.CaseWhereInput = { status: { in: ['OPEN', 'IN_PROGRESS', 'WAITING'] } };
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
    { config: { access: { users: ['SUPERVISOR', 'ADMIN'] } }, schema: { tags: ['cases'] } },
    async () => {
      const now = clock.now();
      const soon = new Date(now.getTime() + SOON_MS);
      const count = (where: Prisma.CaseWhereInput) =>
        db.case.groupBy({ by: ['agencyId'], where: { ...OPEN, ...where }, _count: { _all: true } });
      const [open, urgent, overdue, dueSoon, multiContact, agencies, breaches, flagged] = await Promise.all([
        count({}),
        count({ urgency: 'URGENT' }),
        count({ dueAt: { lt: now } }),
        count({ dueAt: { gte: now, lt: soon } }),
        count({ multiContact: true }),
        db.agency.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
        db.case.findMany({
          where: { ...OPEN, dueAt: { lt: now } },
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
      ]);
      const byAgency = (
        rows: Array<{ agencyId: string | null; _count: { _all: number } }>,
        id: string | null,
      ) => rows.find((r) => r.agencyId === id)?._count._all ?? 0;
      const queues = [...agencies, { id: null, name: null }]
        .map((agency) => ({
          agencyId: agency.id,
          agency: agency.name,
          open: byAgency(open, agency.id),
          urgent: byAgency(urgent, agency.id),
          overdue: byAgency(overdue, agency.id),
          dueWithinHour: byAgency(dueSoon, agency.id),
          multiContact: byAgency(multiContact, agency.id),
        }))
        .filter((queue) => queue.agencyId !== null || queue.open > 0);
      return { at: now.toISOString(), queues, overdue: breaches, multiContact: flagged };
    },
  );
}
