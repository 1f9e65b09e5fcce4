import type { Queue } from 'bullmq';
import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { FollowUpSettings } from './follow-ups.settings.js';

/** What the follow-ups need (built once in src/services.ts). */
export interface FollowUpDeps {
  db: Db;
  events: EventBus;
  outbox: OutboxDeps;
  templates: Templates;
  clock: Clock;
  logger: Logger;
  /** The follow-up timers' delayed jobs. */
  queue: Queue;
  zone: string;
  /** Working days (vacant housing counted in working days). */
  calendar: FrenchCalendar;
  settings: FollowUpSettings;
}

export type Tx = Prisma.TransactionClient;

/** Done once the transaction has committed: jobs to add, events to publish. */
export type AfterCommit = () => Promise<void>;

/**
 * A case event written in the caller's transaction; the live event goes once it has committed
 * (a console must never see a step that was rolled back).
 */
export async function timelineInTx(
  tx: Tx,
  events: EventBus,
  entry: { caseId: string; agencyId: string | null; type: string; at: Date; data: Record<string, unknown> },
): Promise<AfterCommit> {
  await tx.caseEvent.create({
    data: { caseId: entry.caseId, type: entry.type, at: entry.at, data: entry.data as Prisma.InputJsonValue },
  });
  return async () => {
    await events.publish({
      type: entry.type,
      at: entry.at.toISOString(),
      agencyId: entry.agencyId,
      data: { caseId: entry.caseId, ...entry.data },
    });
  };
}
