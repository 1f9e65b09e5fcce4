import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deliverMessage,
  deliverNow,
  enqueueMessage,
  enqueueMessages,
  type NewMessage,
  sendJobId,
  TemporaryDeliveryError,
} from '../../src/messaging/outbox.service.js';
import { startOutboxWorker, sweepOutbox } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_ERRORS, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

const twilioApi = createTwilioApi();
let h: Harness;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({
    env: {
      ...TWILIO_TEST_ENV,
    },
  });
  const customer = await h.services.db.customer.create({
    data: {
      reference: 'C1',
      lastName: 'Petit',
      addressLine: '2 rue',
      postcode: '69002',
      city: 'Lyon',
      phones: {
        create: [
          { e164: '+33611111111', kind: 'MOBILE' },
          { e164: '+33142000000', kind: 'LANDLINE' },
        ],
      },
    },
  });
  expect(customer.id).toBeTruthy();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close(true)));
  twilioApi.reset();
});

afterAll(async () => {
  await h.close();
  twilioApi.close();
});

// Short locks so a dead worker's job is taken over in about two seconds. All workers of this file
// use the same value: BullMQ runs one stalled-job check per queue per interval, at the pace of
// whichever worker took it.
function startWorker(lockDurationMs = 1000): Stoppable {
  const worker = startOutboxWorker(h.services, { lockDurationMs });
  workers.push(worker);
  return worker;
}

const message = (id: string) => h.services.db.message.findUniqueOrThrow({ where: { id } });

describe('outbound SMS through the outbox', () => {
  it('goes out once through the Twilio SDK with its status callback, and its delivery status updates the row', async () => {
    startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33611111111',
      body: 'Votre rendez-vous est confirmé.',
      purpose: 'test',
    });
    const sent = await until(async () => {
      const row = await message(id);
      return row.status === 'SENT' ? row : null;
    });
    expect(twilioApi.messages).toHaveLength(1);
    const [twilioMessage] = twilioApi.messages;
    expect(twilioMessage).toMatchObject({
      to: '+33611111111',
      from: '+33970000000',
      body: 'Votre rendez-vous est confirmé.',
    });
    expect(twilioMessage!.statusCallback).toBe(
      `https://contact-centre.test/twilio/sms/status?messageId=${id}`,
    );
    expect(sent.providerId).toBe(twilioMessage!.sid);

    const callback = (status: string) =>
      h.twilioPost(`/twilio/sms/status?messageId=${id}`, {
        MessageSid: twilioMessage!.sid,
        MessageStatus: status,
        AccountSid: TEST_ACCOUNT_SID,
      });
    expect((await callback('delivered')).statusCode).toBe(204);
    expect((await message(id)).status).toBe('DELIVERED');
    // A late, out-of-order "sent" cannot move it back.
    await callback('sent');
    expect((await message(id)).status).toBe('DELIVERED');
  });

  it('refuses a forged status callback and changes nothing', async () => {
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33611111111',
      body: 'x',
      purpose: 'test',
    });
    const forged = await h.twilioPost(
      `/twilio/sms/status?messageId=${id}`,
      { MessageSid: 'SMx', MessageStatus: 'delivered' },
      { signature: 'forged' },
    );
    expect(forged.statusCode).toBe(403);
    expect((await message(id)).status).toBe('QUEUED');
  });

  it('creates one row and one send for the same idempotency key', async () => {
    startWorker();
    const input = {
      channel: 'SMS' as const,
      to: '+33611111111',
      body: 'Une seule fois',
      purpose: 'test',
      idempotencyKey: 'page-case-1-attempt-1',
    };
    const [a, b] = await Promise.all([
      enqueueMessage(h.services.outbox, input),
      enqueueMessage(h.services.outbox, input),
    ]);
    expect(a.id).toBe(b.id);
    await until(async () => (await message(a.id)).status === 'SENT');
    await h.drained();
    expect(twilioApi.messages.filter((m) => m.body === 'Une seule fois')).toHaveLength(1);
  });

  it('retries a temporary Twilio error with backoff, then sends once, without asking Twilio what it turned away', async () => {
    twilioApi.failNext(TWILIO_ERRORS.serviceUnavailable, TWILIO_ERRORS.tooManyRequests);
    startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33611111111',
      body: 'Après une panne',
      purpose: 'test',
    });
    const row = await until(async () => {
      const r = await message(id);
      return r.status === 'SENT' ? r : null;
    });
    expect(row.attempts).toBe(3);
    expect(twilioApi.messages).toHaveLength(1);
    // 503 and 429 say the message was not taken: nothing to look for before sending again.
    expect(twilioApi.lists).toEqual([]);
  });

  it('stops at a permanent error and marks the number as failing', async () => {
    twilioApi.failNext(TWILIO_ERRORS.notMobile);
    startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33142000000',
      body: 'Vers un fixe',
      purpose: 'test',
    });
    const row = await until(async () => {
      const r = await message(id);
      return r.status === 'FAILED' ? r : null;
    });
    expect(row).toMatchObject({ errorCode: 'twilio-21614', attempts: 1 });
    expect(await h.services.db.customerPhone.findFirst({ where: { e164: '+33142000000' } })).toMatchObject({
      failing: true,
    });
    expect(await h.services.db.customerPhone.findFirst({ where: { e164: '+33611111111' } })).toMatchObject({
      failing: false,
    });
  });
});

