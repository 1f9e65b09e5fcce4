import type { MessageStatus } from '../generated/prisma/enums.js';
import type { Db } from '../platform/db/client.js';
import { rows, sql } from '../platform/db/statements.js';
import type { EventBus } from '../realtime/event-bus.js';
import { markContactDetailFailing } from './contact-details.js';
import { statusesBefore } from './message-status.js';
import { isPermanentDeliveryError } from './twilio/twilio-vocabulary.js';

export interface ProviderStatusUpdate {
  messageId: string;
  providerId: string | undefined;
  status: MessageStatus;
  /** The provider's own word for it, kept for support. */
  providerStatus: string | undefined;
  errorCode: string | undefined;
  at: Date;
}

/**
 * Applies a delivery status callback. Only forward moves apply, so duplicated or out-of-order
 * callbacks are harmless. Returns whether anything changed.
 */
export async function applyProviderStatus(
  db: Db,
  events: EventBus,
  update: ProviderStatusUpdate,
): Promise<boolean> {
  const { messageId, status } = update;
  const result = await db.message.updateMany({
    where: { id: messageId, status: { in: statusesBefore(status) } },
    data: {
      status,
      updatedAt: update.at,
      providerStatus: update.providerStatus ?? null,
      ...(update.errorCode ? { errorCode: update.errorCode } : {}),
      ...(status === 'DELIVERED' || status === 'COMPLETED' ? { deliveredAt: update.at } : {}),
    },
  });
  if (update.providerId) await attachProviderId(db, messageId, update.providerId);
  if (result.count === 0) return false;
  const message = await db.message.findUnique({
    where: { id: messageId },
    select: { channel: true, to: true, caseId: true },
  });
  if (message && isPermanentDeliveryError(update.errorCode))
    await markContactDetailFailing(db, message.channel, message.to);
  await events.publish({
    type: 'message.status',
    data: { messageId, caseId: message?.caseId ?? null, status, errorCode: update.errorCode ?? null },
  });
  return true;
}

/** Records the provider's id on a message that has none yet (whichever of send or callback comes first). */
export async function attachProviderId(
  db: Db,
  messageId: string,
  providerId: string,
  extra: { sentAt?: Date } = {},
): Promise<void> {
  await db.message.updateMany({ where: { id: messageId, providerId: null }, data: { providerId, ...extra } });
}

export interface ProviderAcceptance {
  messageId: string;
  providerId: string;
  /** The status the provider's answer means (SENT, or further). */
  next: MessageStatus;
  at: Date;
}

/**
 * The provider accepted these messages: each moves forward to its `next` status with the
 * provider's id and the time it was sent, or, when a status callback got there first and moved it
 * further, keeps that status and only gets the id if it has none. What two updates per message
 * did before (`updateMany` forward, then `attachProviderId`), as one statement per `next` status
 * for the whole batch (the outbox groups the sends a worker finishes at the same moment).
 */
export async function recordProviderAcceptances(db: Db, accepted: ProviderAcceptance[]): Promise<void> {
  const byNext = new Map<MessageStatus, ProviderAcceptance[]>();
  for (const a of accepted) byNext.set(a.next, [...(byNext.get(a.next) ?? []), a]);
  for (const [next, group] of byNext) {
    const before = statusesBefore(next);
    await rows(
      db,
      sql`
      UPDATE messages AS m
      SET status = CASE WHEN m.status::text = ANY(${before}) THEN ${next}::"MessageStatus" ELSE m.status END,
          provider_id = CASE WHEN m.status::text = ANY(${before}) THEN v.provider_id
                             ELSE coalesce(m.provider_id, v.provider_id) END,
          sent_at = v.at,
          updated_at = v.at
      FROM unnest(${group.map((a) => a.messageId)}::uuid[], ${group.map((a) => a.providerId)}::text[],
                  ${group.map((a) => a.at.toISOString())}::timestamptz[]) AS v(id, provider_id, at)
      WHERE m.id = v.id AND (m.status::text = ANY(${before}) OR m.provider_id IS NULL)`,
    );
  }
}
