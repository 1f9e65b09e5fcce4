import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../platform/db/client.js';
import type { EventBus } from '../realtime/event-bus.js';

// The case timeline: every step is a row on the case and, at once, a live event for the
// consoles watching the case's agency.

export interface TimelineEntry {
  caseId: string;
  agencyId: string | null;
  type: string;
  at: Date;
  data: Record<string, unknown>;
}

export async function recordOnTimeline(db: Db, events: EventBus, entry: TimelineEntry): Promise<void> {
  await db.caseEvent.create({
    data: {
      caseId: entry.caseId,
      type: entry.type,
      at: entry.at,
      data: entry.data as Prisma.InputJsonValue,
    },
  });
  await events.publish({
    type: entry.type,
    at: entry.at.toISOString(),
    agencyId: entry.agencyId,
    data: { caseId: entry.caseId, ...entry.data },
  });
}
