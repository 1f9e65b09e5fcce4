import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessage } from '../../src/messaging/outbox.service.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { type Harness, startHarness } from '../support/harness.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';

// The mail server goes away while a recap is sent to an agency (issue 20's fault injection): the
// service reaches it through a proxy this test owns. Each refused send is a temporary failure,
// logged and counted, retried with backoff; once the server is back the e-mail goes out once.
// (SMTP is not in /readyz: calls and pages do not depend on it, and e-mail waits.)

const logged: string[] = [];
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let proxy: TcpProxy;
let h: Harness;
let worker: Stoppable;

beforeAll(async () => {
  sink = await startSmtpSink();
  const server = new URL(sink.url);
  proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  h = await startHarness({
    env: { EMAIL: 'smtp', SMTP_URL: `smtp://127.0.0.1:${proxy.port}`, SEND_BACKOFF_MS: '100' },
    logger: createLogger('info', { write: (line: string) => logged.push(line) }),
  });
  worker = startOutboxWorker(h.services);
});

afterAll(async () => {
  await worker?.close(true);
  await h?.close();
  await proxy?.close();
  await sink?.close();
});

const emailRetries = async () => {
  const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(/^outbox_deliveries_total\{channel="EMAIL",outcome="retry"\} (\d+)/m.exec(text)?.[1] ?? 0);
};

describe('SMTP down while an e-mail is sent', () => {
  it('retries with backoff, logs and counts each failure, and sends the e-mail once when the server is back', async () => {
    proxy.cut();
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'EMAIL',
      to: 'astreinte@agence-lyon.example',
      subject: 'Récapitulatif de la nuit',
      body: 'Deux appels, un dépannage.',
      purpose: 'oncall-recap',
      essential: true,
    });
    await until(async () => (await h.services.db.message.findUniqueOrThrow({ where: { id } })).attempts >= 2);
    expect(await emailRetries()).toBeGreaterThanOrEqual(1);
    expect(logged.some((line) => line.includes('temporary failure, will retry'))).toBe(true);
    expect(sink.mails).toHaveLength(0);

    proxy.restore();
    const row = await until(async () => {
      const r = await h.services.db.message.findUniqueOrThrow({ where: { id } });
      return r.status !== 'QUEUED' && r.status !== 'SENDING' && r;
    }, 20_000);
    expect(row.status).toBe('DELIVERED');
    await h.drained();
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.to).toEqual(['astreinte@agence-lyon.example']);
    expect(sink.mails[0]!.raw).toContain(`Message-ID: <${id}@contact-centre>`);
  }, 60_000);
});
