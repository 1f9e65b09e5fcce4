import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileParkedVoicemails } from '../../src/ivr/voicemail.service.js';
import { interpretTwiml } from '../../src/messaging/simulator/twiml-interpreter.js';
import { type Harness, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';

const LINE = '+33970000001';
let h: Harness;
let customerId: string;

beforeAll(async () => {
  h = await startHarness();
  const db = h.services.db;
  const region = await db.region.create({ data: { code: 'R1', name: 'Région test' } });
  const agency = await db.agency.create({ data: { code: 'A1', name: 'Agence test', regionId: region.id } });
  const customer = await db.customer.create({
    data: {
      reference: 'C900001',
      lastName: 'Durand',
      firstName: 'Léa',
      addressLine: '1 rue des Tests',
      postcode: '69002',
      city: 'Lyon',
      phones: { create: { e164: '+33612345678', kind: 'MOBILE' } },
    },
  });
  customerId = customer.id;
  await db.contract.create({
    data: { reference: 'CT1', customerId, agencyId: agency.id, outOfHoursCoverage: true },
  });
});

afterAll(async () => {
  await h.close();
});

/** Connections reading this test's Redis database for Socket.IO's adapter (unnamed, in XREAD). */
async function adapterReaders(): Promise<number> {
  const db = new URL(h.settings.redisUrl).pathname.slice(1) || '0';
  const clients = String(await h.services.redis.sendCommand(['CLIENT', 'LIST'])).split('\n');
  return clients.filter((c) => c.includes(` name= `) && c.includes(` db=${db} `) && c.includes('cmd=xread'))
    .length;
}

const call = (sid: string, from: string, to = LINE) => ({
  CallSid: sid,
  AccountSid: h.settings.twilio.accountSid,
  From: from,
  To: to,
  CallStatus: 'ringing',
  Direction: 'inbound',
});

describe('POST /twilio/voice/incoming', () => {
  it('answers a signed call with valid TwiML in French: the greeting and the first menu', async () => {
    const response = await h.twilioPost(
      '/twilio/voice/incoming',
      call('CA00000000000000000000000000000001', '+33612345678'),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/xml');
    const heard = interpretTwiml(response.body);
    expect(heard.said[0]).toMatch(/^Bonjour/);
    expect(heard.next).toMatchObject({ kind: 'gather', action: '/twilio/voice/step?seq=1' });
    expect(response.body).toContain('language="fr-FR"');
    const state = await h.services.callStates.get('CA00000000000000000000000000000001');
    expect(state).toMatchObject({ from: '+33612345678', step: 'menu', seq: 1 });
  });

  it('refuses a forged request with 403 and stores nothing', async () => {
    const sid = 'CA00000000000000000000000000000002';
    const forged = await h.twilioPost('/twilio/voice/incoming', call(sid, '+33612345678'), {
      signature: 'bm90IGEgc2lnbmF0dXJl',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: 'invalid_signature' });
    const unsigned = await h.twilioPost('/twilio/voice/incoming', call(sid, '+33612345678'), {
      signature: null,
    });
    expect(unsigned.statusCode).toBe(403);
    expect(await h.services.callStates.get(sid)).toBeNull();
  });

  it('refuses a request signed for other parameters (tampered body)', async () => {
    const params = call('CA00000000000000000000000000000003', '+33612345678');
    const signedFor = await h.twilioPost('/twilio/voice/incoming', params);
    expect(signedFor.statusCode).toBe(200);
    const { signTwilioRequest } = await import('../../src/platform/twilio-webhook.js');
    const signature = signTwilioRequest(
      h.settings.twilio.authToken,
      `${h.settings.publicBaseUrl}/twilio/voice/incoming`,
      params,
    );
    const tampered = await h.twilioPost(
      '/twilio/voice/incoming',
      { ...params, From: '+33699999999' },
      { signature },
    );
    expect(tampered.statusCode).toBe(403);
  });

  it('handles a withheld number', async () => {
    const response = await h.twilioPost(
      '/twilio/voice/incoming',
      call('CA00000000000000000000000000000005', 'anonymous'),
    );
    expect(response.statusCode).toBe(200);
    expect(interpretTwiml(response.body).next.kind).toBe('gather');
    expect((await h.services.callStates.get('CA00000000000000000000000000000005'))?.from).toBeNull();
  });

  it('tells a caller of an unassigned number so, in French then English, and hangs up', async () => {
    const heard = interpretTwiml(
      (
        await h.twilioPost(
          '/twilio/voice/incoming',
          call('CA00000000000000000000000000000006', '+33612345678', '+33100000000'),
        )
      ).body,
    );
    expect(heard.said).toEqual([
      "Ce numéro n'est pas attribué. Au revoir.",
      'This number is not in service. Goodbye.',
    ]);
    expect(heard.next.kind).toBe('hangup');
  });

  it('answers a replayed webhook the same way without starting the call twice', async () => {
    const params = call('CA00000000000000000000000000000007', '+33612345678');
    const first = await h.twilioPost('/twilio/voice/incoming', params);
    const state = await h.services.callStates.get(params.CallSid);
    const second = await h.twilioPost('/twilio/voice/incoming', params);
    expect(second.body).toBe(first.body);
    expect(await h.services.callStates.get(params.CallSid)).toEqual(state);
  });

  it('rejects a malformed or oversized body with a 4xx', async () => {
    const big = await h.app.inject({
      method: 'POST',
      url: '/twilio/sms/incoming',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `Body=${'x'.repeat(h.settings.bodyLimitBytes + 10)}`,
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: 'body_too_large' });
    const wrongType = await h.app.inject({
      method: 'POST',
      url: '/twilio/sms/incoming',
      headers: { 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(wrongType.statusCode).toBe(415);
  });
});

describe('voicemail', () => {
  it('opens one case per recorded message, even when Twilio retries the webhook', async () => {
    const sid = 'CA00000000000000000000000000000008';
    await h.twilioPost('/twilio/voice/incoming', call(sid, '+33612345678'));
    const recording = {
      CallSid: sid,
      AccountSid: h.settings.twilio.accountSid,
      From: '+33612345678',
      To: LINE,
      RecordingUrl: 'https://api.twilio.test/recordings/RE1',
      RecordingDuration: '12',
      RecordingSid: 'RE1',
    };
    const first = await h.twilioPost('/twilio/voice/recording', recording);
    expect(interpretTwiml(first.body).said).toEqual([
      'Merci, votre message est enregistré. Il sera traité dès que possible. Au revoir.',
    ]);
    await h.twilioPost('/twilio/voice/recording', recording);
    const contacts = await h.services.db.contact.findMany({
      where: { providerId: sid },
      include: { case: { include: { events: true } } },
    });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.case?.category).toBe('voicemail');
    expect(contacts[0]!.case?.events[0]?.data).toMatchObject({
      recordingUrl: 'https://api.twilio.test/recordings/RE1',
    });
  });

  it('records the trace of every call when it ends', async () => {
    const sid = 'CA00000000000000000000000000000009';
    await h.twilioPost('/twilio/voice/incoming', call(sid, '+33612345678'));
    const ended = await h.twilioPost('/twilio/voice/status', {
      ...call(sid, '+33612345678'),
      CallStatus: 'completed',
      CallDuration: '42',
    });
    expect(ended.statusCode).toBe(204);
    const contact = await h.services.db.contact.findUnique({ where: { providerId: sid } });
    // Hung up at the menu, before the flow identified them.
    expect(contact).toMatchObject({ direction: 'INBOUND', channel: 'PHONE', customerId: null });
    expect(contact?.details).toMatchObject({
      line: 'out-of-hours',
      status: 'completed',
      durationSeconds: 42,
      path: ['welcome', 'menu'],
    });
    expect(await h.services.callStates.get(sid)).toBeNull();
  });
});

describe('when a dependency fails mid-call', () => {
  it('takes a message, never an error, when PostgreSQL is unreachable mid-call', async () => {
    const broken = await startHarness({
      databaseUrl: 'postgresql://postgres@127.0.0.1:1/none',
      keepRedis: true,
    });
    try {
      const params = call('CA0000000000000000000000000000000a', '+33612345678');
      const welcome = await broken.twilioPost('/twilio/voice/incoming', params);
      expect(welcome.statusCode).toBe(200);
      // Identifying the caller needs the database (no phone index in this Redis): the flow's
      // fallback takes a message, which is kept in Redis until the database is back.
      const response = await broken.twilioPost('/twilio/voice/step?seq=1', { ...params, Digits: '2' });
      expect(response.statusCode).toBe(200);
      const heard = interpretTwiml(response.body);
      expect(heard.said[0]).toMatch(/^Après le bip/);
      expect(heard.next.kind).toBe('record');
      const ready = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'not_ready', postgres: false, redis: true });
    } finally {
      await broken.close();
    }
  });

  it('answers the apology and a voicemail when Redis goes away mid-call', async () => {
    const readersBefore = await adapterReaders();
    const other = await startHarness({ databaseUrl: h.settings.databaseUrl, keepRedis: true });
    try {
      // Let Socket.IO's Redis adapter finish connecting its own reader first: closing the client
      // while it connects makes the library reject a promise nobody awaits.
      await until(async () => (await adapterReaders()) > readersBefore);
      other.services.redis.destroy();
      const response = await other.twilioPost(
        '/twilio/voice/incoming',
        call('CA0000000000000000000000000000000b', '+33612345678'),
      );
      expect(response.statusCode).toBe(200);
      expect(interpretTwiml(response.body).said[0]).toMatch(/^Nous sommes désolés/);
      const metrics = await other.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/voice_fallbacks_total\{reason="incoming"\} 1/);
    } finally {
      await other.close();
    }
  });

  it('keeps a message recorded while PostgreSQL is away and files it once the database is back', async () => {
    const broken = await startHarness({
      databaseUrl: 'postgresql://postgres@127.0.0.1:1/none',
      keepRedis: true,
    });
    const sid = 'CA0000000000000000000000000000000c';
    try {
      const recording = {
        CallSid: sid,
        AccountSid: broken.settings.twilio.accountSid,
        From: '+33612345678',
        To: LINE,
        RecordingUrl: 'https://api.twilio.test/recordings/RE9',
        RecordingDuration: '20',
      };
      const response = await broken.twilioPost('/twilio/voice/recording', recording);
      // The caller is thanked, not asked to record again.
      expect(interpretTwiml(response.body)).toEqual({
        said: ['Merci, votre message est enregistré. Il sera traité dès que possible. Au revoir.'],
        next: { kind: 'hangup' },
      });
    } finally {
      await broken.close();
    }
    expect(await fileParkedVoicemails(h.services.db, h.services.redis, h.services.events)).toBe(1);
    const contact = await h.services.db.contact.findUnique({
      where: { providerId: sid },
      include: { case: { include: { events: true } } },
    });
    expect(contact?.case?.events[0]?.data).toMatchObject({
      recordingUrl: 'https://api.twilio.test/recordings/RE9',
    });
  });
});
