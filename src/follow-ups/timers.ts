import { UnrecoverableError } from 'bullmq';
import type { Prisma } from '../generated/prisma/client.js';
import type { AfterCommit, FollowUpDeps, Tx } from './follow-ups.deps.js';

// One mechanism for every follow-up: a row in follow_up_timers (the truth) and, once it is due
// within the next minutes, a BullMQ delayed job whose id names the row and its due time. A moved
// timer gets a new job; an old one finds the row moved and does nothing. The sweep adds the jobs
// of the rows coming near, and again those lost with Redis; firing claims the row in one
// statement, so a timer fires once however many jobs it has.

export interface TimerPlan {
  kind: string;
  dueAt: Date;
}

export interface Timer {
  id: string;
  caseId: string;
  kind: string;
  dueAt: Date;
}

/** What a kind of timer does when it fires: its writes in the claim's transaction, the rest after. */
export type TimerHandler = (
  deps: FollowUpDeps,
  tx: Tx,
  timer: Timer,
) => Promise<{ data: Record<string, unknown>; after: AfterCommit }>;

export interface TimerJob {
  timerId: string;
  /** The due time the job was made for (ms): a row due at another time is not this job's. */
  dueAt: number;
}

export const timerJobId = (timer: { id: string; dueAt: Date }) =>
  `timer-${timer.id}-${timer.dueAt.getTime()}`;

/**
 * Jobs are added for the timers due within this (and those overdue): by `scheduleTimers` when a
 * change commits, and by the sweep, every minute, for the rows coming near. Redis holds the next
 * minutes' jobs, not months of them (a 30-day call for each of 100,000 departures would be about
 * 200 MB of delayed jobs, and as many job writes again at each bulk date change: bench/timers).
 */
const JOB_HORIZON_MS = 10 * 60_000;
const SWEEP_BATCH = 1000;

/**
 * Sets the case's timers of these kinds to fire at these times (pending again if they had fired
 * or been cancelled), in the caller's transaction: a change of the case and its timers commit
 * together. Returns the timers whose jobs to add once committed (`scheduleTimers`).
 */
export async function setTimers(tx: Tx, caseId: string, plans: readonly TimerPlan[]): Promise<Timer[]> {
  const timers: Timer[] = [];
  for (const { kind, dueAt } of plans) {
    const pending = { dueAt, state: 'PENDING' as const, firedAt: null, data: {} };
    timers.push(
      await tx.followUpTimer.upsert({
        where: { caseId_kind: { caseId, kind } },
        create: { caseId, kind, ...pending },
        update: pending,
        select: { id: true, caseId: true, kind: true, dueAt: true },
      }),
    );
  }
  return timers;
}

/** One case's timers to set (`setTimersOfCases`). */
export interface CaseTimerPlans {
  caseId: string;
  plans: readonly TimerPlan[];
}

/**
 * `setTimers` for many cases at once, in one statement: the same rows (pending again, not fired,
 * no data, whatever they were; a row keeps its id), for a bulk change of thousands of cases in
 * one transaction, where an upsert a row costs the process about a millisecond of CPU each
 * (bench/timers.bench.ts). A case and kind given twice: the last wins, as with setTimers. `now`
 * (the service's clock) is the rows' updatedAt. Returns the timers whose jobs to add once
 * committed (`scheduleTimers`), in no particular order.
 */
export async function setTimersOfCases(
  tx: Tx,
  cases: readonly CaseTimerPlans[],
  now: Date,
): Promise<Timer[]> {
  const wanted = new Map<string, { caseId: string; kind: string; dueAt: Date }>();
  for (const { caseId, plans } of cases)
    for (const { kind, dueAt } of plans) wanted.set(`${caseId} ${kind}`, { caseId, kind, dueAt });
  if (wanted.size === 0) return [];
  const rows = [...wanted.values()];
  const set = await tx.$queryRaw<Array<{ id: string; case_id: string; kind: string; due_at: Date }>>`
    INSERT INTO follow_up_timers (case_id, kind, due_at, state, fired_at, data, updated_at)
    SELECT v.case_id, v.kind, v.due_at, 'PENDING', NULL, '{}'::jsonb, ${now.toISOString()}::timestamptz
    FROM unnest(${rows.map((r) => r.caseId)}::uuid[], ${rows.map((r) => r.kind)}::text[],
                ${rows.map((r) => r.dueAt.toISOString())}::timestamptz[]) AS v(case_id, kind, due_at)
    ON CONFLICT (case_id, kind) DO UPDATE
    SET due_at = excluded.due_at, state = 'PENDING', fired_at = NULL, data = '{}'::jsonb,
        updated_at = excluded.updated_at
    RETURNING id, case_id, kind, due_at`;
  return set.map((r) => ({ id: r.id, caseId: r.case_id, kind: r.kind, dueAt: new Date(r.due_at) }));
}

