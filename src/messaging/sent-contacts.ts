import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import { isUniqueViolation, type SentMessage } from './outbox.service.js';

/**
 * A message about a case that the provider took, traced as an outbound contact on the case,
 * once: a send reconciled after a crash is told twice, and its contact (keyed by the provider's
 * id) is already there.
 */
export async function traceSentAsContact(
  deps: { db: Db; clock: Clock },
  message: SentMessage & { caseId: string },
  summary: string,
): Promise<void> {
  await deps.db.contact
    .create({
      data: {
        caseId: message.caseId,
        customerId: message.customerId,
        direction: 'OUTBOUND',
        channel: message.channel === 'EMAIL' ? 'EMAIL' : 'SMS',
        at: deps.clock.now(),
        address: message.to,
        providerId: message.providerId,
        summary,
        details: { messageId: message.id, purpose: message.purpose },
      },
    })
    .catch((err: unknown) => {
      if (!isUniqueViolation(err)) throw err;
    });
}
