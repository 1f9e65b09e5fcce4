import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMessage } from '../../src/messaging/outbox.service.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { type Harness, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';

// The simulator panel drives the real, signed webhooks: a call placed here goes through the
// same signature check, call state and voicemail as a Twilio call.
let h: Harness;
let agent: string;
let worker: Stoppable;

beforeAll(async () => {
  h = await startHarness();
  agent = await h.login('AGENT');
  worker = startOutboxWorker(h.services);
});

afterAll(async () => {
  await worker.close();
  await h.close();
});

const post = (url: string, payload?: object) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

describe('simulator panel', () => {
  it('places a call to the service line, answers the menu, leaves a message that opens a case', async () => {
    const started = await post('/api/simulator/calls', { from: '06 12 34 56 78', to: '+33970000001' });
    expect(started.statusCode).toBe(200);
    const call = started.json() as { sid: string; said: string[]; next: { kind: string } };
    expect(call.said[0]).toMatch(/^Bonjour, vous êtes bien sur la ligne d'urgence/);
    expect(call.next.kind).toBe('gather');

    // An unknown number: the line asks for a customer number, then, without one, for a message.
    const asked = (await post(`/api/simulator/calls/${call.sid}/input`, { digits: '2' })).json() as {
      said: string[];
    };
    expect(asked.said[0]).toMatch(/^Nous n'avons pas reconnu votre numéro/);
    for (let i = 0; i < 3; i++) await post(`/api/simulator/calls/${call.sid}/input`, { digits: '' });
    const message = await post(`/api/simulator/calls/${call.sid}/input`, {
      message: 'Ma chaudière est en panne, plus de chauffage.',
    });
    expect((message.json() as { said: string[] }).said).toEqual([
      'Merci, votre message est enregistré. Il sera traité dès que possible. Au revoir.',
    ]);
    const contact = await h.services.db.contact.findUnique({
      where: { providerId: call.sid },
      include: { case: true },
    });
    expect(contact?.case?.category).toBe('voicemail');
  });

  it('shows what the platform sent and lets a person answer a call as the technician', async () => {
    const { id } = await enqueueMessage(h.services.outbox, {
      channel: 'VOICE',
      to: '+33600000010',
      body: 'Dossier 42 : panne de chaudière.',
      purpose: 'test',
    });
    const placed = await until(async () =>
      (await h.services.simulator!.recent()).find((i) => i.kind === 'call' && i.to === '+33600000010'),
    );
    expect(placed.status).toBe('ringing');
    const listed = await h.app.inject({
      method: 'GET',
      url: '/api/simulator/outbound',
      headers: { authorization: `Bearer ${agent}` },
    });
    expect((listed.json() as Array<{ sid: string }>).map((i) => i.sid)).toContain(placed.sid);

    const answered = await post(`/api/simulator/outbound/${placed.sid}/answer`);
    expect((answered.json() as { said: string[] }).said).toEqual([
      'Message du service client. Dossier 42 : panne de chaudière.',
    ]);
    // The answer went through the signed status callback: the outbox row moved forward.
    expect((await h.services.db.message.findUniqueOrThrow({ where: { id } })).status).toBe('COMPLETED');
  });

  it('replies to an SMS as a subscriber through the signed inbound webhook', async () => {
    const replied = await post('/api/simulator/sms', { from: '06 11 22 33 44', body: 'OK 4821' });
    expect(replied.statusCode).toBe(200);
    const { sid } = replied.json() as { sid: string };
    const inbound = await h.services.db.message.findUnique({ where: { providerId: sid } });
    expect(inbound).toMatchObject({
      direction: 'INBOUND',
      channel: 'SMS',
      status: 'RECEIVED',
      from: '+33611223344',
      body: 'OK 4821',
    });
    expect(await h.services.db.contact.findUnique({ where: { providerId: sid } })).toMatchObject({
      direction: 'INBOUND',
      channel: 'SMS',
    });
  });

  it('is refused without a console login', async () => {
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/simulator/calls',
          payload: { from: '', to: '+33970000001' },
        })
      ).statusCode,
    ).toBe(401);
  });
});
