// What the alert routes answer: the alerts list and a supply point's alert history (GET
// /api/alerts, GET /api/supply-points/:id/alerts), the letter list's JSON form (GET
// /api/alerts/letters), an agent's acknowledgement, the thresholds table and a customer's alert
// settings. The agent console's types come from here.
import { type Static, Type } from '@sinclair/typebox';
import { MessageChannel } from '../cases/cases.schemas.js';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const AlertStatus = OneOf(['OPEN', 'ACKNOWLEDGED', 'UNANSWERED', 'DEACTIVATED']);
export type AlertStatus = Static<typeof AlertStatus>;

export const MessageStatus = OneOf([
  'QUEUED',
  'SENDING',
  'SENT',
  'RINGING',
  'IN_PROGRESS',
  'DELIVERED',
  'COMPLETED',
  'READ',
  'RECEIVED',
  'UNDELIVERED',
  'BUSY',
  'NO_ANSWER',
  'FAILED',
  'CANCELED',
]);

/** One day of the episode above the threshold. */
export const AlertVolume = Type.Object({
  /** The calendar day, "2026-11-20". */
  day: Type.String(),
  litres: Type.Integer(),
});
export type AlertVolume = Static<typeof AlertVolume>;

/** One outbox row of the alert's first notice (two mobiles on file: two SMS). */
export const AlertNotice = Type.Object({ channel: MessageChannel, status: MessageStatus });
export type AlertNotice = Static<typeof AlertNotice>;

/** Who the customer is, as the alerts screen names them (never their phone or e-mail). */
const CustomerNameFields = {
  reference: Type.String(),
  lastName: Type.String(),
  firstName: Nullable(Type.String()),
  companyName: Nullable(Type.String()),
};
export const AlertCustomer = Type.Object(CustomerNameFields);
export type AlertCustomer = Static<typeof AlertCustomer>;

const MeterFields = { serial: Type.String(), diameterMm: Type.Integer() };

export const ListedAlert = Type.Object({
  id: Type.String(),
  status: AlertStatus,
  /** Calendar days, sent as their midnight UTC. */
  detectedOn: Timestamp,
  episodeStart: Timestamp,
  thresholdLitres: Type.Integer(),
  consecutiveDays: Type.Integer(),
  volumes: Type.Array(AlertVolume),
  /** The episode's days above the threshold up to detection. */
  daysAbove: Type.Integer(),
  remindersSent: Type.Integer(),
  notifiedAt: Nullable(Timestamp),
  /** Neither mobile nor e-mail that works: on the letter list. */
  byLetter: Type.Boolean(),
  acknowledgedAt: Nullable(Timestamp),
  /** sms, email or agent. */
  acknowledgedVia: Nullable(Type.String()),
  supplyPointId: Type.String(),
  customerId: Nullable(Type.String()),
  supplyPoint: Type.Object({
    reference: Type.String(),
    addressLine: Type.String(),
    postcode: Type.String(),
    city: Type.String(),
  }),
  meter: Type.Object(MeterFields),
  customer: Nullable(AlertCustomer),
  notices: Type.Array(AlertNotice),
});
export type ListedAlert = Static<typeof ListedAlert>;
export const AlertList = Type.Array(ListedAlert);
export type AlertList = Static<typeof AlertList>;

/** A supply point with its alert history, newest first. */
export const SupplyPointAlerts = Type.Object({
  supplyPoint: Type.Object({
    id: Type.String(),
    reference: Type.String(),
    addressLine: Type.String(),
    postcode: Type.String(),
    city: Type.String(),
    meters: Type.Array(Type.Object(MeterFields)),
    /** The current customer (an alert of another one is a previous occupant's). */
    customerId: Nullable(Type.String()),
    customer: Nullable(
      Type.Object({
        ...CustomerNameFields,
        alertsActive: Type.Boolean(),
        /** Their own threshold; null: their meter diameter's default. */
        alertThresholdLitres: Nullable(Type.Integer()),
      }),
    ),
  }),
  alerts: AlertList,
});
export type SupplyPointAlerts = Static<typeof SupplyPointAlerts>;

/** One letter to add to the next bill: the CSV's columns (its names too), and the alert. */
export const LetterRow = Type.Object({
  alertId: Type.String(),
  customer_ref: Type.String(),
  last_name: Type.String(),
  first_name: Type.String(),
  address: Type.String(),
  postcode: Type.String(),
  city: Type.String(),
  meter: Type.String(),
  /** Calendar days, "2026-11-22". */
  detected_on: Type.String(),
  episode_start: Type.String(),
  /** m³ a day with a decimal comma, as the billing run reads it ("1,5"). */
  threshold_m3: Type.String(),
  status: AlertStatus,
});
export type LetterRow = Static<typeof LetterRow>;
export const LetterList = Type.Array(LetterRow);
export type LetterList = Static<typeof LetterList>;

/** An agent's acknowledgement: done now, or done before (a closed alert answers 409). */
export const AcknowledgeReply = Type.Object({ outcome: OneOf(['acknowledged', 'already']) });
export type AcknowledgeReply = Static<typeof AcknowledgeReply>;

export const AlertThreshold = Type.Object(
  {
    diameterMm: Type.Integer({ minimum: 1, maximum: 2000, description: 'meter diameter, mm' }),
    thresholdLitres: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      description: 'daily volume above which a day counts, litres (1 m³ = 1000)',
    }),
    consecutiveDays: Type.Integer({ minimum: 1, maximum: 366, description: 'days in a row that alert' }),
  },
  { additionalProperties: false },
);
export type AlertThreshold = Static<typeof AlertThreshold>;
/** The thresholds by meter diameter: what GET answers, and what an administrator PUTs. */
export const AlertThresholdTable = Type.Object(
  { thresholds: Type.Array(AlertThreshold, { maxItems: 200 }) },
  { additionalProperties: false },
);
export type AlertThresholdTable = Static<typeof AlertThresholdTable>;

/** A customer's own threshold after a change (null: back to the diameter default). */
export const CustomerAlertThreshold = Type.Object({
  customerId: Type.String(),
  alertThresholdLitres: Nullable(Type.Integer()),
});
export type CustomerAlertThreshold = Static<typeof CustomerAlertThreshold>;

/** A customer's alerts switched off: how many open ones were closed. */
export const CustomerAlertsDeactivated = Type.Object({
  customerId: Type.String(),
  deactivated: Type.Integer(),
});
export type CustomerAlertsDeactivated = Static<typeof CustomerAlertsDeactivated>;
