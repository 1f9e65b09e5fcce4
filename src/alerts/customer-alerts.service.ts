import { type NoticeDeps, reminderJobId } from './notification.deps.js';

/**
 * A customer leaves (or asks for no more alerts): their alerts stop, open ones included, and
 * pending reminders go. Used by the departure follow-ups; the successor's alerts are their own
 * and never carry the predecessor's contact details (notices read the alert's customer).
 */
export async function deactivateCustomerAlerts(
  deps: Pick<NoticeDeps, 'db' | 'events' | 'queue' | 'reminders'>,
  customerId: string,
): Promise<number> {
  await deps.db.customer.update({ where: { id: customerId }, data: { alertsActive: false } });
  const open = await deps.db.consumptionAlert.findMany({
    where: { customerId, status: { in: ['OPEN', 'UNANSWERED'] } },
    select: { id: true, supplyPointId: true },
  });
  await deps.db.consumptionAlert.updateMany({
    where: { id: { in: open.map((a) => a.id) } },
    data: { status: 'DEACTIVATED' },
  });
  for (const alert of open) {
    for (let n = 1; n <= deps.reminders.count + 1; n++)
      await deps.queue.remove(reminderJobId(alert.id, n)).catch(() => undefined);
    await deps.events.publish({
      type: 'alert.deactivated',
      data: { alertId: alert.id, supplyPointId: alert.supplyPointId, customerId },
    });
  }
  return open.length;
}
