import type { Db } from '../../../src/platform/db/client.js';

// Finding the demo customers a scenario needs (prisma/seed.ts writes a few hundred, at random but
// the same every time), rather than hard-coding numbers the seed could change.

export interface DemoCaller {
  /** A mobile that belongs to this customer only, so the IVR recognises them at once. */
  phone: string;
  customerId: string;
  reference: string;
  lastName: string;
  agencyCode: string;
}

/**
 * A customer of that agency whose contract covers out-of-hours calls without the 7/7 option
 * (whose evening calls are paged the next morning): at night, their call pages the technician.
 */
export async function coveredCaller(db: Db, agencyCode = 'AG-LYO', skip = 0): Promise<DemoCaller> {
  const contracts = await db.contract.findMany({
    where: { outOfHoursCoverage: true, individual77: false, agency: { code: agencyCode } },
    orderBy: { reference: 'asc' },
    select: {
      customer: {
        select: { id: true, reference: true, lastName: true, phones: { where: { kind: 'MOBILE' } } },
      },
    },
  });
  const found: DemoCaller[] = [];
  for (const { customer } of contracts) {
    for (const phone of customer.phones) {
      if ((await db.customerPhone.count({ where: { e164: phone.e164 } })) !== 1) continue;
      found.push({
        phone: phone.e164,
        customerId: customer.id,
        reference: customer.reference,
        lastName: customer.lastName,
        agencyCode,
      });
      if (found.length > skip) return found[skip]!;
    }
  }
  throw new Error(`no covered caller of ${agencyCode} with a mobile of their own in the demo data`);
}
