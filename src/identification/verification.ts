import type { Db } from '../platform/db/client.js';
import { type CallerRelation, type ConfirmItem, identificationChecklist } from './checklist.js';
import { postalAddress } from './customer-identity.js';

// The agent ticks what the caller confirmed; only once the checklist is complete does the
// console get the record's details that were masked (phones, e-mail, contracts, meters). The
// check is made here, not in the browser, and each verification is audited by the route.

export interface VerificationRequest {
  customerId: string;
  relation: CallerRelation;
  referenceGiven: boolean;
  confirmed: readonly string[];
}

export type VerificationResult =
  | { verified: true; details: CustomerDetails }
  | { verified: false; missing: ConfirmItem[] }
  | { verified: false; notFound: true };

export interface CustomerDetails {
  reference: string;
  email: string | null;
  phones: Array<{ e164: string; kind: string; failing: boolean }>;
  contracts: Array<{
    reference: string;
    equipment: string | null;
    serviceContract: boolean;
    outOfHoursCoverage: boolean;
    contractualDelay: string | null;
    agency: string;
  }>;
  supplyPoints: Array<{ reference: string; address: string; meters: string[] }>;
  notEligibleForCutOff: boolean;
  sensitive: boolean;
}

export async function verifyIdentity(db: Db, request: VerificationRequest): Promise<VerificationResult> {
  const customer = await db.customer.findUnique({
    where: { id: request.customerId },
    select: {
      reference: true,
      email: true,
      notEligibleForCutOff: true,
      sensitive: true,
      phones: { select: { e164: true, kind: true, failing: true }, orderBy: { e164: 'asc' } },
      contracts: {
        select: {
          reference: true,
          equipment: true,
          serviceContract: true,
          outOfHoursCoverage: true,
          contractualDelay: true,
          agency: { select: { name: true } },
        },
        orderBy: { reference: 'asc' },
      },
      supplyPoints: {
        select: {
          reference: true,
          addressLine: true,
          postcode: true,
          city: true,
          meters: { select: { serial: true }, orderBy: { serial: 'asc' } },
        },
        orderBy: { reference: 'asc' },
      },
    },
  });
  if (!customer) return { verified: false, notFound: true };

  const checklist = identificationChecklist({
    relation: request.relation,
    serviceContract: customer.contracts.some((c) => c.serviceContract),
    referenceGiven: request.referenceGiven,
  });
  const confirmed = new Set(request.confirmed);
  const missing = checklist.confirm.filter((item) => !confirmed.has(item));
  if (missing.length > 0) return { verified: false, missing };

  return {
    verified: true,
    details: {
      reference: customer.reference,
      email: customer.email,
      phones: customer.phones,
      contracts: customer.contracts.map(({ agency, ...contract }) => ({ ...contract, agency: agency.name })),
      supplyPoints: customer.supplyPoints.map((point) => ({
        reference: point.reference,
        address: postalAddress(point),
        meters: point.meters.map((m) => m.serial),
      })),
      notEligibleForCutOff: customer.notEligibleForCutOff,
      sensitive: customer.sensitive,
    },
  };
}
