import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTimersWorker } from '../../src/follow-ups/timers.worker.js';
import { vacantTimers } from '../../src/follow-ups/vacant-housing.service.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { runTimerJob } from '../support/timer-jobs.js';

// Vacant housing (DOMAIN.md [DP-5]): a home left with no known successor gets a letter "to the
// new occupant" after 10 days and a field task to close the connection after 30, unless someone
// subscribes at the supply point meanwhile. The timers' jobs are promoted here to stand for the
// days passing, with the service's clock set to the day.

const START = at('2026-12-07T10:00'); // a Monday morning
const clock = runningFrom(START);
let h: Harness;
let agent: string;
let timers: Stoppable;

beforeAll(async () => {
  h = await startHarness({ clock });
  agent = await h.login('AGENT');
  timers = startTimersWorker(h.services);
});

afterAll(async () => {
  await timers.close();
  await h.close();
});

beforeEach(() => clock.set(START));

let made = 0;
/** A supply point whose customer has left, with their contract at an agency. */
async function leftHome() {
  made += 1;
  const n = String(made).padStart(3, '0');
  const db = h.services.db;
  const region = await db.region.create({ data: { code: `RV${n}`, name: 'Région' } });
  const agency = await db.agency.create({
    data: { code: `AV${n}`, name: `Agence ${n}`, regionId: region.id },
  });
  const leaver = await db.customer.create({
    data: {
      reference: `VAC${n}`,
      lastName: 'Petit',
      addressLine: `${n} rue Vide`,
      postcode: '69004',
      city: 'Lyon',
    },
  });
  const supplyPoint = await db.supplyPoint.create({
    data: {
      reference: `PDL-V${n}`,
      addressLine: `${n} rue Vide`,
      postcode: '69004',
      city: 'Lyon',
      customerId: leaver.id,
    },
  });
  await db.contract.create({
    data: {
      reference: `CTR-V${n}`,
      customerId: leaver.id,
      agencyId: agency.id,
      supplyPointId: supplyPoint.id,
      createdAt: at('2020-01-01T00:00'),
    },
  });
  return { agency, leaver, supplyPoint, n };
}

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

async function open(supplyPointId: string, previousCustomerId: string) {
  const response = await api('POST', '/api/vacant-housing', { supplyPointId, previousCustomerId });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { caseId: string; number: number };
}

const timerOf = (caseId: string, kind: string) =>
  h.services.db.followUpTimer.findUniqueOrThrow({ where: { caseId_kind: { caseId, kind } } });

const runJob = (timer: { id: string; dueAt: Date }) => runTimerJob(h.services.followUps, timer);

const vacancy = async (caseId: string) => (await api('GET', `/api/vacant-housing/${caseId}`)).json();

describe('[DP-5] vacant housing', () => {
  it('[DP-5] after 10 days a letter to the new occupant goes on the print list, after 30 a field task to close the connection', async () => {
    const { supplyPoint, leaver } = await leftHome();
    const { caseId } = await open(supplyPoint.id, leaver.id);
    const letter = await timerOf(caseId, 'vacant-letter');
    const task = await timerOf(caseId, 'vacant-field-task');
    expect(letter.dueAt).toEqual(at('2026-12-17T09:00'));
    expect(task.dueAt).toEqual(at('2027-01-06T09:00'));

    clock.set(at('2026-12-17T09:00'));
    await runJob(letter);
    const afterLetter = await vacancy(caseId);
    expect(afterLetter).toMatchObject({ letterDue: true, fieldTaskDue: false, status: 'OPEN' });
    expect(afterLetter.timers[0].data.letter).toMatchObject({
      to: 'Au nouvel occupant',
      address: expect.stringContaining('rue Vide'),
    });

    clock.set(at('2027-01-06T09:00'));
    await runJob(task);
    expect(await vacancy(caseId)).toMatchObject({ letterDue: true, fieldTaskDue: true });
  });

  it('[DP-5] a new subscription at the supply point ends the follow-up: no letter, no field task, the case closed', async () => {
    const { supplyPoint, leaver, agency, n } = await leftHome();
    const { caseId } = await open(supplyPoint.id, leaver.id);
    clock.set(at('2026-12-12T11:00'));
    const newcomer = await h.services.db.customer.create({
      data: {
        reference: `NEW${n}`,
        lastName: 'Nouveau',
        addressLine: `${n} rue Vide`,
        postcode: '69004',
        city: 'Lyon',
      },
    });
    const contract = await h.services.db.contract.create({
      data: {
        reference: `CTR-N${n}`,
        customerId: newcomer.id,
        agencyId: agency.id,
        supplyPointId: supplyPoint.id,
        createdAt: clock.now(),
      },
    });
    clock.set(at('2026-12-17T09:00'));
    await runJob(await timerOf(caseId, 'vacant-letter'));
    expect(await vacancy(caseId)).toMatchObject({
      letterDue: false,
      fieldTaskDue: false,
      status: 'CLOSED',
      subscribedContractId: contract.id,
    });
    expect((await timerOf(caseId, 'vacant-field-task')).state).toBe('CANCELLED');
  });

  it('[DP-5] the leaver’s own contract is not a new subscription; a second follow-up of the same home is refused', async () => {
    const { supplyPoint, leaver, agency, n } = await leftHome();
    const { caseId, number } = await open(supplyPoint.id, leaver.id);
    await h.services.db.contract.create({
      data: {
        reference: `CTR-L${n}`,
        customerId: leaver.id,
        agencyId: agency.id,
        supplyPointId: supplyPoint.id,
      },
    });
    clock.set(at('2026-12-17T09:00'));
    await runJob(await timerOf(caseId, 'vacant-letter'));
    expect(await vacancy(caseId)).toMatchObject({ letterDue: true, status: 'OPEN' });
    const again = await api('POST', '/api/vacant-housing', { supplyPointId: supplyPoint.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain(String(number));
    const unknown = await api('POST', '/api/vacant-housing', {
      supplyPointId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('[DP-5] counted in working days when the setting says so (Christmas and New Year skipped)', () => {
    const deps = {
      zone: 'Europe/Paris',
      calendar: h.services.calendar,
      settings: { ...h.services.followUps.settings, vacantDayCount: 'working' as const },
    };
    const [letter, task] = vacantTimers(at('2026-12-21T15:00'), deps, {
      timeZone: 'Europe/Paris',
      holidayCalendar: 'FR',
    });
    // 22, 23, 24, 28, 29, 30, 31 December, 4, 5, 6 January: the tenth working day.
    expect(letter!.dueAt).toEqual(at('2027-01-06T09:00'));
    expect(task!.dueAt).toEqual(at('2027-02-03T09:00'));
  });
});
