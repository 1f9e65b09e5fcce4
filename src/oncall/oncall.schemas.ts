// What the on-call board answers (GET /api/oncall/board), and the technician's follow-up entered
// on it (POST /api/pages/:id/outcome): the agent console's types come from here, and so do the
// board service's (src/oncall/board.service.ts builds exactly this).
import { type Static, Type } from '@sinclair/typebox';
import { Urgency } from '../cases/cases.schemas.js';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const PageStatus = OneOf(['SCHEDULED', 'PAGING', 'ACKNOWLEDGED', 'UNREACHED', 'CANCELLED']);
export type PageStatus = Static<typeof PageStatus>;
export const PageTarget = OneOf(['TECHNICIAN', 'MANAGER']);
export type PageTarget = Static<typeof PageTarget>;
export const AttemptOutcome = OneOf([
  'PENDING',
  'ACCEPTED',
  'REFUSED',
  'NO_ANSWER',
  'BUSY',
  'FAILED',
  'MACHINE',
  'NO_ACK',
]);
export type AttemptOutcome = Static<typeof AttemptOutcome>;
/** [ON-11] What the technician decided after calling the customer back. */
export const PageOutcome = OneOf(['INTERVENTION_PLANNED', 'SOLVED_REMOTELY', 'NOT_OURS']);
export type PageOutcome = Static<typeof PageOutcome>;

/** A span of time: an on-call period, a rota gap, the board's horizon. */
export const TimeSpan = Type.Object({ start: Timestamp, end: Timestamp });
export type TimeSpan = Static<typeof TimeSpan>;

/** A person on call, as the board shows them: the mobile masked as in the logs. */
const PersonFields = { id: Type.String(), name: Type.String(), mobile: Type.String() };
export const BoardPerson = Type.Object(PersonFields);
export type BoardPerson = Static<typeof BoardPerson>;

export const RotaSlot = Type.Object({ ...PersonFields, startsAt: Timestamp, endsAt: Timestamp });
export type RotaSlot = Static<typeof RotaSlot>;

export const BoardPeriod = Type.Object({
  start: Timestamp,
  end: Timestamp,
  /** The agency is on call now (inside this period); otherwise it is the next one. */
  current: Type.Boolean(),
});
export type BoardPeriod = Static<typeof BoardPeriod>;

export const BoardOnCallType = Type.Object({
  onCallType: Type.String(),
  /** The on-call period in progress, else the next one; null without on-call hours for the type. */
  period: Nullable(BoardPeriod),
  /** Whom a page would reach now (the paging's own choice), if anybody. */
  technicianNow: Nullable(BoardPerson),
  /** Technicians on the rota during `period`, in order. */
  technicians: Type.Array(RotaSlot),
});
export type BoardOnCallType = Static<typeof BoardOnCallType>;

export const BoardAttempt = Type.Object({
  number: Type.Integer(),
  target: PageTarget,
  /** The person called ('' when they are no longer on record). */
  name: Type.String(),
  /** Masked as in the logs. */
  mobile: Type.String(),
  outcome: AttemptOutcome,
  startedAt: Timestamp,
  endedAt: Nullable(Timestamp),
});
export type BoardAttempt = Static<typeof BoardAttempt>;

export const BoardPage = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  caseNumber: Type.Integer(),
  subject: Type.String(),
  urgency: Urgency,
  status: PageStatus,
  /** The routing's decision: "page-now", "deferred" or "emergency". */
  decision: Type.String(),
  onCallType: Nullable(Type.String()),
  scheduledFor: Timestamp,
  escalatedAt: Nullable(Timestamp),
  /** Why it went to the regional manager: "failed-attempts", "rota-gap" or "emergency". */
  escalationReason: Nullable(Type.String()),
  acknowledgedAt: Nullable(Timestamp),
  acknowledgedBy: Nullable(Type.Object({ target: PageTarget, name: Type.String() })),
  /** [ON-11] What the technician decided after calling the customer back. */
  outcome: Nullable(PageOutcome),
  interventionAt: Nullable(Timestamp),
  outcomeAt: Nullable(Timestamp),
  attempts: Type.Array(BoardAttempt),
});
export type BoardPage = Static<typeof BoardPage>;

export const RotaGap = Type.Object({ onCallType: Type.String(), start: Timestamp, end: Timestamp });
export type RotaGap = Static<typeof RotaGap>;

export const BoardAgency = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  region: Type.Object({
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    managerNow: Nullable(BoardPerson),
    /** Regional managers on the rota during the agency's current or next on-call periods. */
    managers: Type.Array(RotaSlot),
    /** Within the horizon, when the region has no regional on-call manager. */
    managerGaps: Type.Array(TimeSpan),
  }),
  onCall: Type.Array(BoardOnCallType),
  /** Open pages first, then those settled in the last hours; newest first. */
  pages: Type.Array(BoardPage),
  /** Within the horizon and the agency's on-call hours, when no technician is on the rota. */
  rotaGaps: Type.Array(RotaGap),
});
export type BoardAgency = Static<typeof BoardAgency>;

/** GET /api/oncall/board. */
export const OnCallBoard = Type.Object({
  generatedAt: Timestamp,
  /** The span rota gaps are looked for in. */
  horizon: TimeSpan,
  agencies: Type.Array(BoardAgency),
});
export type OnCallBoard = Static<typeof OnCallBoard>;

/** POST /api/pages/:id/outcome: the body. */
export const PageOutcomeRequest = Type.Object(
  {
    outcome: PageOutcome,
    interventionAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'required for INTERVENTION_PLANNED' }),
    ),
  },
  { additionalProperties: false },
);
export type PageOutcomeRequest = Static<typeof PageOutcomeRequest>;

/** POST /api/pages/:id/outcome: what was recorded. */
export const PageOutcomeReply = Type.Object({
  pageId: Type.String(),
  outcome: PageOutcome,
  interventionAt: Nullable(Timestamp),
});
export type PageOutcomeReply = Static<typeof PageOutcomeReply>;
