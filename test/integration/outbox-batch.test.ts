import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessage, enqueueMessages, sendJobId } from '../../src/messaging/outbox.service.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { type Harness, startHarness } from '../support/harness.js';
import {
  createTwilioApi,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  TWILIO_TEST_BASE,
} from '../support/twilio-api.js';
import { until } from '../support/until.js';

// The outbox under a batch: messages written many at a time (enqueueMessages), claimed and
// recorded by grouped statements when a worker handles many at once, opt-outs checked inside the
// claim, and a status callback that overtakes the worker's own record.

const twilioApi = createTwilioApi();
let h: Harness;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({
    env: {
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_API_BASE_URL: TWILIO_TEST_BASE,
      TWILIO_FROM_NUMBER: '+33970000000',
      LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789',
      SMS_RATE_PER_SECOND: '10000',
      WORKER_CONCURRENCY: '50',
    },
  });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close(true)));
  twilioApi.reset();
});

afterAll(async () => {
  await h.close();
  twilioApi.close();
});

function startWorker(): Stoppable {
  const worker = startOutboxWorker(h.services, { lockDurationMs: 5000 });
  workers.push(worker);
  return worker;
}

const rows = (ids: string[]) => h.services.db.message.findMany({ where: { id: { in: ids } } });

describe('enqueueMessages', () => {
  it('writes every row, then one job each with its deterministic id; essential ones without a priority', async () => {
    const { id: existing } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33600000001',
      body: 'Déjà écrit',
      purpose: 'test',
      idempotencyKey: 'batch-existing',
    });
    const results = await enqueueMessages(h.services.outbox, [
      { channel: 'SMS', to: '+33600000002', body: 'Rappel 1', purpose: 'test' },
      {
        channel: 'SMS',
        to: '+33600000001',
        body: 'Déjà écrit',
        purpose: 'test',
        idempotencyKey: 'batch-existing',
      },
      {
        channel: 'SMS',
        to: '+33600000003',
        body: 'Page',
        purpose: 'test',
        essential: true,
        idempotencyKey: 'batch-k',
      },
      {
        channel: 'SMS',
        to: '+33600000003',
        body: 'Page',
        purpose: 'test',
        essential: true,
        idempotencyKey: 'batch-k',
      },
      { channel: 'EMAIL', to: 'a@example.test', body: 'Texte', subject: 'Objet', purpose: 'test' },
    ]);
    // In the order given; a key used before, or earlier in the batch, gives the same row.
    expect(results.map((r) => r.created)).toEqual([true, false, true, false, true]);
    expect(results[1]!.id).toBe(existing);
    expect(results[3]!.id).toBe(results[2]!.id);
    expect(new Set(results.map((r) => r.id)).size).toBe(4);

    const written = await rows(results.map((r) => r.id));
    expect(written.map((r) => r.status)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'QUEUED']);
    const reminder = await h.services.outboxQueues.SMS.getJob(sendJobId(results[0]!.id));
    const page = await h.services.outboxQueues.SMS.getJob(sendJobId(results[2]!.id));
    const email = await h.services.outboxQueues.EMAIL.getJob(sendJobId(results[4]!.id));
    expect(reminder?.opts.priority).toBe(10);
    expect(page?.opts.priority ?? 0).toBe(0);
    expect(email?.data).toEqual({ messageId: results[4]!.id });
    expect(reminder?.opts.attempts).toBe(h.settings.sendMaxAttempts);
    await h.services.outboxQueues.SMS.obliterate({ force: true });
    await h.services.outboxQueues.EMAIL.obliterate({ force: true });
  });

  it('sends a batch of 300 exactly once each, every row SENT with the sid Twilio answered', async () => {
    const inputs = Array.from({ length: 300 }, (_, i) => ({
      channel: 'SMS' as const,
      to: `+3361${String(i).padStart(7, '0')}`,
      body: `Relevé ${i}`,
      purpose: 'test-batch',
    }));
    const results = await enqueueMessages(h.services.outbox, inputs);
    startWorker();
    startWorker(); // two workers of one process share the grouped statements
    await until(
      async () =>
        (await h.services.db.message.count({ where: { purpose: 'test-batch', status: 'SENT' } })) === 300,
      30_000,
    );
    expect(twilioApi.messages).toHaveLength(300);
    const sidOf = new Map(twilioApi.messages.map((m) => [`${m.to} ${m.body}`, m.sid]));
    expect(sidOf.size).toBe(300);
    for (const row of await rows(results.map((r) => r.id))) {
      expect(row.providerId).toBe(sidOf.get(`${row.to} ${row.body}`));
      expect(row.attempts).toBe(1);
      expect(row.sentAt).not.toBeNull();
    }
  });
});

describe('opt-outs in the claim', () => {
  it('cancels a non-essential SMS to a number that opted out, and still sends an essential one', async () => {
    await h.services.db.smsOptOut.create({ data: { phone: '+33600000009', keyword: 'STOP' } });
    startWorker();
    const [reminder, page] = await enqueueMessages(h.services.outbox, [
      { channel: 'SMS', to: '+33600000009', body: 'Rappel', purpose: 'test' },
      { channel: 'SMS', to: '+33600000009', body: 'Astreinte', purpose: 'test', essential: true },
    ]);
    await until(async () => {
      const [a, b] = await Promise.all([rows([reminder!.id]), rows([page!.id])]);
      return a[0]?.status === 'CANCELED' && b[0]?.status === 'SENT';
    });
    expect((await rows([reminder!.id]))[0]).toMatchObject({ errorCode: 'opted-out', attempts: 0 });
    expect(twilioApi.messages.map((m) => m.body)).toEqual(['Astreinte']);
  });
});

describe('a status callback before the worker records the send', () => {
  it('keeps the status the callback gave, and adds the provider id', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Twilio has the message and calls back "delivered" before the worker hears its answer.
    twilioApi.onCreate(async (_kind, phase) => {
      if (phase === 'accepted') await held;
    });
    startWorker();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'SMS',
      to: '+33600000010',
      body: 'Rapide',
      purpose: 'test',
    });
    await until(async () => twilioApi.messages.length === 1);
    const sid = twilioApi.messages[0]!.sid;
    const callback = await h.twilioPost(`/twilio/sms/status?messageId=${id}`, {
      MessageSid: sid,
      MessageStatus: 'delivered',
      AccountSid: TEST_ACCOUNT_SID,
    });
    expect(callback.statusCode).toBe(204);
    release();
    await until(async () => (await h.services.outboxQueues.SMS.getJob(sendJobId(id)))?.isCompleted());
    const [row] = await rows([id]);
    expect(row).toMatchObject({ status: 'DELIVERED', providerId: sid, attempts: 1 });
  });
});
