import { DateTime } from 'luxon';
import type { Locale } from '../generated/prisma/enums.js';
import { postalAddress } from '../identification/customer-identity.js';
import { isOptedOut } from '../messaging/opt-outs.js';
import { enqueueMessage, type FailedMessage } from '../messaging/outbox.service.js';
import { ACK_LINK_PURPOSE, type NoticeDeps, reminderJobId } from './notification.deps.js';

// Telling a customer about an over-consumption alert (DOMAIN.md section 5): on the day of
// detection by SMS and e-mail, whichever they have on file (both when both); without an
// acknowledgement, `reminders.count` reminders at `reminders.everyMs`; with neither a mobile nor
// an e-mail, the alert is listed for a letter with the next bill. First notices respect the
// night's quiet hours only (they must go the same day); reminders wait out Sundays and holidays too.

type Notice = 'alert-detected' | 'alert-reminder';

async function loadAlert(deps: NoticeDeps, alertId: string) {
  return deps.db.consumptionAlert.findUnique({
    where: { id: alertId },
    include: {
      meter: { select: { serial: true } },
      supplyPoint: { select: { addressLine: true, postcode: true, city: true } },
      customer: {
        select: {
          id: true,
          firstName: true,
          lastName: true,
          companyName: true,
          email: true,
          emailFailing: true,
          locale: true,
          alertsActive: true,
          phones: { where: { kind: 'MOBILE', failing: false }, select: { e164: true } },
        },
      },
    },
  });
}

type LoadedAlert = NonNullable<Awaited<ReturnType<typeof loadAlert>>>;

/** Where this alert can reach its customer now: mobiles not opted out, an e-mail that works. */
async function reachableBy(deps: NoticeDeps, alert: LoadedAlert) {
  const customer = alert.customer!;
  const mobiles: string[] = [];
  for (const { e164 } of customer.phones) if (!(await isOptedOut(deps.db, e164))) mobiles.push(e164);
  const email = customer.email && !customer.emailFailing ? customer.email : null;
  return { mobiles, email };
}

function noticeVars(deps: NoticeDeps, alert: LoadedAlert, locale: Locale) {
  const volumes = (alert.volumes as Array<{ day: string; litres: number }>) ?? [];
  const average = volumes.length ? volumes.reduce((sum, v) => sum + v.litres, 0) / volumes.length : 0;
  const m3 = (litres: number) =>
    new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 2 }).format(
      litres / 1000,
    );
  const customer = alert.customer!;
  const expiresAt = new Date(deps.clock.now().getTime() + deps.linkTtlMs);
  return {
    customerName:
      [customer.firstName, customer.lastName].filter(Boolean).join(' ') || customer.companyName || '',
    address: postalAddress(alert.supplyPoint),
    meterSerial: alert.meter.serial,
    days: String(volumes.length || alert.consecutiveDays),
    averageM3: m3(average),
    thresholdM3: m3(alert.thresholdLitres),
    since: DateTime.fromJSDate(alert.episodeStart, { zone: 'UTC' }).setLocale(locale).toFormat('d LLLL'),
    replyCode: alert.replyCode,
    ackUrl: `${deps.publicBaseUrl}/alerts/ack?${deps.links.sign(ACK_LINK_PURPOSE, { alert: alert.id }, expiresAt)}`,
  };
}

/**
 * The outbox idempotency keys of an alert's notices: one SMS per mobile, one e-mail, per notice
 * (the first one, then each reminder). The console reads the first notice's rows by these keys.
 */
export const noticeKeys = {
  first: (alertId: string) => `alert-${alertId}-notice`,
  reminder: (alertId: string, n: number) => `alert-${alertId}-reminder-${n}`,
  sms: (notice: string, mobile: string) => `${notice}-sms-${mobile}`,
  email: (notice: string) => `${notice}-email`,
};

async function sendNotice(
  deps: NoticeDeps,
  alert: LoadedAlert,
  notice: Notice,
  key: string,
): Promise<number> {
  const { mobiles, email } = await reachableBy(deps, alert);
  const locale = alert.customer!.locale;
  const vars = noticeVars(deps, alert, locale);
  const common = {
    purpose: notice,
    locale,
    customerId: alert.customer!.id,
    quiet: notice === 'alert-detected' ? ('nights' as const) : ('nights-and-rest-days' as const),
  };
  for (const mobile of mobiles)
    await enqueueMessage(deps.outbox, {
      ...common,
      channel: 'SMS',
      to: mobile,
      body: deps.templates.render(`sms/${notice}`, locale, vars),
      idempotencyKey: noticeKeys.sms(key, mobile),
    });
  if (email)
    await enqueueMessage(deps.outbox, {
      ...common,
      channel: 'EMAIL',
      to: email,
      subject: deps.templates.render(`email/${notice}.subject`, locale, vars),
      body: deps.templates.render(`email/${notice}.text`, locale, vars),
      html: deps.templates.render(`email/${notice}.html`, locale, vars),
      idempotencyKey: noticeKeys.email(key),
    });
  return mobiles.length + (email ? 1 : 0);
}

