import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { GAP_HORIZON_DAYS } from '../../src/oncall/board-schedule.js';
import type { OnCallBoard } from '../../src/oncall/oncall.schemas.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import { maskPhone } from '../../src/platform/logger.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency } from '../support/oncall-fixture.js';
import { callStatus, pressOnPage } from '../support/paged-phone.js';
import { PhoneCall } from '../support/phone-call.js';
import { createTwilioApi, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// The on-call board (GET /api/oncall/board) while a real night call goes through the signed
// webhooks: the page, its attempts and their outcomes, the escalation to the regional manager and
// who took the request; tonight's staff; rota gaps ahead; and each agent seeing only their agency.

const LINE = '+33970000001';
const twilioApi = createTwilioApi();
const ENV = {
  ...TWILIO_TEST_ENV,
  ONCALL_RETRY_DELAY_SECONDS: '0',
  // The second attempt is left unacknowledged: the manager takes over after this.
  ONCALL_ACK_TIMEOUT_SECONDS: '3',
  ONCALL_MANAGER_MAX_ATTEMPTS: '2',
};

// The injected clock runs from Tuesday 22:30 in Paris, at real speed (delays stay real).
const clock = runningFrom(at('2026-11-24T22:30'));

let h: Harness;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({ clock, env: ENV });
  workers.push(startPagingWorker(h.services), startOutboxWorker(h.services));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await h.close();
  twilioApi.close();
});

const callsTo = (mobile: string) => twilioApi.calls.filter((c) => c.to === mobile);

/** The board as sent: instants as ISO strings (the response schema's type). */
type Board = OnCallBoard;