describe('quiet hours', () => {
  it('holds a non-essential SMS written at night until 08:00, and lets an essential one go at once', async () => {
    const night = { now: () => new Date('2026-11-24T22:30:00Z') }; // Tuesday 23:30 in Paris
    const deps = {
      ...h.services.outbox,
      clock: night,
      quietHours: { startMinute: 21 * 60, endMinute: 8 * 60, sundays: true, publicHolidays: true },
    };
    const reminder = await enqueueMessage(deps, {
      channel: 'SMS',
      to: '+33611111111',
      body: 'Rappel',
      purpose: 'test',
    });
    const page = await enqueueMessage(deps, {
      channel: 'SMS',
      to: '+33611111111',
      body: 'Astreinte',
      purpose: 'test',
      essential: true,
    });
    expect((await message(reminder.id)).notBefore).toEqual(new Date('2026-11-25T07:00:00Z'));
    expect((await message(page.id)).notBefore).toBeNull();
    const job = await h.services.outboxQueues.SMS.getJob(sendJobId(reminder.id));
    expect(await job!.isDelayed()).toBe(true);
    await job!.remove();
    await (await h.services.outboxQueues.SMS.getJob(sendJobId(page.id)))?.remove();
  });
});

describe('outbox sweep', () => {
  it('enqueues a row left waiting without a job (Redis was away when it was written), once', async () => {
    const row = await h.services.db.message.create({
      data: {
        direction: 'OUTBOUND',
        channel: 'SMS',
        status: 'QUEUED',
        purpose: 'test',
        to: '+33611111111',
        body: 'Oublié',
      },
    });
    const fiveMinutesAgo = new Date(h.services.clock.now().getTime() - 5 * 60_000);
    await h.services.db.message.update({ where: { id: row.id }, data: { updatedAt: fiveMinutesAgo } });
    expect(await sweepOutbox(h.services)).toBe(1);
    expect(await h.services.outboxQueues.SMS.getJob(sendJobId(row.id))).toBeDefined();
    startWorker();
    await until(async () => (await message(row.id)).status === 'SENT');
    expect(twilioApi.messages.filter((m) => m.body === 'Oublié')).toHaveLength(1);
  });
});

describe('a worker that dies mid-send', () => {
  // Worker A is stopped without finishing its job (its process would be gone); its lock expires
  // and worker B takes the job over. Nothing is lost, nothing is sent twice.
  it.each([
    ['after Twilio accepted the message', 'accepted' as const],
    ['before the request reached Twilio', 'received' as const],
  ])('%s: the message goes out exactly once', async (_label, killPhase) => {
    let killed = false;
    const hang = new Promise<void>(() => undefined);
    twilioApi.onCreate(async (_kind, phase) => {
      if (!killed && phase === killPhase) {
        killed = true;
        await workerA.close(true);
        await hang; // worker A never hears back
      }
    });
    const workerA = startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33611111111',
      body: `Relance ${killPhase}`,
      purpose: 'test',
    });
    await until(async () => killed);
    startWorker();
    const row = await until(async () => {
      const r = await message(id);
      return r.status === 'SENT' ? r : null;
    }, 20_000);
    const atTwilio = twilioApi.messages.filter((m) => m.body === `Relance ${killPhase}`);
    expect(atTwilio).toHaveLength(1);
    expect(row.providerId).toBe(atTwilio[0]!.sid);
  });
});

