import type { AlertStatus, MessageChannel, MessageStatus } from '../generated/prisma/enums.js';
import type { Db } from '../platform/db/client.js';
import { noticeKeys } from './notification.service.js';

// What the console shows of an alert: where (supply point, meter), whose (customer), how much
// (the episode's days against the threshold), how the customer was told (the first notice's
// outbox rows, or the letter list) and whether they acknowledged it. Read-only.

export const ALERT_STATUSES: readonly AlertStatus[] = ['OPEN', 'ACKNOWLEDGED', 'UNANSWERED', 'DEACTIVATED'];

export interface AlertFilter {
  statuses?: AlertStatus[];
  supplyPointId?: string;
  customerId?: string;
  limit: number;
}

export interface AlertNotice {
  channel: MessageChannel;
  status: MessageStatus;
}

/** Who the customer is, as the alerts screen names them. */
const customerName = { reference: true, lastName: true, firstName: true, companyName: true } as const;

const alertSelect = {
  id: true,
  status: true,
  detectedOn: true,
  episodeStart: true,
  thresholdLitres: true,
  consecutiveDays: true,
  volumes: true,
  remindersSent: true,
  notifiedAt: true,
  byLetter: true,
  acknowledgedAt: true,
  acknowledgedVia: true,
  supplyPointId: true,
  customerId: true,
  supplyPoint: { select: { reference: true, addressLine: true, postcode: true, city: true } },
  meter: { select: { serial: true, diameterMm: true } },
  customer: {
    select: {
      ...customerName,
      // Only to find the notices' outbox rows; never sent to the console.
      phones: { where: { kind: 'MOBILE' }, select: { e164: true } },
    },
  },
} as const;

/** Alerts newest first (detection day, then creation), with their notices. */
export async function listAlerts(db: Db, filter: AlertFilter) {
  const alerts = await db.consumptionAlert.findMany({
    where: {
      ...(filter.statuses?.length ? { status: { in: filter.statuses } } : {}),
      ...(filter.supplyPointId ? { supplyPointId: filter.supplyPointId } : {}),
      ...(filter.customerId ? { customerId: filter.customerId } : {}),
    },
    orderBy: [{ detectedOn: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }],
    take: filter.limit,
    select: alertSelect,
  });

  // The first notice's rows by their exact idempotency keys: the unique index answers, where a
  // prefix search would scan every message.
  const keyOwners = new Map<string, string>();
  for (const alert of alerts) {
    const first = noticeKeys.first(alert.id);
    keyOwners.set(noticeKeys.email(first), alert.id);
    for (const phone of alert.customer?.phones ?? [])
      keyOwners.set(noticeKeys.sms(first, phone.e164), alert.id);
  }
  const keys = [...keyOwners.keys()];
  const messages = keys.length
    ? await db.message.findMany({
        where: { idempotencyKey: { in: keys } },
        select: { idempotencyKey: true, channel: true, status: true },
        orderBy: { createdAt: 'asc' },
      })
    : [];
  const noticesOf = new Map<string, AlertNotice[]>();
  for (const message of messages) {
    const alertId = keyOwners.get(message.idempotencyKey!)!;
    const notices = noticesOf.get(alertId) ?? [];
    notices.push({ channel: message.channel, status: message.status });
    noticesOf.set(alertId, notices);
  }

  return alerts.map(({ customer, volumes, ...alert }) => {
    const days = Array.isArray(volumes) ? (volumes as Array<{ day: string; litres: number }>) : [];
    return {
      ...alert,
      volumes: days,
      daysAbove: days.length || alert.consecutiveDays,
      customer: customer
        ? {
            reference: customer.reference,
            lastName: customer.lastName,
            firstName: customer.firstName,
            companyName: customer.companyName,
          }
        : null,
      notices: noticesOf.get(alert.id) ?? [],
    };
  });
}

/** A supply point as its alert history heads it: address, meters, current customer. */
export function findSupplyPoint(db: Db, id: string) {
  return db.supplyPoint.findUnique({
    where: { id },
    select: {
      id: true,
      reference: true,
      addressLine: true,
      postcode: true,
      city: true,
      meters: { select: { serial: true, diameterMm: true }, orderBy: { serial: 'asc' } },
      customerId: true,
      customer: {
        select: {
          ...customerName,
          alertsActive: true,
          alertThresholdLitres: true,
        },
      },
    },
  });
}
