import { type NoticeDeps, reminderJobId } from './notification.deps.js';

// A customer (by SMS reply or the e-mail's link) or an agent on their behalf acknowledges an
// alert: reminders stop, agents see it at once. The first acknowledgement wins; later ones say
// so and change nothing.

export type AlertAckVia = 'sms' | 'email' | 'agent';

export async function acknowledgeAlert(
  deps: Pick<NoticeDeps, 'db' | 'events' | 'queue' | 'clock' | 'reminders'>,
  alertId: string,
  via: AlertAckVia,
): Promise<'acknowledged' | 'already' | 'not-open'> {
  const now = deps.clock.now();
  const done = await deps.db.consumptionAlert.updateMany({
    where: { id: alertId, status: { in: ['OPEN', 'UNANSWERED'] } },
    data: { status: 'ACKNOWLEDGED', acknowledgedAt: now, acknowledgedVia: via },
  });
  const alert = await deps.db.consumptionAlert.findUnique({
    where: { id: alertId },
    select: { status: true, supplyPointId: true, customerId: true },
  });
  if (done.count === 0) return alert?.status === 'ACKNOWLEDGED' ? 'already' : 'not-open';
  for (let n = 1; n <= deps.reminders.count + 1; n++) {
    try {
      await deps.queue.remove(reminderJobId(alertId, n));
    } catch {
      // A reminder running right now finds the alert acknowledged and sends nothing.
    }
  }
  await deps.events.publish({
    type: 'alert.acknowledged',
    data: {
      alertId,
      supplyPointId: alert?.supplyPointId,
      customerId: alert?.customerId,
      via,
      at: now.toISOString(),
    },
  });
  return 'acknowledged';
}
