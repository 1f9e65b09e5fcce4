import { type Static, Type } from '@sinclair/typebox';
import { ContactChannel } from '../cases/cases.schemas.js';
import { Nullable } from '../platform/http/common.schemas.js';

// The follow-ups' api bodies and answers (docs/follow-ups.md).

export const TimerState = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('FIRED'),
  Type.Literal('CANCELLED'),
]);

export const FollowUpTimer = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'e.g. departure-reminder, departure-call' }),
  dueAt: Type.String({ format: 'date-time' }),
  state: TimerState,
  firedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const CaseTimers = Type.Object({ timers: Type.Array(FollowUpTimer) });

const Day = Type.String({ format: 'date', description: 'a calendar day, e.g. 2026-12-31' });

export const NewDepartureBody = Type.Object(
  {
    customerId: Type.String({ format: 'uuid' }),
    contractId: Type.Optional(Type.String({ format: 'uuid' })),
    plannedDate: Day,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
    mobile: Type.Optional(Type.String({ maxLength: 40 })),
    rented: Type.Boolean({
      description: "[DP-1] a rented home: the owner's or managing agent's details are mandatory",
    }),
    owner: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 200 }),
          phone: Type.Optional(Type.String({ maxLength: 40 })),
          email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
          address: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** How the customer told us (a phone call by default). */
    channel: Type.Optional(ContactChannel),
  },
  { additionalProperties: false },
);