describe('a stalled send is reconciled by identity, not by resemblance', () => {
  // A page's next attempt has the same body and calls the same mobile: the previous attempt's
  // stalled row must never take the next row's sid for its own, and never be left unsent.
  it.each([['SMS' as const], ['VOICE' as const]])(
    '%s: two rows with the same body to the same number both go out, each recorded with its own sid',
    async (channel) => {
      const body = `Même texte ${channel}`;
      const to = '+33622222222';
      let killed = false;
      const hang = new Promise<void>(() => undefined);
      twilioApi.onCreate(async (kind, phase) => {
        if (!killed && phase === 'received' && kind === (channel === 'SMS' ? 'message' : 'call')) {
          killed = true;
          await workerA.close(true);
          await hang; // the first row's request never reaches Twilio
        }
      });
      const workerA = startWorker();
      const first = await enqueueMessage(h.services.outbox, { channel, to, body, purpose: 'test' });
      await until(async () => killed);
      // The next attempt, same body, same number, goes out meanwhile.
      startWorker();
      const second = await enqueueMessage(h.services.outbox, { channel, to, body, purpose: 'test' });
      const rows = await until(async () => {
        const both = await Promise.all([message(first.id), message(second.id)]);
        return both.every((r) => r.status === 'SENT') && both;
      }, 25_000);
      const atTwilio = (channel === 'SMS' ? twilioApi.messages : twilioApi.calls).filter((m) => m.to === to);
      expect(atTwilio).toHaveLength(2);
      expect(new Set(rows.map((r) => r.providerId))).toEqual(new Set(atTwilio.map((m) => m.sid)));
    },
  );

  // The regional manager's number, paged for two cases at once: row B's call is at Twilio, its
  // answer not back yet, while the stalled row A is reconciled.
  async function stalledBesideCallInFlight(to: string, stalledFor: number) {
    const stalledAt = new Date(h.services.clock.now().getTime() - stalledFor);
    const stalled = await h.services.db.message.create({
      data: {
        direction: 'OUTBOUND',
        channel: 'VOICE',
        status: 'SENDING',
        attempts: 1,
        purpose: 'oncall-page',
        essential: true,
        to,
        body: 'Astreinte A',
        twimlUrl: 'https://example.test/twiml/a',
        createdAt: stalledAt,
        updatedAt: stalledAt,
      },
    });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let placedB = false;
    twilioApi.onCreate(async (kind, phase) => {
      if (kind === 'call' && phase === 'accepted' && !placedB) {
        placedB = true;
        await held;
      }
    });
    const [b] = await enqueueMessages(h.services.outbox, [
      {
        channel: 'VOICE',
        to,
        body: 'Astreinte B',
        purpose: 'oncall-page',
        essential: true,
        sentByWriter: true,
      },
    ]);
    const sendingB = deliverNow(h.services.outbox, {
      id: b!.id,
      channel: 'VOICE',
      essential: true,
      notBefore: null,
    });
    await until(async () => placedB);
    return { stalled, b: b!, release, sendingB };
  }

  async function eachCallOnce(to: string, ids: string[]) {
    const atTwilio = twilioApi.calls.filter((c) => c.to === to);
    expect(atTwilio).toHaveLength(2);
    const rows = await Promise.all(ids.map(message));
    expect(rows.map((r) => r.status)).toEqual(['SENT', 'SENT']);
    expect(new Set(rows.map((r) => r.providerId))).toEqual(new Set(atTwilio.map((c) => c.sid)));
  }

  it('[ON-9] a stalled call does not take the call of another row to the same number still being placed: each goes out once', async () => {
    const to = '+33644444444';
    const { stalled, b, release, sendingB } = await stalledBesideCallInFlight(to, 0);
    // A's worker died before Twilio was asked: its call is not at Twilio, B's is.
    await expect(deliverMessage(h.services.outbox, stalled.id, false)).rejects.toBeInstanceOf(
      TemporaryDeliveryError,
    );
    release();
    await sendingB;
    // Retried once B's call is recorded: A's own call goes out.
    expect(await deliverMessage(h.services.outbox, stalled.id, false)).toMatchObject({
      outcome: 'sent',
      reconciled: false,
    });
    await eachCallOnce(to, [stalled.id, b.id]);
  });

  it('[ON-9] a stalled call that no Twilio callback named in half a minute goes out, even while other calls to its number are placed', async () => {
    const to = '+33655555555';
    const { stalled, b, release, sendingB } = await stalledBesideCallInFlight(to, 60_000);
    expect(await deliverMessage(h.services.outbox, stalled.id, false)).toMatchObject({
      outcome: 'sent',
      reconciled: false,
    });
    release();
    await sendingB;
    await eachCallOnce(to, [stalled.id, b.id]);
  });

  it('settles a stalled row from the status callback that named it before the worker could record the send: nothing sent again', async () => {
    let killed = false;
    const hang = new Promise<void>(() => undefined);
    let rowId = '';
    twilioApi.onCreate(async (_kind, phase) => {
      if (!killed && phase === 'accepted') {
        killed = true;
        await workerA.close(true);
        // Twilio's "sent" callback names the row before the worker could record the send.
        const sent = twilioApi.messages.at(-1)!;
        await h.twilioPost(`/twilio/sms/status?messageId=${rowId}`, {
          MessageSid: sent.sid,
          MessageStatus: 'sent',
          AccountSid: TEST_ACCOUNT_SID,
        });
        await hang;
      }
    });
    const workerA = startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33633333333',
      body: 'Preuve par le rappel',
      purpose: 'test',
    });
    rowId = id;
    await until(async () => killed);
    startWorker();
    // Worker B takes the stalled job over once its lock expires, and finds the row settled.
    await h.drained();
    const row = await message(id);
    expect(row.status).toBe('SENT');
    const atTwilio = twilioApi.messages.filter((m) => m.body === 'Preuve par le rappel');
    expect(atTwilio).toHaveLength(1);
    expect(row.providerId).toBe(atTwilio[0]!.sid);
  });
});

