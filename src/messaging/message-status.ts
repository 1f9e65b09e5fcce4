import type { MessageStatus } from '../generated/prisma/enums.js';

// Delivery statuses only move forward: a late "sent" callback cannot undo "delivered".
const RANK: Record<MessageStatus, number> = {
  QUEUED: 0,
  SENDING: 1,
  SENT: 2,
  RINGING: 3,
  IN_PROGRESS: 4,
  DELIVERED: 5,
  UNDELIVERED: 5,
  FAILED: 5,
  COMPLETED: 5,
  BUSY: 5,
  NO_ANSWER: 5,
  CANCELED: 5,
  READ: 6,
  RECEIVED: 6,
};

export function statusRank(status: MessageStatus): number {
  return RANK[status];
}

/** The statuses a row may be in for `next` to apply. */
export function statusesBefore(next: MessageStatus): MessageStatus[] {
  return (Object.keys(RANK) as MessageStatus[]).filter((s) => RANK[s] < RANK[next]);
}

/** Delivered, failed, answered and hung up...: nothing more will happen to it. */
export function isFinal(status: MessageStatus): boolean {
  return RANK[status] >= RANK.COMPLETED;
}
