import { DateTime } from 'luxon';
import type { Locale } from '../generated/prisma/enums.js';
import { enqueueMessage, type OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Services } from '../services.js';
import { type Actor, type CaseActionDeps, caseActionDeps, createCase } from './case-actions.service.js';
import { recordOnTimeline } from './timeline.js';

// The website's contact form: each message opens a request on the e-mail channel (answered
// within the e-mail deadline, [CS-3]), and gets an automatic acknowledgement quoting the case reference and the date of the answer
// [CS-4]. What the customer wrote is the case's first contact, not an agent's comment: the comment
// rule [CS-8] is for what agents write. It is attached to no customer: anyone can type an address,
// so an agent identifies the sender as for any other contact (the identification checklist).

export interface ContactFormDeps {
  cases: CaseActionDeps;
  outbox: OutboxDeps;
  templates: Templates;
}

export function contactFormDeps(services: Services): ContactFormDeps {
  return { cases: caseActionDeps(services), outbox: services.outbox, templates: services.templates };
}

export interface ContactForm {
  name: string;
  email: string;
  subject: string;
  message: string;
  /** The language of the page the form was on, when the address is nobody's on file. */
  locale?: Locale;
}

const FORM: Actor = {
  type: 'SYSTEM',
  id: 'contact-form',
  displayName: 'formulaire de contact',
  sees: {},
  agencyId: null,
};

export async function receiveContactForm(
  deps: ContactFormDeps,
  form: ContactForm,
): Promise<{ caseNumber: number; dueAt: Date | null }> {
  const { db } = deps.cases;
  const email = form.email.trim().toLowerCase();
  const locale: Locale = form.locale ?? 'fr';
  const opened = await createCase(
    deps.cases,
    {
      kind: 'REQUEST',
      urgency: 'NORMAL',
      category: 'contact-form',
      subject: form.subject,
      needsIntervention: false,
      contact: {
        channel: 'EMAIL',
        direction: 'INBOUND',
        summary: form.message,
        callerName: form.name,
        address: email,
      },
    },
    FORM,
  );
  // Nothing an anonymous form can trip: no agency, no mobile, no agent's comment.
  if (!opened.ok) throw new Error(`contact form: case not opened (${opened.code}: ${opened.message})`);
  const kase = await db.case.findUniqueOrThrow({
    where: { id: opened.value.id },
    select: { id: true, number: true, dueAt: true },
  });
  const vars = {
    caseNumber: String(kase.number),
    customerName: form.name,
    subject: form.subject,
    dueDate: kase.dueAt ? longDate(kase.dueAt, deps.cases.timeZone, locale) : '',
  };
  const message = await enqueueMessage(deps.outbox, {
    channel: 'EMAIL',
    to: email,
    subject: deps.templates.render('email/contact-form-ack.subject', locale, vars),
    body: deps.templates.render('email/contact-form-ack.text', locale, vars),
    html: deps.templates.render('email/contact-form-ack.html', locale, vars),
    purpose: 'contact-form-ack',
    essential: true,
    locale,
    caseId: kase.id,
    idempotencyKey: `case-${kase.id}-acknowledgement`,
  });
  const at = deps.cases.now();
  await db.contact.create({
    data: {
      caseId: kase.id,
      direction: 'OUTBOUND',
      channel: 'EMAIL',
      at,
      address: email,
      summary: 'Accusé de réception automatique',
      details: { acknowledgement: true, messageId: message.id },
    },
  });
  await recordOnTimeline(db, deps.cases.events, {
    caseId: kase.id,
    agencyId: null,
    type: 'case.acknowledged',
    at,
    data: { channel: 'EMAIL', messageId: message.id },
  });
  return { caseNumber: kase.number, dueAt: kase.dueAt };
}

/** "mardi 24 novembre 2026 à 10:00", "Tuesday 24 November 2026 at 10:00": in the service's zone. */
function longDate(at: Date, zone: string, locale: Locale): string {
  return DateTime.fromJSDate(at, { zone })
    .setLocale(locale === 'en' ? 'en-GB' : 'fr-FR')
    .toLocaleString({
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
}
