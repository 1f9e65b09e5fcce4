// What the case list and a case's page answer (GET /api/cases, GET /api/cases/:id): the agent
// console's types come from here.
import { type Static, Type } from '@sinclair/typebox';
import { CallerRelation } from '../identification/identification.schemas.js';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const CaseKind = OneOf(['REQUEST', 'COMPLAINT']);
export const Urgency = OneOf(['URGENT', 'PRIORITY', 'NORMAL']);
export const CaseStatus = OneOf(['OPEN', 'IN_PROGRESS', 'WAITING', 'CLOSED', 'CANCELLED']);
export type CaseStatus = Static<typeof CaseStatus>;
export const SensitiveCategory = OneOf([
  'LEGAL',
  'CONSUMER_ASSOCIATION',
  'DATA_PROTECTION',
  'COMPLAINT_THREAT',
  'DAMAGE_CLAIM',
  'LOCAL_AUTHORITY',
]);
export const Direction = OneOf(['INBOUND', 'OUTBOUND']);
export const ContactChannel = OneOf(['PHONE', 'SMS', 'EMAIL', 'LETTER', 'VISIT', 'WEB']);
export const MessageChannel = OneOf(['SMS', 'VOICE', 'EMAIL']);

/** What every view of a case shows, in the list or on its page. */
const CaseFields = {
  id: Type.String(),
  /** Human-friendly number read out to callers and technicians. */
  number: Type.Integer(),
  kind: CaseKind,
  category: Type.String(),
  urgency: Urgency,
  status: CaseStatus,
  subject: Type.String(),
  openedAt: Timestamp,
  dueAt: Nullable(Timestamp),
  needsIntervention: Type.Boolean(),
  multiContact: Type.Boolean(),
  detailsToCheck: Type.Boolean(),
  waitingSince: Nullable(Timestamp),
  waitingFor: Nullable(Type.String()),
  sensitive: Nullable(SensitiveCategory),
  agencyId: Nullable(Type.String()),
  /** [CS-4] When the holding reply went out (or an agent was asked to phone it). */
  holdingReplyAt: Nullable(Timestamp),
  /** [CS-4] An agent is to phone the customer with the holding reply (no e-mail on file). */
  holdingCallDue: Type.Boolean(),
};

export const CaseSummary = Type.Object({
  ...CaseFields,
  customer: Nullable(
    Type.Object({ reference: Type.String(), lastName: Type.String(), firstName: Nullable(Type.String()) }),
  ),
});
export type CaseSummary = Static<typeof CaseSummary>;
export const CaseList = Type.Array(CaseSummary);
export type CaseList = Static<typeof CaseList>;

export const CaseEvent = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  at: Timestamp,
  /** e.g. "case.created", "case.note", "page.attempt". */
  type: Type.String(),
  data: Type.Unknown(),
});
export type CaseEvent = Static<typeof CaseEvent>;

export const CaseContact = Type.Object({
  id: Type.String(),
  caseId: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  /** The CallSid, MessageSid or e-mail Message-ID it came with. */
  providerId: Nullable(Type.String()),
  createdAt: Timestamp,
  direction: Direction,
  channel: ContactChannel,
  at: Timestamp,
  callerName: Nullable(Type.String()),
  callerRelation: CallerRelation,
  address: Nullable(Type.String()),
  summary: Nullable(Type.String()),
  details: Type.Unknown(),
});
export type CaseContact = Static<typeof CaseContact>;

export const CaseMessage = Type.Object({
  id: Type.String(),
  direction: Direction,
  channel: MessageChannel,
  status: Type.String(),
  body: Type.String(),
  createdAt: Timestamp,
  sentAt: Nullable(Timestamp),
  deliveredAt: Nullable(Timestamp),
  errorCode: Nullable(Type.String()),
});
export type CaseMessage = Static<typeof CaseMessage>;

export const CaseDetail = Type.Object({
  ...CaseFields,
  description: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  interventionMobile: Nullable(Type.String()),
  waitedSeconds: Type.Integer(),
  closedAt: Nullable(Timestamp),
  updatedAt: Timestamp,
  customer: Nullable(
    Type.Object({
      id: Type.String(),
      reference: Type.String(),
      lastName: Type.String(),
      firstName: Nullable(Type.String()),
      postcode: Type.String(),
      city: Type.String(),
    }),
  ),
  events: Type.Array(CaseEvent),
  contacts: Type.Array(CaseContact),
  messages: Type.Array(CaseMessage),
});
export type CaseDetail = Static<typeof CaseDetail>;
