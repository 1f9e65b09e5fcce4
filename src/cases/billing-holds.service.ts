import { DateTime } from 'luxon';
import type { BillingHoldKind } from '../generated/prisma/enums.js';
import type { Db } from '../platform/db/client.js';
import type { Services } from '../services.js';
import { OPEN_CASE_STATUSES } from './case-scope.js';

// [CS-7] Holds on a customer's account for the billing system: a complaint not resolved the day
// it was opened suspends direct debit; an open bill, payment, rebate or last-resort case blocks
// dunning. Each hold is a row placed and lifted with its case (closing the case lifts it), and
// every change goes to the audit trail; the billing system reads the current list.

export interface BillingHoldDeps {
  db: Db;
  /** Case categories that block dunning (CASE_BILLING_HOLD_CATEGORIES). */
  categories: readonly string[];
  zone: string;
  now(): Date;
}

/** The service's settings and clock, as the holds need them. */
export function billingHoldDeps(services: Services): BillingHoldDeps {
  return {
    db: services.db,
    categories: services.settings.billingHoldCategories,
    zone: services.settings.timeZone,
    now: () => services.clock.now(),
  };
}

/** Midnight of the current day, in the service's time zone: a complaint opened before it was not resolved the same day. */
const startOfToday = (deps: BillingHoldDeps) =>
  DateTime.fromJSDate(deps.now(), { zone: deps.zone }).startOf('day').toJSDate();

/** The holds a case warrants now. */
function warranted(
  kase: { kind: string; category: string; status: string; openedAt: Date; customerId: string | null },
  deps: BillingHoldDeps,
): BillingHoldKind[] {
  if (!kase.customerId || !(OPEN_CASE_STATUSES as readonly string[]).includes(kase.status)) return [];
  const kinds: BillingHoldKind[] = [];
  if (deps.categories.includes(kase.category.toLowerCase())) kinds.push('DUNNING_BLOCKED');
  if (kase.kind === 'COMPLAINT' && kase.openedAt < startOfToday(deps)) kinds.push('DIRECT_DEBIT_SUSPENDED');
  return kinds;
}

/** Places the holds a case warrants and lifts the others; returns what changed. */
export async function syncBillingHolds(
  deps: BillingHoldDeps,
  caseId: string,
  actor: { type: 'USER' | 'API_TOKEN' | 'SYSTEM'; id: string | null },
): Promise<{ placed: BillingHoldKind[]; lifted: BillingHoldKind[] }> {
  const { db } = deps;
  const kase = await db.case.findUnique({
    where: { id: caseId },
    select: {
      kind: true,
      category: true,
      status: true,
      openedAt: true,
      customerId: true,
      billingHolds: { where: { liftedAt: null }, select: { id: true, kind: true } },
    },
  });
  if (!kase) return { placed: [], lifted: [] };
  const wanted = warranted(kase, deps);
  const active = new Set(kase.billingHolds.map((h) => h.kind));
  const placed = wanted.filter((kind) => !active.has(kind));
  const lifted = kase.billingHolds.filter((h) => !wanted.includes(h.kind));
  if (placed.length === 0 && lifted.length === 0) return { placed: [], lifted: [] };
  const at = deps.now();
  const audit = (action: string, kind: BillingHoldKind) => ({
    actorType: actor.type,
    actorId: actor.id,
    action,
    entity: 'case',
    entityId: caseId,
    data: { kind, customerId: kase.customerId },
  });
  await db.$transaction([
    ...placed.map((kind) =>
      db.billingHold.upsert({
        where: { caseId_kind: { caseId, kind } },
        create: { caseId, kind, customerId: kase.customerId!, since: at },
        update: { since: at, liftedAt: null },
      }),
    ),
    ...lifted.map((h) => db.billingHold.update({ where: { id: h.id }, data: { liftedAt: at } })),
    db.auditLog.createMany({
      data: [
        ...placed.map((kind) => audit('billing-hold.placed', kind)),
        ...lifted.map((h) => audit('billing-hold.lifted', h.kind)),
      ],
    }),
  ]);
  return { placed, lifted: lifted.map((h) => h.kind) };
}

/**
 * Complaints opened before today and still open get their direct-debit hold: the day they were
 * not resolved ends at midnight, not on an agent's action. Run by the maintenance worker and
 * before the list is read.
 */
export async function sweepBillingHolds(deps: BillingHoldDeps): Promise<number> {
  const due = await deps.db.case.findMany({
    where: {
      kind: 'COMPLAINT',
      status: { in: [...OPEN_CASE_STATUSES] },
      customerId: { not: null },
      openedAt: { lt: startOfToday(deps) },
      billingHolds: { none: { kind: 'DIRECT_DEBIT_SUSPENDED', liftedAt: null } },
    },
    select: { id: true },
    take: 1000,
  });
  for (const { id } of due) await syncBillingHolds(deps, id, { type: 'SYSTEM', id: 'billing-hold-sweep' });
  return due.length;
}
