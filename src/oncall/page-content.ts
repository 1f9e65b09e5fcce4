import { DateTime } from 'luxon';
import type { Locale } from '../generated/prisma/enums.js';
import { postalAddress } from '../identification/customer-identity.js';
import { toNational } from '../identification/phone-number.js';
import type { Templates } from '../messaging/templates.js';
import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { rows, sql } from '../platform/db/statements.js';

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
  // One query, not Prisma's eight (one per relation), shared by the pages and recaps a process
  // writes while the previous read is in PostgreSQL: every page reads it, a burst's too.
  const kase = await readCases(db, caseId);
  if (!kase) throw new Error(`no case ${caseId}`);
  const customer = kase.customerId
    ? {
        reference: kase.reference ?? '',
        lastName: kase.lastName ?? '',
        firstName: kase.firstName,
        companyName: kase.companyName,
        addressLine: kase.addressLine ?? '',
        postcode: kase.postcode ?? '',
        city: kase.city ?? '',
      }
    : null;
  const callback = kase.calledFrom ?? kase.phone;
  return {
    caseId: kase.id,
    caseNumber: String(kase.number),
    emergency: kase.urgency === 'URGENT',
    agencyId: kase.agencyId,
    agencyName: kase.agencyName ?? '',
    agencyEmail: kase.agencyEmail ?? '',
    regionId: kase.regionId,
    directionEmail: kase.directionEmail ?? '',
    customerName: customer
      ? [customer.companyName, customer.firstName, customer.lastName].filter(Boolean).join(' ')
      : '',
    customerReference: customer?.reference ?? '',
    address: customer ? postalAddress(customer) : '',
    callbackNumber: callback ? toNational(callback) : '',
    equipment: kase.equipment ? templates.render(`labels/equipment/${kase.equipment}`, locale) : '',
    contractualDelay: kase.contractualDelay ?? '',
    onCallType: kase.onCallType ?? '',
    recordingUrl: kase.recordingUrl ?? '',
    calledAt: DateTime.fromJSDate(kase.openedAt, { zone }).setLocale(locale).toFormat('cccc d LLLL HH:mm'),
    calledAtIso: kase.openedAt.toISOString(),
    callerInputs: kase.description ?? '',
  };
}

type CaseRow = {
  id: string;
  number: number;
  urgency: string;
  openedAt: Date;
  description: string | null;
  agencyId: string | null;
  agencyName: string | null;
  agencyEmail: string | null;
  regionId: string | null;
  directionEmail: string | null;
  customerId: string | null;
  reference: string | null;
  lastName: string | null;
  firstName: string | null;
  companyName: string | null;
  addressLine: string | null;
  postcode: string | null;
  city: string | null;
  phone: string | null;
  equipment: string | null;
  contractualDelay: string | null;
  onCallType: string | null;
  calledFrom: string | null;
  recordingUrl: string | null;
};

const readCases = groupedPerDb(
  async (db, ids: string[]) => {
    const found = await rows<CaseRow>(
      db,
      sql`
      SELECT c.id, c.number, c.urgency::text AS urgency, c.opened_at AS "openedAt", c.description,
             a.id AS "agencyId", a.name AS "agencyName", a.email AS "agencyEmail",
             r.id AS "regionId", r.direction_email AS "directionEmail",
             cu.id AS "customerId", cu.reference, cu.last_name AS "lastName", cu.first_name AS "firstName",
             cu.company_name AS "companyName", cu.address_line AS "addressLine", cu.postcode, cu.city,
             (SELECT p.e164 FROM customer_phones p WHERE p.customer_id = cu.id AND NOT p.failing
              ORDER BY p.kind LIMIT 1) AS phone,
             ct.equipment::text AS equipment, ct.contractual_delay AS "contractualDelay",
             ct.on_call_type AS "onCallType",
             (SELECT k.details->>'from' FROM contacts k
              WHERE k.case_id = c.id AND k.channel = 'PHONE' AND k.direction = 'INBOUND'
              ORDER BY k.at LIMIT 1) AS "calledFrom",
             (SELECT e.data->>'recordingUrl' FROM case_events e
              WHERE e.case_id = c.id AND e.type = 'voicemail.recorded'
              ORDER BY e.at DESC LIMIT 1) AS "recordingUrl"
      FROM cases c
      LEFT JOIN agencies a ON a.id = c.agency_id
      LEFT JOIN regions r ON r.id = a.region_id
      LEFT JOIN customers cu ON cu.id = c.customer_id
      LEFT JOIN LATERAL (SELECT equipment, contractual_delay, on_call_type FROM contracts
                         WHERE customer_id = cu.id AND out_of_hours_coverage LIMIT 1) ct ON true
      WHERE c.id = ANY(${ids}::uuid[])`,
    );
    return new Map(found.map((kase) => [kase.id, kase]));
  },
  (id) => id,
);