/** Cancels the case's pending timers (their jobs, if they run, find nothing to fire); how many. */
export async function cancelTimers(tx: Tx, caseId: string, why: string): Promise<number> {
  const { count } = await tx.followUpTimer.updateMany({
    where: { caseId, state: 'PENDING' },
    data: { state: 'CANCELLED', data: { cancelled: why } },
  });
  return count;
}

/**
 * Adds the delayed jobs of the timers due within the horizon (the sweep adds the others as their
 * time comes near). Redis away: logged, not thrown (the change is committed; the sweep adds them).
 */
export async function scheduleTimers(
  deps: Pick<FollowUpDeps, 'queue' | 'clock' | 'logger'>,
  timers: readonly Timer[],
): Promise<void> {
  const now = deps.clock.now().getTime();
  const soon = timers.filter((timer) => timer.dueAt.getTime() <= now + JOB_HORIZON_MS);
  if (soon.length === 0) return;
  try {
    await deps.queue.addBulk(
      soon.map((timer) => ({
        name: 'fire',
        data: { timerId: timer.id, dueAt: timer.dueAt.getTime() } satisfies TimerJob,
        opts: {
          jobId: timerJobId(timer),
          delay: Math.max(0, timer.dueAt.getTime() - now),
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
          // Gone once run, so that the sweep can add it again if it ran too early (a clock ahead)
          // or failed for good (the row says whether it is still to fire).
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  } catch (err) {
    deps.logger.warn({ err, timers: soon.length }, 'follow-up timer jobs not added: the sweep will');
  }
}

export type FireOutcome = 'fired' | 'not-due' | 'gone';

/**
 * A timer's job: claims the row (PENDING -> FIRED, at the job's due time, which has come) and
 * runs its kind's handler in the same transaction; a handler that fails rolls the claim back and
 * BullMQ retries.
 */
export async function fireTimer(
  deps: FollowUpDeps,
  handlers: Readonly<Record<string, TimerHandler>>,
  job: TimerJob,
): Promise<FireOutcome> {
  const now = deps.clock.now();
  // Early (the service's clock behind Redis's): the row stays pending; the sweep adds the job again.
  if (job.dueAt > now.getTime()) return 'not-due';
  const after = await deps.db.$transaction(async (tx) => {
    const claimed = await tx.followUpTimer.updateMany({
      where: { id: job.timerId, state: 'PENDING', dueAt: new Date(job.dueAt) },
      data: { state: 'FIRED', firedAt: now },
    });
    if (claimed.count === 0) return null; // moved, cancelled or already fired
    const timer = await tx.followUpTimer.findUniqueOrThrow({
      where: { id: job.timerId },
      select: { id: true, caseId: true, kind: true, dueAt: true },
    });
    const handler = handlers[timer.kind];
    if (!handler) throw new UnrecoverableError(`no handler for follow-up timers of kind ${timer.kind}`);
    const { data, after } = await handler(deps, tx, timer);
    await tx.followUpTimer.update({ where: { id: timer.id }, data: { data: data as Prisma.InputJsonValue } });
    return after;
  });
  if (!after) return 'gone';
  await after();
  return 'fired';
}

/**
 * The safety net (maintenance worker, every minute): adds again the jobs of the pending rows due
 * soon or overdue. A job still there keeps its id, so adding it again does nothing.
 */
export async function sweepTimers(
  deps: Pick<FollowUpDeps, 'db' | 'queue' | 'clock' | 'logger'>,
): Promise<number> {
  const horizon = new Date(deps.clock.now().getTime() + JOB_HORIZON_MS);
  let swept = 0;
  let after: { dueAt: Date; id: string } | null = null;
  for (;;) {
    const rows: Timer[] = await deps.db.followUpTimer.findMany({
      where: {
        state: 'PENDING',
        dueAt: { lte: horizon },
        ...(after
          ? { OR: [{ dueAt: { gt: after.dueAt } }, { dueAt: after.dueAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      select: { id: true, caseId: true, kind: true, dueAt: true },
      take: SWEEP_BATCH,
    });
    await scheduleTimers(deps, rows);
    swept += rows.length;
    if (rows.length < SWEEP_BATCH) return swept;
    after = rows[rows.length - 1]!;
  }
}
