import type { MessageChannel } from '../generated/prisma/enums.js';
import type { Db } from '../platform/db/client.js';

/** A permanent delivery error marks the number or address as failing, so other channels are tried next time. */
export async function markContactDetailFailing(db: Db, channel: MessageChannel, to: string): Promise<void> {
  if (channel === 'EMAIL') {
    await db.customer.updateMany({ where: { email: to }, data: { emailFailing: true } });
  } else {
    await db.customerPhone.updateMany({ where: { e164: to }, data: { failing: true } });
  }
}
