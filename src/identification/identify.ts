import type { Db } from '../platform/db/client.js';
import { CUSTOMER_IDENTITY } from './customer-identity.js';
import type { PhoneIndex } from './phone-index.js';
import { toE164 } from './phone-number.js';

// Who is calling: used by the IVR on the webhook path and by the console's screen pop.

export type IdentificationStatus = 'one' | 'several' | 'none' | 'withheld';

export interface Identification {
  status: IdentificationStatus;
  /** The caller's number in E.164, null when withheld or not a valid number. */
  e164: string | null;
  customerIds: string[];
}

export function statusOf(customerIds: readonly string[]): Exclude<IdentificationStatus, 'withheld'> {
  if (customerIds.length === 0) return 'none';
  return customerIds.length === 1 ? 'one' : 'several';
}

/** Matches the calling number, in any French or international writing, against every customer phone. */
export async function identifyByNumber(
  phoneIndex: PhoneIndex,
  rawNumber: string | null | undefined,
): Promise<Identification> {
  const e164 = toE164(rawNumber);
  if (!e164) return { status: 'withheld', e164: null, customerIds: [] };
  const customerIds = await phoneIndex.customerIdsFor(e164);
  return { status: statusOf(customerIds), e164, customerIds };
}

/**
 * Customers matching what a caller keyed or said: a customer reference or a meter serial, with
 * or without the letter prefix printed on the bill (a keypad has no letters). Among `candidates`
 * (a shared number), the postcode of the served address also tells them apart.
 */
export async function findByReference(
  db: Db,
  input: string,
  prefixes: readonly string[],
  candidates: readonly string[] = [],
): Promise<string[]> {
  const typed = input.replace(/[\s.\-/]/g, '').toUpperCase();
  if (typed === '') return [];
  const forms = [...new Set([typed, ...prefixes.map((p) => `${p.toUpperCase()}${typed}`)])];
  const byReference = {
    OR: [
      { reference: { in: forms } },
      { supplyPoints: { some: { meters: { some: { serial: { in: forms } } } } } },
    ],
  };
  const rows = await db.customer.findMany({
    where:
      candidates.length > 0
        ? { id: { in: [...candidates] }, OR: [...byReference.OR, { postcode: typed }] }
        : { ...byReference, departedAt: null },
    select: { id: true },
    orderBy: { reference: 'asc' },
    take: 10,
  });
  return rows.map((r) => r.id);
}

export interface Candidate {
  id: string;
  reference: string;
  lastName: string;
  firstName: string | null;
  companyName: string | null;
  addressLine: string;
  postcode: string;
  city: string;
  class: string;
  /** Holds a service (maintenance) contract: one extra element to confirm without reference. */
  serviceContract: boolean;
  notEligibleForCutOff: boolean;
  sensitive: boolean;
}

/** What the console shows of each customer the caller may be, in reference order. */
export async function candidatesFor(db: Db, customerIds: readonly string[]): Promise<Candidate[]> {
  if (customerIds.length === 0) return [];
  const rows = await db.customer.findMany({
    where: { id: { in: [...customerIds] } },
    orderBy: { reference: 'asc' },
    select: {
      id: true,
      ...CUSTOMER_IDENTITY,
      class: true,
      notEligibleForCutOff: true,
      sensitive: true,
      contracts: { where: { serviceContract: true }, select: { id: true }, take: 1 },
    },
  });
  return rows.map(({ contracts, ...customer }) => ({ ...customer, serviceContract: contracts.length > 0 }));
}
