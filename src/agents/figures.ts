import { DateTime } from 'luxon';
import type { QueuedCall } from '../generated/prisma/client.js';
import type { Db } from '../platform/db/client.js';

// The queue's figures over a window of calls (by the time they were queued):
//  - service level: the share of the calls that ended or were answered that an agent answered
//    within the target (SERVICE_LEVEL_SECONDS, 20 s by default);
//  - abandonment: the share of those calls whose caller hung up before an agent answered (the
//    callers who chose the voicemail are not abandoned: they are counted as "left");
//  - average speed of answer: queued to answered, over the answered calls;
//  - average handle time: answered to the end of the wrap-up, over the calls whose wrap-up ended.
// Calls still waiting count in none of the shares.

export interface Figures {
  from: string;
  queued: number;
  answered: number;
  abandoned: number;
  left: number;
  /** 0..1, null when no call has an outcome yet. */
  serviceLevel: number | null;
  abandonment: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleSeconds: number | null;
}

type Row = Pick<QueuedCall, 'queuedAt' | 'answeredAt' | 'outcome' | 'wrapUpEndedAt'>;

const seconds = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;
const average = (values: number[]) =>
  values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
const share = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;

export function figuresOf(rows: readonly Row[], from: Date, serviceLevelSeconds: number): Figures {
  const answered = rows.filter((r) => r.outcome === 'ANSWERED' && r.answeredAt);
  const abandoned = rows.filter((r) => r.outcome === 'ABANDONED').length;
  const left = rows.filter((r) => r.outcome === 'LEFT').length;
  const decided = answered.length + abandoned + left;
  const speeds = answered.map((r) => seconds(r.queuedAt, r.answeredAt!));
  return {
    from: from.toISOString(),
    queued: rows.length,
    answered: answered.length,
    abandoned,
    left,
    serviceLevel: share(speeds.filter((s) => s <= serviceLevelSeconds).length, decided),
    abandonment: share(abandoned, decided),
    averageSpeedOfAnswerSeconds: average(speeds),
    averageHandleSeconds: average(
      answered.filter((r) => r.wrapUpEndedAt).map((r) => seconds(r.answeredAt!, r.wrapUpEndedAt!)),
    ),
  };
}

/** The start of the service's day (its time zone) that holds `now`. */
export const startOfDay = (now: Date, timeZone: string) =>
  DateTime.fromJSDate(now).setZone(timeZone).startOf('day').toJSDate();

export const LAST_MINUTES = 15;

export async function liveFigures(
  db: Db,
  now: Date,
  timeZone: string,
  serviceLevelSeconds: number,
): Promise<{ today: Figures; lastMinutes: Figures }> {
  const dayStart = startOfDay(now, timeZone);
  const recentStart = new Date(now.getTime() - LAST_MINUTES * 60_000);
  const rows = await db.queuedCall.findMany({
    where: { queuedAt: { gte: dayStart < recentStart ? dayStart : recentStart, lte: now } },
    select: { queuedAt: true, answeredAt: true, outcome: true, wrapUpEndedAt: true },
  });
  return {
    today: figuresOf(
      rows.filter((r) => r.queuedAt >= dayStart),
      dayStart,
      serviceLevelSeconds,
    ),
    lastMinutes: figuresOf(
      rows.filter((r) => r.queuedAt >= recentStart),
      recentStart,
      serviceLevelSeconds,
    ),
  };
}
