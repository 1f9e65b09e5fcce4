import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createAgency } from '../support/oncall-fixture.js';
import { until } from '../support/until.js';

// The demo's night: a call placed from the simulator panel pages the on-call technician, whose
// simulated phone rings in the panel; the panel answers as the technician, or lets the voicemail
// take it. Everything goes through the real signed webhooks.

let h: Harness;
let agent: string;
let workers: Stoppable[];

beforeAll(async () => {
  h = await startHarness({
    clock: runningFrom(at('2026-11-24T22:30')), // Tuesday night in Paris
    env: { ONCALL_RETRY_DELAY_SECONDS: '0', ONCALL_RING_TIMEOUT_SECONDS: '5' },
    // The simulated phone reports "no answer" over HTTP, as to a real deployment.
    listenOnPublicUrl: true,
  });
  agent = await h.login('AGENT');
  workers = [startPagingWorker(h.services), startOutboxWorker(h.services)];
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await h.close();
});

const post = (url: string, payload?: object) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

async function callsTo(mobile: string) {
  const items = (
    await h.app.inject({
      method: 'GET',
      url: '/api/simulator/outbound',
      headers: { authorization: `Bearer ${agent}` },
    })
  ).json() as Array<{ sid: string; kind: string; to: string; status: string }>;
  return items.filter((i) => i.kind === 'call' && i.to === mobile);
}

async function ringingFor(mobile: string, count: number) {
  return until(async () => {
    const calls = await callsTo(mobile);
    return calls.length >= count && calls.find((c) => c.status === 'ringing');
  });
}

async function nightCallFrom(caller: string) {
  const started = (await post('/api/simulator/calls', { from: caller, to: '+33970000001' })).json() as {
    sid: string;
  };
  await post(`/api/simulator/calls/${started.sid}/input`, { digits: '2' });
  await post(`/api/simulator/calls/${started.sid}/input`, { digits: '1' }); // the address read back is right
  await post(`/api/simulator/calls/${started.sid}/input`, { message: 'Plus de chauffage ni d’eau chaude.' });
}

describe('paging in the simulator', () => {
  it('rings the technician in the panel; the voicemail takes the first call, the technician accepts the second', async () => {
    const agency = await createAgency(h.services.db);
    await nightCallFrom(agency.callers.covered);

    const first = await ringingFor(agency.technician.mobile, 1);
    const voicemail = (
      await post(`/api/simulator/outbound/${first.sid}/decline`, { outcome: 'machine' })
    ).json() as { said: string[] };
    expect(voicemail.said.join(' ')).toMatch(/Répondez OK \d{4} par SMS/);

    const second = await ringingFor(agency.technician.mobile, 2);
    const answered = (await post(`/api/simulator/outbound/${second.sid}/answer`)).json() as {
      sid: string;
      said: string[];
    };
    expect(answered.said.join(' ')).toContain('Pour prendre en charge cette demande, tapez 1');
    const accepted = (await post(`/api/simulator/calls/${answered.sid}/input`, { digits: '1' })).json() as {
      said: string[];
    };
    expect(accepted.said[0]).toMatch(/vous est confiée/);

    const page = await h.services.db.page.findFirstOrThrow({
      where: { agencyId: agency.agencyId },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
    expect(page.status).toBe('ACKNOWLEDGED');
    expect(page.attempts.map((a) => a.outcome)).toEqual(['MACHINE', 'ACCEPTED']);
  });

  it('ends a page call nobody answers in the panel after the ring timeout, and calls the technician again', async () => {
    const agency = await createAgency(h.services.db);
    await nightCallFrom(agency.callers.covered);

    const first = await ringingFor(agency.technician.mobile, 1);
    // Nobody touches the panel: after 5 s of ringing the call ends as Twilio's would.
    await until(async () => {
      const call = (await callsTo(agency.technician.mobile)).find((c) => c.sid === first.sid);
      return call?.status === 'no-answer' && call;
    });
    const again = await ringingFor(agency.technician.mobile, 2);
    expect(again.sid).not.toBe(first.sid);

    const page = await h.services.db.page.findFirstOrThrow({
      where: { agencyId: agency.agencyId },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
    expect(page.attempts[0]).toMatchObject({ number: 1, target: 'TECHNICIAN', outcome: 'NO_ANSWER' });
    expect(page.attempts[1]).toMatchObject({ number: 2, target: 'TECHNICIAN' });
    // The panel can no longer pick up the call that rang out.
    expect((await post(`/api/simulator/outbound/${first.sid}/answer`)).statusCode).toBe(409);
  });
});
