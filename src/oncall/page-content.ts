import { DateTime } from 'luxon';
import type { Locale } from '../generated/prisma/enums.js';
import { CUSTOMER_IDENTITY, postalAddress } from '../identification/customer-identity.js';
import { toNational } from '../identification/phone-number.js';
import type { Templates } from '../messaging/templates.js';
import type { Db } from '../platform/db/client.js';

// What a page and a recap say about the request: everything the caller gave (DOMAIN.md 5.1.2:
// contact details, equipment, fault, contractual delay), as template variables. Every variable
// is always present (templates are strict); empty strings are left out by the templates.

export interface RequestDetails {
  caseId: string;
  caseNumber: string;
  emergency: boolean;
  agencyId: string | null;
  agencyName: string;
  agencyEmail: string;
  regionId: string | null;
  directionEmail: string;
  customerName: string;
  customerReference: string;
  address: string;
  /** Where to call the customer back: the number they called from, else one on file. */
  callbackNumber: string;
  equipment: string;
  contractualDelay: string;
  onCallType: string;
  recordingUrl: string;
  calledAt: string;
  calledAtIso: string;
  callerInputs: string;
}

export async function loadRequestDetails(
  db: Db,
  templates: Templates,
  caseId: string,
  zone: string,
  locale: Locale = 'fr',
): Promise<RequestDetails> {
  const kase = await db.case.findUniqueOrThrow({
    where: { id: caseId },
    select: {
      id: true,
      number: true,
      urgency: true,
      openedAt: true,
      description: true,
      agency: {
        select: {
          id: true,
          name: true,
          email: true,
          region: { select: { id: true, directionEmail: true } },
        },
      },
      customer: {
        select: {
          ...CUSTOMER_IDENTITY,
          phones: { where: { failing: false }, select: { e164: true, kind: true }, orderBy: { kind: 'asc' } },
          contracts: {
            where: { outOfHoursCoverage: true },
            select: { equipment: true, contractualDelay: true, onCallType: true },
            take: 1,
          },
        },
      },
      contacts: {
        where: { channel: 'PHONE', direction: 'INBOUND' },
        orderBy: { at: 'asc' },
        take: 1,
        select: { details: true },
      },
      events: {
        where: { type: 'voicemail.recorded' },
        orderBy: { at: 'desc' },
        take: 1,
        select: { data: true },
      },
    },
  });
  const customer = kase.customer;
  const contract = customer?.contracts[0];
  const calledFrom = (kase.contacts[0]?.details as { from?: string | null } | undefined)?.from ?? null;
  const callback = calledFrom ?? customer?.phones[0]?.e164 ?? null;
  const recording = (kase.events[0]?.data as { recordingUrl?: string } | undefined)?.recordingUrl;
  return {
    caseId: kase.id,
    caseNumber: String(kase.number),
    emergency: kase.urgency === 'URGENT',
    agencyId: kase.agency?.id ?? null,
    agencyName: kase.agency?.name ?? '',
    agencyEmail: kase.agency?.email ?? '',
    regionId: kase.agency?.region.id ?? null,
    directionEmail: kase.agency?.region.directionEmail ?? '',
    customerName: customer
      ? [customer.companyName, customer.firstName, customer.lastName].filter(Boolean).join(' ')
      : '',
    customerReference: customer?.reference ?? '',
    address: customer ? postalAddress(customer) : '',
    callbackNumber: callback ? toNational(callback) : '',
    equipment: contract?.equipment ? templates.render(`labels/equipment/${contract.equipment}`, locale) : '',
    contractualDelay: contract?.contractualDelay ?? '',
    onCallType: contract?.onCallType ?? '',
    recordingUrl: recording ?? '',
    calledAt: DateTime.fromJSDate(kase.openedAt, { zone }).setLocale(locale).toFormat('cccc d LLLL HH:mm'),
    calledAtIso: kase.openedAt.toISOString(),
    callerInputs: kase.description ?? '',
  };
}
