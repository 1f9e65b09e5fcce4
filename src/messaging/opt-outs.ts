import type { Db } from '../platform/db/client.js';

// Numbers that answered STOP (or ARRET, UNSUBSCRIBE...) get no more non-essential SMS until they
// answer START. Safety and on-call messages still go: they are not marketing, and a technician
// who once typed STOP must still be paged.

export async function isOptedOut(db: Db, phone: string): Promise<boolean> {
  return (await db.smsOptOut.count({ where: { phone } })) > 0;
}

export async function optOut(db: Db, phone: string, keyword: string, at: Date): Promise<void> {
  await db.smsOptOut.upsert({
    where: { phone },
    create: { phone, keyword, optedOutAt: at },
    update: { keyword, optedOutAt: at },
  });
}

export async function optIn(db: Db, phone: string): Promise<boolean> {
  return (await db.smsOptOut.deleteMany({ where: { phone } })).count > 0;
}
