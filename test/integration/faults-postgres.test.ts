import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileParkedCallEnds, fileParkedVoicemails } from '../../src/ivr/voicemail.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';

// PostgreSQL goes away while a night call comes in (issue 20's fault injection): the service
// reaches it through a proxy this test owns and cuts, never the server other tests share. The
// caller hears no error (an apology and the voicemail), their message waits in Redis, /readyz
// says not ready, the fault is logged and counted; once PostgreSQL is back the message is filed
// on a case, once, and so is the call's end.

const LINE = '+33970000001';
const logged: string[] = [];
let database: TestDatabase;
let proxy: TcpProxy;
let h: Harness;
let agency: AgencyFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
  const throughProxy = new URL(database.url);
  throughProxy.host = `127.0.0.1:${proxy.port}`;
  h = await startHarness({
    databaseUrl: throughProxy.toString(),
    clock: runningFrom(at('2026-11-24T22:30')),
    // Short action deadline: a database that does not answer must not hold the caller.
    env: { IVR_ACTION_TIMEOUT_MS: '1500' },
    logger: createLogger('info', { write: (line: string) => logged.push(line) }),
  });
  agency = await createAgency(h.services.db);
});

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await database?.drop();
});

const readiness = async () => (await h.app.inject({ method: 'GET', url: '/readyz' })).json();
const fallbacks = async () => {
  const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
  return [...text.matchAll(/^voice_fallbacks_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
};

describe('PostgreSQL unreachable while a night call comes in', () => {
  it('apologises and takes the message, says not ready, logs and counts it, and files the message once back', async () => {
    const before = await fallbacks();
    proxy.cut();
    expect(await readiness()).toEqual({ status: 'not_ready', postgres: false, redis: true });

    const call = new PhoneCall(h, agency.callers.covered, LINE);
    const heard = [await call.dial()];
    // Whatever the flow can still do, the caller ends up leaving a message.
    for (let step = 0; step < 5 && call.heard.next.kind === 'gather'; step++)
      heard.push(await call.press('2'));
    expect(call.heard.next.kind).toBe('record');
    heard.push(await call.record(30));
    expect(call.heard.next.kind).toBe('hangup');
    const said = heard.flatMap((answer) => answer.said).join(' ');
    expect(said).not.toMatch(/erreur|error/i);
    expect(said).toContain('message');
    // Twilio reports the call's end: its trace is parked, its state in Redis ends.
    const ended = await h.twilioPost('/twilio/voice/status', {
      CallSid: call.sid,
      From: agency.callers.covered,
      To: LINE,
      CallStatus: 'completed',
      CallDuration: '64',
    });
    expect(ended.statusCode).toBe(204);
    expect(await h.services.callStates.get(call.sid)).toBeNull();

    expect(await fallbacks()).toBeGreaterThan(before);
    expect(logged.some((line) => line.includes('voicemail not filed'))).toBe(true);

    proxy.restore();
    await until(async () => (await readiness()).status === 'ready', 20_000, 'ready again');
    expect(await fileParkedVoicemails(h.services.db, h.services.redis, h.services.events)).toBe(1);
    expect(await fileParkedCallEnds(h.services.db, h.services.redis)).toBe(1);
    expect(await fileParkedVoicemails(h.services.db, h.services.redis, h.services.events)).toBe(0);
    expect(await fileParkedCallEnds(h.services.db, h.services.redis)).toBe(0);
    const contact = await h.services.db.contact.findUniqueOrThrow({ where: { providerId: call.sid } });
    // The call's trace: how it ended, as Twilio said while PostgreSQL was away.
    expect(contact.details).toMatchObject({ status: 'completed', durationSeconds: 64 });
    const events = await h.services.db.caseEvent.findMany({ where: { caseId: contact.caseId! } });
    expect(events.filter((e) => e.type === 'voicemail.recorded')).toHaveLength(1);
  }, 60_000);
});