export const MoveDepartureBody = Type.Object({ plannedDate: Day }, { additionalProperties: false });
export const CancelDepartureBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);
export const ConfirmDepartureBody = Type.Object(
  { departedAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);

export const Departure = Type.Object({
  caseId: Type.String(),
  caseNumber: Type.Integer(),
  status: Type.String(),
  customerId: Type.String(),
  contractId: Type.Union([Type.String(), Type.Null()]),
  plannedDate: Type.String({ format: 'date' }),
  email: Type.Union([Type.String(), Type.Null()]),
  mobile: Type.Union([Type.String(), Type.Null()]),
  rented: Type.Boolean(),
  ownerName: Type.Union([Type.String(), Type.Null()]),
  letterDue: Type.Boolean({ description: '[DP-2] the reminder is a letter on the print list' }),
  callDue: Type.Boolean({ description: '[DP-2] an agent is to phone the customer' }),
  meterSurveyDue: Type.Boolean({
    description: '[DP-2] the call went unanswered: a field task to survey the meter',
  }),
  connectionClosedAt: Nullable(Type.String({ format: 'date-time' })),
  meterIndex: Nullable(Type.Integer()),
  departedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  timers: Type.Array(FollowUpTimer),
});

export const DepartureOpened = Type.Object({
  caseId: Type.String(),
  number: Type.Integer(),
  timers: Type.Array(Type.Object({ kind: Type.String(), dueAt: Type.String({ format: 'date-time' }) })),
});

export const DepartureCancelled = Type.Object({
  status: Type.Union([Type.Literal('CANCELLED'), Type.Literal('CLOSED')]),
  day: Type.Integer({ description: 'days since the planned date' }),
  outcome: Type.Union([
    Type.Literal('cancelled'),
    Type.Literal('closed'),
    Type.Literal('closed-call-finalised'),
  ]),
});

export const DepartureMoved = Type.Object({
  plannedDate: Type.String({ format: 'date' }),
  timers: Type.Array(Type.Object({ kind: Type.String(), dueAt: Type.String({ format: 'date-time' }) })),
});

/** [DP-4] How the customer was told they remain liable until the contract ends (null: not told). */
const LiabilityNotice = Type.Union([Type.Literal('EMAIL'), Type.Literal('SMS'), Type.Null()]);

export const DepartureConfirmed = Type.Object({
  departedAt: Type.String({ format: 'date-time' }),
  timersCancelled: Type.Integer(),
  closed: Type.Boolean({
    description: '[DP-4] the contract is terminated (or there is none): the case closed at once',
  }),
  liabilityNotice: LiabilityNotice,
});

export const CaseIdParams = Type.Object({ caseId: Type.String() });

export const NewVacantHousingBody = Type.Object(
  {
    supplyPointId: Type.String({ format: 'uuid' }),
    previousCustomerId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export const VacantHousingOpened = Type.Object({ caseId: Type.String(), number: Type.Integer() });

export const VacantHousing = Type.Object({
  caseId: Type.String(),
  caseNumber: Type.Integer(),
  status: Type.String(),
  supplyPointId: Type.String(),
  previousCustomerId: Nullable(Type.String()),
  /** [DP-5] The letter "to the new occupant" is on the print list. */
  letterDue: Type.Boolean(),
  /** [DP-5] A field task to close the connection. */
  fieldTaskDue: Type.Boolean(),
  subscribedContractId: Nullable(Type.String()),
  connectionClosedAt: Nullable(Type.String({ format: 'date-time' })),
  meterIndex: Nullable(Type.Integer()),
  timers: Type.Array(FollowUpTimer),
});

const WorkItem = {
  caseId: Type.String(),
  caseNumber: Type.Integer(),
  agencyId: Nullable(Type.String()),
  subject: Type.String(),
};

export const WorkListsAnswer = Type.Object({
  at: Type.String({ format: 'date-time' }),
  calls: Type.Array(
    Type.Object({
      ...WorkItem,
      kind: Type.Union([
        Type.Literal('departure'),
        Type.Literal('appointment-change'),
        Type.Literal('holding-reply'),
        Type.Literal('scheduling'),
      ]),
      phone: Nullable(Type.String()),
      since: Type.String({ format: 'date-time' }),
    }),
  ),
  fieldTasks: Type.Array(
    Type.Object({
      ...WorkItem,
      kind: Type.Union([Type.Literal('meter-survey'), Type.Literal('close-connection')]),
      supplyPoint: Nullable(Type.String()),
      address: Type.String(),
      since: Type.String({ format: 'date-time' }),
    }),
  ),
  letters: Type.Array(
    Type.Object({
      ...WorkItem,
      kind: Type.Union([Type.Literal('departure-reminder'), Type.Literal('new-occupant')]),
      addressee: Type.String(),
      address: Type.String(),
      since: Type.String({ format: 'date-time' }),
    }),
  ),
  overdue: Type.Array(Type.Object({ ...WorkItem, dueAt: Type.String({ format: 'date-time' }) })),
});
export type WorkListsAnswer = Static<typeof WorkListsAnswer>;
export type Departure = Static<typeof Departure>;
export type DepartureOpened = Static<typeof DepartureOpened>;

const Note = Type.Optional(Type.String({ minLength: 1, maxLength: 1000 }));
const LetterKind = Type.Union([Type.Literal('departure-reminder'), Type.Literal('new-occupant')]);

export const CallOutcomeBody = Type.Object(
  {
    kind: Type.Literal('departure'),
    outcome: Type.Union([Type.Literal('reached'), Type.Literal('no-answer')], {
      description: '[DP-2] no answer: a field task to survey the meter',
    }),
    note: Note,
  },
  { additionalProperties: false },
);

export const CallOutcomeRecorded = Type.Object({
  outcome: Type.Union([Type.Literal('reached'), Type.Literal('no-answer')]),
  fieldTask: Nullable(Type.Literal('meter-survey')),
});

export const FieldTaskDoneBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('meter-survey'), Type.Literal('close-connection')]),
    outcome: Type.Union([Type.Literal('customer-gone'), Type.Literal('customer-present')]),
    meterIndex: Type.Optional(Type.Integer({ minimum: 0, maximum: 99_999_999, description: 'm³' })),
    note: Note,
  },
  { additionalProperties: false },
);

export const FieldTaskRecorded = Type.Object({
  kind: Type.Union([Type.Literal('meter-survey'), Type.Literal('close-connection')]),
  outcome: Type.Union([Type.Literal('customer-gone'), Type.Literal('customer-present')]),
  connectionClosed: Type.Boolean(),
  caseStatus: Type.Union([Type.Literal('OPEN'), Type.Literal('CLOSED')]),
  liabilityNotice: LiabilityNotice,
});

export const LettersPrintedBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { caseId: Type.String({ format: 'uuid' }), kind: LetterKind },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

export const LettersPrinted = Type.Object({
  printed: Type.Integer({ description: 'letters taken off the list' }),
  notDue: Type.Array(Type.Object({ caseId: Type.String(), kind: LetterKind }), {
    description: 'items that were not on the list (already printed, unknown, closed): left as they were',
  }),
});