describe('outbound calls', () => {
  it('places the call with its TwiML URL and status callback, and records the call outcome', async () => {
    startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'VOICE',
      to: '+33611111111',
      body: 'Dossier 12',
      purpose: 'test',
    });
    await until(async () => (await message(id)).status === 'SENT');
    const [placed] = twilioApi.calls;
    expect(placed).toMatchObject({
      to: '+33611111111',
      url: `https://contact-centre.test/twilio/voice/outbound?messageId=${id}`,
      statusCallback: `https://contact-centre.test/twilio/voice/status?messageId=${id}`,
    });
    await h.twilioPost(`/twilio/voice/status?messageId=${id}`, {
      CallSid: placed!.sid,
      CallStatus: 'no-answer',
      AccountSid: TEST_ACCOUNT_SID,
    });
    expect((await message(id)).status).toBe('NO_ANSWER');
  });
});

describe('a call its writer sends at once (a page attempt)', () => {
  // The attempt job writes its call and sends it itself; the call's send job exists only when the
  // attempt hands the call over, so the two never send the same row at the same time.
  const writeCall = async (body: string) => {
    const input: NewMessage = {
      channel: 'VOICE',
      to: '+33611111111',
      body,
      purpose: 'test',
      essential: true,
    };
    const [written] = await enqueueMessages(h.services.outbox, [{ ...input, sentByWriter: true }]);
    return { id: written!.id, channel: 'VOICE' as const, essential: true, notBefore: null };
  };
  const callsTo = (body: string) => async () => {
    const rows = await h.services.db.message.findMany({ where: { body } });
    return twilioApi.calls.filter((c) => rows.some((r) => c.url?.includes(r.id)));
  };
  const jobOf = (id: string) => h.services.outboxQueues.VOICE.getJob(sendJobId(id));

  it('[ON-5] places the call from the writer, once, without a send job', async () => {
    const call = await writeCall('Astreinte 1');
    expect(await jobOf(call.id)).toBeUndefined();
    expect(await deliverNow(h.services.outbox, call)).toMatchObject({ outcome: 'sent', reconciled: false });
    expect(await callsTo('Astreinte 1')()).toHaveLength(1);
    expect(await message(call.id)).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(await jobOf(call.id)).toBeUndefined();
  });

  it('[ON-5] hands the call to its send job after a temporary Twilio error, which places it once', async () => {
    twilioApi.failNext(TWILIO_ERRORS.serviceUnavailable);
    const call = await writeCall('Astreinte 2');
    expect(await deliverNow(h.services.outbox, call)).toMatchObject({ outcome: 'skipped' });
    startWorker();
    await until(async () => (await message(call.id)).status === 'SENT');
    expect(await callsTo('Astreinte 2')()).toHaveLength(1);
    expect((await message(call.id)).attempts).toBe(2);
  });

  it('[ON-5] leaves a call an earlier run claimed and placed before dying to its send job, which records it: one call', async () => {
    const call = await writeCall('Astreinte 3');
    // The earlier run: claimed, Twilio took the call, the process died before recording it.
    await h.services.db.message.update({ where: { id: call.id }, data: { status: 'SENDING' } });
    const placed = await h.services.outbox.channels.voice.call({
      messageId: call.id,
      to: '+33611111111',
      body: 'Astreinte 3',
      twimlUrl: `https://contact-centre.test/twilio/voice/outbound?messageId=${call.id}`,
      statusCallbackUrl: `https://contact-centre.test/twilio/voice/status?messageId=${call.id}`,
    });
    expect(await deliverNow(h.services.outbox, call)).toMatchObject({ outcome: 'skipped' });
    startWorker();
    const row = await until(async () => {
      const r = await message(call.id);
      return r.status === 'SENT' && r;
    });
    expect(await callsTo('Astreinte 3')()).toHaveLength(1);
    expect(row.providerId).toBe(placed.outcome === 'sent' && placed.providerId);
  });

  it('[ON-5] leaves a call old enough for the sweep to its send job, also when both run at the same moment: one call', async () => {
    // Twilio slow to answer: had the writer placed this call too, the send job would have found
    // no call at Twilio yet and placed a second one.
    twilioApi.onCreate(async (kind, phase) => {
      if (kind === 'call' && phase === 'received') await new Promise((resolve) => setTimeout(resolve, 500));
    });
    startWorker();
    const call = await writeCall('Astreinte 4');
    const fiveMinutesAgo = new Date(h.services.clock.now().getTime() - 5 * 60_000);
    await h.services.db.message.update({ where: { id: call.id }, data: { updatedAt: fiveMinutesAgo } });
    const [handed] = await Promise.all([sweepOutbox(h.services), deliverNow(h.services.outbox, call)]);
    expect(handed).toBeGreaterThanOrEqual(1);
    await until(async () => (await message(call.id)).status === 'SENT');
    await h.drained();
    expect(await callsTo('Astreinte 4')()).toHaveLength(1);
  });
});

