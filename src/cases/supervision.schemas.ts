// What the supervisor's screen reads (GET /api/supervision): the open case queues per agency, the
// overdue cases, the multi-contact ones and the sensitive letters. The console's types come from here.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../platform/http/common.schemas.js';
import { CaseKind, CaseStatus, SensitiveCategory, Urgency } from './cases.schemas.js';

/** One agency's open cases counted (agencyId and agency null: the cases of no agency). */
export const CaseQueue = Type.Object({
  agencyId: Nullable(Type.String()),
  /** The agency's name. */
  agency: Nullable(Type.String()),
  open: Type.Integer(),
  urgent: Type.Integer(),
  /** Past their due date, not waiting for a third party. */
  overdue: Type.Integer(),
  dueWithinHour: Type.Integer(),
  multiContact: Type.Integer(),
});
export type CaseQueue = Static<typeof CaseQueue>;

const SupervisedCaseFields = {
  id: Type.String(),
  number: Type.Integer(),
  subject: Type.String(),
  kind: CaseKind,
  urgency: Urgency,
  status: CaseStatus,
  dueAt: Nullable(Timestamp),
  openedAt: Timestamp,
  multiContact: Type.Boolean(),
  agency: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  customer: Nullable(
    Type.Object({ reference: Type.String(), lastName: Type.String(), firstName: Nullable(Type.String()) }),
  ),
};

/** A case listed to the supervisor. */
export const SupervisedCase = Type.Object(SupervisedCaseFields);
export type SupervisedCase = Static<typeof SupervisedCase>;

/** A sensitive letter's case, with its category ([CS-6]). */
export const SensitiveCase = Type.Object({ ...SupervisedCaseFields, sensitive: SensitiveCategory });
export type SensitiveCase = Static<typeof SensitiveCase>;

/** GET /api/supervision. */
export const SupervisionReply = Type.Object({
  at: Timestamp,
  queues: Type.Array(CaseQueue),
  /** The overdue cases (SLA breaches), the most overdue first. */
  overdue: Type.Array(SupervisedCase),
  /** The multi-contact cases, flagged to a supervisor for priority. */
  multiContact: Type.Array(SupervisedCase),
  /** [CS-6] The sensitive letters' team queue, every agency. */
  sensitive: Type.Array(SensitiveCase),
});
export type SupervisionReply = Static<typeof SupervisionReply>;