async function board(token: string): Promise<Board> {
  const response = await h.app.inject({
    method: 'GET',
    url: '/api/oncall/board',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode).toBe(200);
  return response.json() as Board;
}

const agencyOn = (b: Board, agencyId: string) => b.agencies.find((a) => a.id === agencyId);
const pageOn = async (token: string, agencyId: string, caseNumber: number) =>
  agencyOn(await board(token), agencyId)?.pages.find((p) => p.caseNumber === caseNumber);

/** An agent attached to an agency. */
const agentOf = (agencyId: string) => h.login('AGENT', { agencyId });

/** A caller on the out-of-hours line: breakdown, a description of the fault, hang-up. */
async function nightCall(from: string): Promise<number> {
  const call = new PhoneCall(h, from, LINE);
  await call.dial();
  await call.press('2');
  await call.confirmAddress();
  await call.record(25);
  await call.hangUp();
  const contact = await h.services.db.contact.findUniqueOrThrow({
    where: { providerId: call.sid },
    select: { case: { select: { number: true } } },
  });
  return contact.case!.number;
}

const MASKED = /^\+33\d\*+\d{2}$/;

describe('the on-call board', () => {
  let agency: AgencyFixture;
  let other: AgencyFixture;
  let supervisor: string;
  let caseNumber: number;

  beforeAll(async () => {
    agency = await createAgency(h.services.db);
    other = await createAgency(h.services.db);
    supervisor = await h.login('SUPERVISOR');
  });

  it('shows tonight’s technician and regional manager, with their mobiles masked', async () => {
    const shown = agencyOn(await board(supervisor), agency.agencyId)!;
    expect(shown.onCall).toHaveLength(1);
    const [individual] = shown.onCall;
    // Tuesday 22:30: inside Tuesday 18:00 to Wednesday 08:00.
    expect(individual!).toMatchObject({
      onCallType: 'individual',
      period: { start: '2026-11-24T17:00:00.000Z', end: '2026-11-25T07:00:00.000Z', current: true },
      technicianNow: {
        id: agency.technician.id,
        name: 'Paul Durand',
        mobile: maskPhone(agency.technician.mobile),
      },
    });
    expect(individual!.technicians.map((t) => t.name)).toEqual(['Paul Durand']);
    expect(shown.region.managerNow).toMatchObject({ id: agency.manager.id, name: 'Claire Roux' });
    expect(shown.region.managers.map((m) => m.name)).toEqual(['Claire Roux']);
    for (const mobile of [individual!.technicianNow!.mobile, shown.region.managerNow!.mobile]) {
      expect(mobile).toMatch(MASKED);
    }
    expect(JSON.stringify(shown)).not.toContain(agency.technician.mobile);
    expect(shown.rotaGaps).toEqual([]);
    expect(shown.region.managerGaps).toEqual([]);
  });

  it('[ON-9] follows a night call: each attempt and its outcome, the escalation to the regional manager, who took it', async () => {
    caseNumber = await nightCall(agency.callers.covered);
    const first = await until(async () => callsTo(agency.technician.mobile)[0]);
    const paging = await pageOn(supervisor, agency.agencyId, caseNumber);
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { number: caseNumber } });
    expect(paging).toMatchObject({
      caseNumber,
      subject: kase.subject,
      urgency: kase.urgency,
      status: 'PAGING',
      decision: 'page-now',
      escalatedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    expect(paging!.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        target: 'TECHNICIAN',
        name: 'Paul Durand',
        mobile: maskPhone(agency.technician.mobile),
        outcome: 'PENDING',
        endedAt: null,
      }),
    ]);

    // No answer, then no acknowledgement in time: the regional manager takes over.
    await callStatus(h, first, 'no-answer');
    await until(async () => callsTo(agency.technician.mobile)[1]);
    const managerCall = await until(async () => callsTo(agency.manager.mobile)[0]);
    const escalated = await pageOn(supervisor, agency.agencyId, caseNumber);
    expect(escalated).toMatchObject({ status: 'PAGING', escalationReason: 'failed-attempts' });
    expect(escalated!.escalatedAt).toBeTruthy();
    expect(escalated!.attempts.map((a) => [a.number, a.target, a.name, a.outcome])).toEqual([
      [1, 'TECHNICIAN', 'Paul Durand', 'NO_ANSWER'],
      [2, 'TECHNICIAN', 'Paul Durand', 'NO_ACK'],
      [3, 'MANAGER', 'Claire Roux', 'PENDING'],
    ]);
    expect(escalated!.attempts[0]!.endedAt).toBeTruthy();

    expect(await pressOnPage(h, managerCall, '1')).toContain('vous est confiée');
    const taken = await pageOn(supervisor, agency.agencyId, caseNumber);
    expect(taken).toMatchObject({
      status: 'ACKNOWLEDGED',
      escalationReason: 'failed-attempts',
      acknowledgedBy: { target: 'MANAGER', name: 'Claire Roux' },
    });
    expect(taken!.acknowledgedAt).toBeTruthy();
    expect(taken!.attempts.at(-1)).toMatchObject({
      target: 'MANAGER',
      outcome: 'ACCEPTED',
      mobile: expect.stringMatching(MASKED),
    });
  });

  it('shows an agent only their own agency’s board; supervisors see every agency', async () => {
    const ofOther = await board(await agentOf(other.agencyId));
    expect(ofOther.agencies.map((a) => a.id)).toEqual([other.agencyId]);
    expect(ofOther.agencies[0]!.pages).toEqual([]);
    expect(JSON.stringify(ofOther)).not.toContain(`"caseNumber":${caseNumber}`);

    const ofAgency = await board(await agentOf(agency.agencyId));
    expect(ofAgency.agencies.map((a) => a.id)).toEqual([agency.agencyId]);
    expect(ofAgency.agencies[0]!.pages.map((p) => p.caseNumber)).toContain(caseNumber);

    const all = (await board(supervisor)).agencies.map((a) => a.id);
    expect(all).toEqual(expect.arrayContaining([agency.agencyId, other.agencyId]));
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/oncall/board' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lists the rota gaps ahead within the agency’s on-call hours', async () => {
    // On call until Thursday 08:00 only: Thursday night onwards nobody is on the rota.
    const gappy = await createAgency(h.services.db, {
      rota: { startsAt: new Date('2026-11-16T07:00:00Z'), endsAt: new Date('2026-11-26T07:00:00Z') },
    });
    const shown = agencyOn(await board(supervisor), gappy.agencyId)!;
    expect(shown.rotaGaps[0]).toEqual({
      onCallType: 'individual',
      start: '2026-11-26T17:00:00.000Z', // Thursday 18:00 in Paris
      end: '2026-11-27T07:00:00.000Z', // Friday 08:00
    });
    // Friday night runs into Saturday's day-time on-call: one gap.
    expect(shown.rotaGaps[1]).toMatchObject({
      start: '2026-11-27T17:00:00.000Z',
      end: '2026-11-28T19:00:00.000Z',
    });
    // Tonight is still covered.
    expect(shown.onCall[0]!.technicianNow?.name).toBe('Paul Durand');
  });

  it('shows a region without a regional manager, and a page that reached nobody', async () => {
    const deserted = await createAgency(h.services.db, { rota: null });
    const { regionId } = await h.services.db.agency.findUniqueOrThrow({ where: { id: deserted.agencyId } });
    await h.services.db.managerRota.deleteMany({ where: { regionId } });

    const number = await nightCall(deserted.callers.covered);
    const unreached = await until(async () => {
      const page = await pageOn(supervisor, deserted.agencyId, number);
      return page?.status === 'UNREACHED' && page;
    });
    expect(unreached).toMatchObject({ escalationReason: 'rota-gap', attempts: [], acknowledgedBy: null });

    const shown = (await board(supervisor)).agencies.find((a) => a.id === deserted.agencyId)!;
    expect(shown.region.managerNow).toBeNull();
    expect(shown.region.managerGaps).toHaveLength(1);
    // The whole horizon, from now.
    const [gap] = shown.region.managerGaps;
    expect(new Date(gap!.end).getTime() - new Date(gap!.start).getTime()).toBe(
      GAP_HORIZON_DAYS * 24 * 3600 * 1000,
    );
    expect(shown.onCall[0]!.technicianNow).toBeNull();
    // Nobody on the rota at all: tonight's period is a gap from now.
    expect(new Date(shown.rotaGaps[0]!.end)).toEqual(new Date('2026-11-25T07:00:00Z'));
  });
});