describe('obsolete page messages', () => {
  // A page's call or SMS stuck behind a dead worker must not reach the technician after the page
  // was settled: it ends cancelled, with the reason.
  async function pageMessage(status: 'PAGING' | 'ACKNOWLEDGED' | 'UNREACHED', escalated = false) {
    const db = h.services.db;
    const kase = await db.case.create({ data: { category: 'out-of-hours', subject: 'Panne' } });
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'VOICE',
      to: '+33644444444',
      body: `Demande ${kase.number}`,
      purpose: 'oncall-page',
      essential: true,
      caseId: kase.id,
    });
    await db.page.create({
      data: {
        caseId: kase.id,
        decision: 'page-now',
        status,
        scheduledFor: new Date(),
        replyCode: '1234',
        escalatedAt: escalated ? new Date() : null,
        attempts: {
          create: {
            number: 1,
            target: 'TECHNICIAN',
            mobile: '+33644444444',
            callMessageId: id,
            startedAt: new Date(),
          },
        },
      },
    });
    return id;
  }

  it('cancels a page call whose page was taken, given up or escalated past it, and sends one still wanted', async () => {
    const taken = await pageMessage('ACKNOWLEDGED');
    const givenUp = await pageMessage('UNREACHED');
    const escalated = await pageMessage('PAGING', true);
    const wanted = await pageMessage('PAGING');
    startWorker();
    await until(async () => (await message(wanted)).status === 'SENT');
    await h.drained();
    expect(await message(taken)).toMatchObject({
      status: 'CANCELED',
      errorCode: 'obsolete',
      errorMessage: 'page already taken',
    });
    expect(await message(givenUp)).toMatchObject({ status: 'CANCELED', errorMessage: 'page given up' });
    expect(await message(escalated)).toMatchObject({
      status: 'CANCELED',
      errorMessage: 'escalated to the regional manager',
    });
    expect(twilioApi.calls.filter((c) => c.to === '+33644444444')).toHaveLength(1);
  });
});
