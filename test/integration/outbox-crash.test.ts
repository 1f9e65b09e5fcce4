import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessage } from '../../src/messaging/outbox.service.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { serveOverHttp, type TwilioOverHttp } from '../support/twilio-over-http.js';
import { until } from '../support/until.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// Each crash window of a send, tried on purpose with real processes: a worker started with
// FAULT_POINT kills itself (SIGKILL) at that point of its first send, and a second worker process
// takes the stalled job over once its lock expires. Twilio is the msw double, reached over
// loopback HTTP by the worker processes.

const twilioApi = createTwilioApi();
let twilio: TwilioOverHttp;
let h: Harness;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  twilioApi.listen();
  twilio = await serveOverHttp(twilioApi.handlers);
  h = await startHarness({ env: { ...TWILIO_TEST_ENV } });
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  twilioApi.reset();
});

afterAll(async () => {
  await h?.close();
  await twilio?.close();
  twilioApi.close();
});

/** A worker process on the harness's database and Redis, sending to the Twilio double. */
function startWorker(faultPoint?: string): WorkerProcess {
  const worker = startWorkerProcess({
    DATABASE_URL: h.settings.databaseUrl,
    REDIS_URL: h.settings.redisUrl,
    PUBLIC_BASE_URL: h.settings.publicBaseUrl,
    ...TWILIO_TEST_ENV,
    TWILIO_API_BASE_URL: twilio.url,
    LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789',
    QUIET_HOURS: 'none',
    QUIET_DAYS: '',
    SEND_BACKOFF_MS: '50',
    // A dead worker's job is taken over about a second after its lock expires.
    JOB_LOCK_MS: '1000',
    ...(faultPoint ? { FAULT_POINT: faultPoint } : {}),
  });
  processes.push(worker);
  return worker;
}

const message = (id: string) => h.services.db.message.findUniqueOrThrow({ where: { id } });
const atTwilio = (channel: 'SMS' | 'VOICE', to: string) =>
  (channel === 'SMS' ? twilioApi.messages : twilioApi.calls).filter((m) => m.to === to);

async function killedAt(worker: WorkerProcess): Promise<void> {
  const { signal } = await worker.exited;
  expect(signal, worker.output()).toBe('SIGKILL');
}

async function sentRow(id: string) {
  return until(
    async () => {
      const row = await message(id);
      return row.status !== 'QUEUED' && row.status !== 'SENDING' && row;
    },
    30_000,
    `message ${id} settled`,
  );
}

describe.each([['SMS' as const], ['VOICE' as const]])('a %s worker killed mid-send', (channel) => {
  it(`after its claim, before Twilio was asked: the next worker sends it once, and the next row with the same body to the same number goes out with its own sid`, async () => {
    const to = channel === 'SMS' ? '+33610000001' : '+33610000002';
    const body = `Astreinte ${channel}: intervention demandée`;
    const first = startWorker('outbox.after-claim');
    const stalled = await enqueueMessage(h.services.outbox, {
      channel,
      to,
      body,
      purpose: 'test',
      essential: true,
    });
    await killedAt(first);
    expect((await message(stalled.id)).status).toBe('SENDING');
    expect(atTwilio(channel, to)).toHaveLength(0);

    startWorker();
    const next = await enqueueMessage(h.services.outbox, {
      channel,
      to,
      body,
      purpose: 'test',
      essential: true,
    });
    const rows = [await sentRow(stalled.id), await sentRow(next.id)];
    const sent = atTwilio(channel, to);
    expect(sent).toHaveLength(2);
    expect(rows.map((r) => r.status)).toEqual(['SENT', 'SENT']);
    expect(new Set(rows.map((r) => r.providerId))).toEqual(new Set(sent.map((m) => m.sid)));
  });

  it('after Twilio took it, before the worker recorded it: the next worker records its sid and sends nothing again', async () => {
    const to = channel === 'SMS' ? '+33610000003' : '+33610000004';
    const first = startWorker('outbox.after-provider');
    const { id } = await enqueueMessage(h.services.outbox, {
      channel,
      to,
      body: `Relance ${channel}`,
      purpose: 'test',
      essential: true,
    });
    await killedAt(first);
    expect(atTwilio(channel, to)).toHaveLength(1);
    expect((await message(id)).providerId).toBeNull();

    startWorker();
    const row = await sentRow(id);
    expect(row.status).toBe('SENT');
    expect(atTwilio(channel, to)).toHaveLength(1);
    expect(row.providerId).toBe(atTwilio(channel, to)[0]!.sid);
  });

  it('after Twilio took it and its status callback named the row: the row is settled by the callback, nothing is sent again', async () => {
    const to = channel === 'SMS' ? '+33610000005' : '+33610000006';
    const first = startWorker('outbox.after-provider');
    const { id } = await enqueueMessage(h.services.outbox, {
      channel,
      to,
      body: `Rappel ${channel}`,
      purpose: 'test',
      essential: true,
    });
    await killedAt(first);
    const [sent] = atTwilio(channel, to);
    // Twilio's first callback, on the URL that names the row, arrives before any worker recorded it.
    const callback =
      channel === 'SMS'
        ? h.twilioPost(`/twilio/sms/status?messageId=${id}`, {
            MessageSid: sent!.sid,
            MessageStatus: 'sent',
            AccountSid: TEST_ACCOUNT_SID,
          })
        : h.twilioPost(`/twilio/voice/status?messageId=${id}`, {
            CallSid: sent!.sid,
            CallStatus: 'initiated',
            AccountSid: TEST_ACCOUNT_SID,
          });
    expect((await callback).statusCode).toBeLessThan(300);
    expect((await message(id)).providerId).toBe(sent!.sid);

    startWorker();
    const row = await sentRow(id);
    expect(row.providerId).toBe(sent!.sid);
    expect(atTwilio(channel, to)).toHaveLength(1);
  });
});
