// What the caller lookup, the identity verification, the not-eligible-for-cut-off flag and the
// collection of contact details answer (identification.routes.ts, customer-flags.routes.ts,
// contact-details.routes.ts): the agent console's screen pop takes its types from here.
import { type Static, Type } from '@sinclair/typebox';
import { ApiErrorBody, Nullable, OneOf } from '../platform/http/common.schemas.js';

export const PhoneKind = OneOf(['MOBILE', 'LANDLINE']);
export const CallerRelation = OneOf(['HOLDER', 'THIRD_PARTY', 'UNKNOWN']);
export type CallerRelation = Static<typeof CallerRelation>;

/** What the caller must confirm (DOMAIN.md section 2): customerReference is the customer number or meter serial, extraElement an e-mail or phone number on file. */
export const ConfirmItem = OneOf([
  'lastName',
  'firstName',
  'servedAddress',
  'customerReference',
  'extraElement',
]);
export type ConfirmItem = Static<typeof ConfirmItem>;

export const PhoneRequest = OneOf(['iban-change', 'account-move']);
export type PhoneRequest = Static<typeof PhoneRequest>;

export const Checklist = Type.Object({
  confirm: Type.Array(ConfirmItem),
  /** Items without which the call must not go on. */
  mandatory: Type.Array(ConfirmItem),
  /** Requests never processed by phone for this caller, with the reason to give. */
  refusedByPhone: Type.Array(
    Type.Object({ request: PhoneRequest, reason: Type.Literal('written-request-from-holder-or-notary') }),
  ),
});
export type Checklist = Static<typeof Checklist>;

export const CustomerClass = OneOf([
  'RESIDENTIAL',
  'PROFESSIONAL',
  'LOCAL_AUTHORITY',
  'PUBLIC_ADMINISTRATION',
  'COLLECTIVE_HOUSING',
  'MEDIUM_VOLTAGE',
]);

/** A customer the caller may be: who they are and where, never their contact details. */
export const IdentificationCandidate = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  lastName: Type.String(),
  firstName: Nullable(Type.String()),
  companyName: Nullable(Type.String()),
  addressLine: Type.String(),
  postcode: Type.String(),
  city: Type.String(),
  class: CustomerClass,
  /** Holds a service (maintenance) contract: one extra element to confirm without reference. */
  serviceContract: Type.Boolean(),
  notEligibleForCutOff: Type.Boolean(),
  sensitive: Type.Boolean(),
  checklist: Checklist,
});
export type IdentificationCandidate = Static<typeof IdentificationCandidate>;

/** GET /api/identification: the customers the caller may be, with what to have them confirm. */
export const IdentificationReply = Type.Object({
  status: OneOf(['one', 'several', 'none', 'withheld']),
  /** The caller's number in E.164, null when withheld, not valid, or not asked. */
  e164: Nullable(Type.String()),
  candidates: Type.Array(IdentificationCandidate),
});
export type IdentificationReply = Static<typeof IdentificationReply>;

export const Equipment = OneOf([
  'INDIVIDUAL_GAS_BOILER',
  'INDIVIDUAL_OIL_BOILER',
  'BOILER_ROOM',
  'COLLECTIVE',
  'HEAT_PUMP',
  'WATER_SUPPLY',
  'OTHER',
]);

/** POST /api/identification/verify, once everything was confirmed: the details that were masked. */
export const CustomerDetails = Type.Object({
  reference: Type.String(),
  email: Nullable(Type.String()),
  phones: Type.Array(Type.Object({ e164: Type.String(), kind: PhoneKind, failing: Type.Boolean() })),
  contracts: Type.Array(
    Type.Object({
      reference: Type.String(),
      equipment: Nullable(Equipment),
      serviceContract: Type.Boolean(),
      outOfHoursCoverage: Type.Boolean(),
      contractualDelay: Nullable(Type.String()),
      /** The agency's name. */
      agency: Type.String(),
    }),
  ),
  supplyPoints: Type.Array(
    Type.Object({
      reference: Type.String(),
      /** "12 rue Haute, 69001 Lyon". */
      address: Type.String(),
      /** Meter serials. */
      meters: Type.Array(Type.String()),
    }),
  ),
  notEligibleForCutOff: Type.Boolean(),
  sensitive: Type.Boolean(),
});
export type CustomerDetails = Static<typeof CustomerDetails>;

/** The 422 of POST /api/identification/verify: what the caller has still to confirm. */
export const ChecklistIncomplete = Type.Composite([
  ApiErrorBody,
  Type.Object({ missing: Type.Array(ConfirmItem) }),
]);
export type ChecklistIncomplete = Static<typeof ChecklistIncomplete>;

/** PUT /api/customers/:id/not-eligible-for-cut-off: the flag as it now is. */
export const CutOffFlagReply = Type.Object({
  customerId: Type.String(),
  notEligibleForCutOff: Type.Boolean(),
});
export type CutOffFlagReply = Static<typeof CutOffFlagReply>;

export const ContactDetailKind = OneOf(['PHONE', 'MOBILE', 'EMAIL']);
export type ContactDetailKind = Static<typeof ContactDetailKind>;

/** GET /api/notices/contact-details: the legal notices to read out, in the language asked. */
export const ContactDetailNotices = Type.Object({
  kind: ContactDetailKind,
  notices: Type.Array(Type.Object({ key: Type.String(), text: Type.String() })),
});
export type ContactDetailNotices = Static<typeof ContactDetailNotices>;

/** POST /api/customers/:id/contact-details (201): the detail as recorded, and the notices given. */
export const ContactDetailAdded = Type.Object({
  customerId: Type.String(),
  kind: ContactDetailKind,
  /** E.164 for a phone number, lower case for an e-mail. */
  value: Type.String(),
  notices: Type.Array(Type.String()),
});
export type ContactDetailAdded = Static<typeof ContactDetailAdded>;
