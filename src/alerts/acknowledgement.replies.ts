import type { OpenItem, ReplyTarget } from '../messaging/replies/reply-router.js';
import { acknowledgeAlert } from './acknowledgement.service.js';
import type { NoticeDeps } from './notification.deps.js';

// Consumption alerts as items an SMS reply can answer: the open alerts of every current customer
// with that mobile that they were told about (an "OK" sent before the notice answers something
// else, and must not close an alert the customer has not heard of yet). Any affirmative reply acknowledges; "NON" is not an acknowledgement and gets
// the help that says how to acknowledge.

export function alertReplies(
  deps: Pick<NoticeDeps, 'db' | 'events' | 'queue' | 'clock' | 'reminders'>,
): ReplyTarget {
  return {
    kind: 'alert',
    async openItems(phone) {
      const alerts = await deps.db.consumptionAlert.findMany({
        where: {
          status: { in: ['OPEN', 'UNANSWERED'] },
          notifiedAt: { not: null },
          customer: { alertsActive: true, departedAt: null, phones: { some: { e164: phone } } },
        },
        select: {
          id: true,
          customerId: true,
          replyCode: true,
          createdAt: true,
          meter: { select: { serial: true } },
          customer: { select: { locale: true } },
        },
        orderBy: { createdAt: 'desc' },
        take: 20,
      });
      return alerts.map(
        (a): OpenItem => ({
          kind: 'alert',
          id: a.id,
          customerId: a.customerId,
          replyCode: a.replyCode,
          label: a.meter.serial,
          openedAt: a.createdAt,
          locale: a.customer?.locale ?? 'fr',
        }),
      );
    },
    async answer(item, { intent }) {
      if (intent !== 'yes')
        return { template: 'sms/alert-how-to-acknowledge', vars: { replyCode: item.replyCode } };
      const outcome = await acknowledgeAlert(deps, item.id, 'sms');
      return {
        template: 'sms/alert-acknowledged',
        vars: { meterSerial: item.label, already: outcome !== 'acknowledged' },
      };
    },
  };
}