async function scheduleReminder(deps: NoticeDeps, alertId: string, n: number): Promise<void> {
  await deps.queue.add(
    'alert-reminder',
    { alertId, n },
    {
      jobId: reminderJobId(alertId, n),
      delay: deps.reminders.everyMs,
      attempts: 5,
      backoff: 1000,
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
}

const open = (alert: LoadedAlert | null): alert is LoadedAlert =>
  alert !== null && alert.status === 'OPEN' && Boolean(alert.customer?.alertsActive);

/**
 * Sends the first notice of every open alert not notified yet, or puts it on the letter list.
 * Called right after each detection run and by the maintenance sweep, so an alert detected just
 * before a crash is still notified; the outbox's idempotency keys make a second pass harmless.
 */
export async function notifyPendingAlerts(deps: NoticeDeps): Promise<number> {
  const pending = await deps.db.consumptionAlert.findMany({
    where: { status: 'OPEN', notifiedAt: null },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
    take: 5000,
  });
  for (const { id } of pending) await notifyAlert(deps, id);
  return pending.length;
}

async function notifyAlert(deps: NoticeDeps, alertId: string): Promise<void> {
  const alert = await loadAlert(deps, alertId);
  if (!open(alert)) return;
  const sent = await sendNotice(deps, alert, 'alert-detected', noticeKeys.first(alertId));
  await deps.db.consumptionAlert.update({
    where: { id: alertId },
    data: { notifiedAt: deps.clock.now(), ...(sent === 0 ? { byLetter: true } : {}) },
  });
  if (sent === 0) {
    await publish(deps, alert, 'alert.letter');
    return;
  }
  await publish(deps, alert, 'alert.notified', { channels: sent });
  if (deps.reminders.count > 0) await scheduleReminder(deps, alertId, 1);
}

/**
 * A notice failed for good (a landline given as mobile, a dead address): the detail is marked
 * failing by the outbox; if the customer has no other way to be reached, the alert goes on the
 * letter list so that it still reaches them with the next bill.
 */
export async function noticeFailed(deps: NoticeDeps, failed: FailedMessage): Promise<void> {
  if (!failed.purpose.startsWith('alert-') || !failed.customerId) return;
  const alerts = await deps.db.consumptionAlert.findMany({
    where: { customerId: failed.customerId, status: { in: ['OPEN', 'UNANSWERED'] }, byLetter: false },
    select: { id: true },
  });
  for (const { id } of alerts) {
    const alert = await loadAlert(deps, id);
    if (!alert?.customer) continue;
    const { mobiles, email } = await reachableBy(deps, alert);
    if (mobiles.length > 0 || email) continue;
    await deps.db.consumptionAlert.update({ where: { id }, data: { byLetter: true } });
    await publish(deps, alert, 'alert.letter', { because: failed.code });
  }
}

/** The job `alert-reminder`: reminder n of an alert still not acknowledged. */
export async function remindAlert(deps: NoticeDeps, alertId: string, n: number): Promise<string> {
  const alert = await loadAlert(deps, alertId);
  if (!open(alert)) return 'settled';
  if (n > deps.reminders.count) {
    // The last reminder went unanswered: the alert stays visible to agents, marked so.
    await deps.db.consumptionAlert.updateMany({
      where: { id: alertId, status: 'OPEN' },
      data: { status: 'UNANSWERED' },
    });
    await publish(deps, alert, 'alert.unanswered');
    return 'unanswered';
  }
  const sent = await sendNotice(deps, alert, 'alert-reminder', noticeKeys.reminder(alertId, n));
  await deps.db.consumptionAlert.updateMany({
    where: { id: alertId, remindersSent: { lt: n } },
    data: { remindersSent: n },
  });
  await publish(deps, alert, 'alert.reminded', { reminder: n, channels: sent });
  await scheduleReminder(deps, alertId, n + 1);
  return 'reminded';
}

async function publish(
  deps: NoticeDeps,
  alert: LoadedAlert,
  type: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await deps.events.publish({
    type,
    data: { alertId: alert.id, supplyPointId: alert.supplyPointId, customerId: alert.customerId, ...extra },
  });
}
