import type { ItemReply, OpenItem, ReplyTarget } from '../messaging/replies/reply-router.js';
import { loadAppointment, offeredSlotsOf, recordAppointmentEvent } from './appointment-store.js';
import type { AppointmentDeps } from './appointments.deps.js';
import {
  type ChangeResult,
  cancelByCustomer,
  confirmAppointment,
  offerNewSlots,
  pickOfferedSlot,
} from './changes.service.js';
import { slotWords } from './customer-messages.js';

// [AP-3] Appointments as items an SMS reply answers: OUI/1 confirms, NON/2 cancels (never
// CANCEL, a carrier's opt-out word), 3 asks for another slot, and after numbered slots were
// offered a bare number picks one. Several appointments on one mobile: the code in the SMS says
// which. A reply about an appointment that is over (past or cancelled, in the last days) gets
// told so rather than nothing.

const RECENTLY_OVER_DAYS = 14;

type Answer = { template: string; vars?: Record<string, unknown> };

export function appointmentReplies(deps: AppointmentDeps): ReplyTarget {
  return {
    kind: 'appointment',
    words: {
      '3': 'other',
      autre: 'other',
      changer: 'other',
      reporter: 'other',
      another: 'other',
      change: 'other',
    },
    codeWhenSeveral: true,
    async openItems(phone) {
      const now = deps.clock.now();
      const since = new Date(now.getTime() - RECENTLY_OVER_DAYS * 24 * 3600_000);
      const rows = await deps.db.appointment.findMany({
        where: { mobile: phone, updatedAt: { gte: since } },
        select: {
          id: true,
          customerId: true,
          replyCode: true,
          status: true,
          startsAt: true,
          endsAt: true,
          createdAt: true,
          locale: true,
          offeredSlots: true,
          agency: { select: { timeZone: true } },
        },
        orderBy: { createdAt: 'desc' },
        take: 20,
      });
      return rows.map((a): OpenItem => {
        const held = (a.status === 'BOOKED' || a.status === 'CONFIRMED') && a.endsAt > now;
        const choices = offeredSlotsOf(a).length;
        const words = slotWords(a, a.agency.timeZone, a.locale);
        return {
          kind: 'appointment',
          id: a.id,
          customerId: a.customerId,
          replyCode: a.replyCode,
          label:
            a.locale === 'en'
              ? `appointment ${words.date} ${words.from}`
              : `RDV du ${words.date} ${words.from}`,
          openedAt: a.createdAt,
          locale: a.locale,
          ...(choices > 0 && (held || a.status === 'RESCHEDULING') ? { choices } : {}),
          ...(held || (a.status === 'RESCHEDULING' && choices > 0) ? {} : { closed: true }),
        };
      });
    },
    async answer(item, reply, sms) {
      const row = await loadAppointment(deps, item.id);
      if (!row) return null;
      // The reply is an inbound contact on the appointment's case, live on its screens.
      await deps.db.contact.updateMany({
        where: { providerId: sms.messageSid, caseId: null },
        data: { caseId: row.caseId, summary: `Réponse au SMS de rendez-vous : ${sms.body.slice(0, 160)}` },
      });
      await recordAppointmentEvent(deps, row, 'appointment.reply', {
        body: sms.body.slice(0, 160),
        intent: reply.intent,
      });
      const over: Answer = {
        template: 'sms/appointment-over',
        vars: {
          ...slotWords(row, row.agency.timeZone, row.locale),
          cancelled: row.status === 'CANCELLED' || row.status === 'RESCHEDULING',
          agencyName: row.agency.name,
        },
      };
      return item.closed ? over : outcome(deps, row.id, reply, over);
    },
  };
}

async function outcome(
  deps: AppointmentDeps,
  id: string,
  reply: ItemReply,
  over: Answer,
): Promise<Answer | null> {
  let result: ChangeResult;
  // A confirmation or cancellation that no longer applies (the appointment started meanwhile)
  // is told so, not dropped.
  switch (reply.intent) {
    case 'yes':
      result = await confirmAppointment(deps, id, 'sms');
      return result.ok ? { template: 'sms/appointment-confirmed', vars: wordsOf(result) } : over;
    case 'no':
      result = await cancelByCustomer(deps, id, 'sms');
      return result.ok ? { template: 'sms/appointment-cancelled', vars: wordsOf(result) } : over;
    case 'other': {
      const row = (await loadAppointment(deps, id))!;
      // Its own SMS lists the slots.
      await offerNewSlots(deps, row, 'asked');
      return null;
    }
    case 'pick':
      // Its own SMS says what happened (booked, or fresh choices).
      await pickOfferedSlot(deps, id, reply.choice!);
      return null;
    default:
      return null;
  }
}

function wordsOf(result: ChangeResult & { ok: true }) {
  const a = result.appointment;
  return { ...slotWords(a, a.agency.timeZone, a.locale), agencyName: a.agency.name, replyCode: a.replyCode };
}
