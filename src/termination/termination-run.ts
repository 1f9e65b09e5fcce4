import { DateTime } from 'luxon';
import { customerName, postalAddress } from '../identification/customer-identity.js';
import { enqueueMessage, type OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { Services } from '../services.js';
import type { TerminationSettings } from './termination.settings.js';
import { terminationDay, type Verdict, verdict } from './termination-rules.js';

// [TR-1]..[TR-4] The termination run: the supplies interrupted for non-payment and not restored,
// sorted into three lists for the day (to terminate, to remind, for a manager to decide). A run
// that applies (the daily job, the command) records the reminders it sends, once each: the letter
// is on the list, and an SMS or e-mail goes too when the customer has one. A preview changes
// nothing. The field orders of the terminations are printed from the list the next night.

export interface TerminationDeps {
  db: Db;
  outbox: OutboxDeps;
  templates: Templates;
  clock: Clock;
  zone: string;
  settings: TerminationSettings;
}

export interface TerminationLine {
  interruptionId: string;
  customerId: string;
  customerReference: string;
  name: string;
  address: string;
  category: string | null;
  interruptedOn: string;
  terminationDay: string;
  /** [TR-4] Low voltage: meter removed and index read; medium voltage: index only. */
  fieldOrder: 'meter-removal-and-index' | 'index-only';
  /** How the reminder went (the letter always; SMS or e-mail when on file), for `toRemind`. */
  reminder: string[];
}

export interface TerminationLists {
  day: string;
  toTerminate: TerminationLine[];
  toRemind: TerminationLine[];
  managementDecision: TerminationLine[];
}

export function terminationDeps(services: Services): TerminationDeps {
  return {
    db: services.db,
    outbox: services.outbox,
    templates: services.templates,
    clock: services.clock,
    zone: services.settings.timeZone,
    settings: services.settings.termination,
  };
}

const dbDay = (date: Date) => date.toISOString().slice(0, 10);

/** The lists of `day` (today by default); with `apply`, the reminders are sent and recorded. */
export async function runTermination(
  deps: TerminationDeps,
  options: { day?: string; apply: boolean },
): Promise<TerminationLists> {
  const day = options.day ?? DateTime.fromJSDate(deps.clock.now(), { zone: deps.zone }).toISODate()!;
  const supplies = await deps.db.supplyInterruption.findMany({
    where: { restoredOn: null, interruptedOn: { lte: new Date(`${day}T00:00:00Z`) } },
    include: {
      customer: {
        select: {
          id: true,
          reference: true,
          firstName: true,
          lastName: true,
          companyName: true,
          addressLine: true,
          postcode: true,
          city: true,
          email: true,
          emailFailing: true,
          locale: true,
          employee: true,
          sensitive: true,
          terminationCategory: true,
          phones: { where: { kind: 'MOBILE', failing: false }, orderBy: { e164: 'asc' }, take: 1 },
        },
      },
    },
    orderBy: { interruptedOn: 'asc' },
  });
  const lists: TerminationLists = { day, toTerminate: [], toRemind: [], managementDecision: [] };
  const into: Record<Exclude<Verdict, 'wait'>, TerminationLine[]> = {
    terminate: lists.toTerminate,
    remind: lists.toRemind,
    'management-decision': lists.managementDecision,
  };
  for (const supply of supplies) {
    const { customer } = supply;
    const interruptedOn = dbDay(supply.interruptedOn);
    const facts = {
      interruptedOn,
      remindedOn: supply.remindedOn ? dbDay(supply.remindedOn) : null,
      category: customer.terminationCategory,
      employee: customer.employee,
      sensitive: customer.sensitive,
    };
    const found = verdict(facts, day, deps.settings);
    if (found === 'wait') continue;
    const line: TerminationLine = {
      interruptionId: supply.id,
      customerId: customer.id,
      customerReference: customer.reference,
      name: customerName(customer),
      address: postalAddress(customer),
      category: customer.terminationCategory,
      interruptedOn,
      terminationDay: terminationDay(facts, day, deps.settings),
      fieldOrder:
        customer.terminationCategory === 'medium-voltage' ? 'index-only' : 'meter-removal-and-index',
      reminder: [],
    };
    if (found === 'remind') line.reminder = await remind(deps, supply.id, customer, line, day, options.apply);
    into[found].push(line);
  }
  return lists;
}

/** [TR-3] The written reminder (the letter list), plus an SMS or e-mail when on file; recorded once. */
async function remind(
  deps: TerminationDeps,
  interruptionId: string,
  customer: {
    id: string;
    email: string | null;
    emailFailing: boolean;
    locale: 'fr' | 'en';
    phones: Array<{ e164: string }>;
  },
  line: TerminationLine,
  day: string,
  apply: boolean,
): Promise<string[]> {
  const email = customer.emailFailing ? null : customer.email;
  const mobile = customer.phones[0]?.e164 ?? null;
  const ways = ['letter', ...(email ? ['EMAIL'] : mobile ? ['SMS'] : [])];
  if (!apply) return ways;
  const { count } = await deps.db.supplyInterruption.updateMany({
    where: { id: interruptionId, remindedOn: null },
    data: { remindedOn: new Date(`${day}T00:00:00Z`) },
  });
  if (count === 0) return ways; // an earlier run of the day sent it
  const vars = {
    customerName: line.name,
    customerReference: line.customerReference,
    terminationDate: DateTime.fromISO(line.terminationDay, { zone: 'UTC' })
      .setLocale(customer.locale === 'en' ? 'en-GB' : 'fr-FR')
      .toFormat('d LLLL yyyy'),
  };
  const common = {
    purpose: 'termination-reminder',
    locale: customer.locale,
    customerId: customer.id,
    idempotencyKey: `termination-reminder-${interruptionId}`,
  };
  const render = (template: string) => deps.templates.render(template, customer.locale, vars);
  if (email)
    await enqueueMessage(deps.outbox, {
      ...common,
      channel: 'EMAIL',
      to: email,
      subject: render('email/termination-reminder.subject'),
      body: render('email/termination-reminder.text'),
      html: render('email/termination-reminder.html'),
    });
  else if (mobile)
    await enqueueMessage(deps.outbox, {
      ...common,
      channel: 'SMS',
      to: mobile,
      body: render('sms/termination-reminder'),
    });
  return ways;
}
