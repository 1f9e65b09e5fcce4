import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepTimers } from '../../src/follow-ups/timers.js';
import { startTimersWorker } from '../../src/follow-ups/timers.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { runTimerJob } from '../support/timer-jobs.js';
import { until } from '../support/until.js';

// What agents record from the work lists (a call made, a field task done, letters printed) and
// how a departed customer's case ends with their contract [DP-4]: the contract import ends it,
// or a new subscription ends a vacant home's follow-up [DP-5], in the import's transaction.
// Some tasks are made due by their timer's job, others by setting the flag the timer sets.

const START = at('2026-12-07T10:00'); // a Monday morning
const START_OR_LATER = expect.any(Date);
const clock = runningFrom(START);
let h: Harness;
let timers: Stoppable;
let lyon: { id: string; code: string };
let grenoble: { id: string; code: string };
let agent: string;
let elsewhere: string;
let admin: string;

beforeAll(async () => {
  h = await startHarness({ clock });
  timers = startTimersWorker(h.services);
  const db = h.services.db;
  const region = await db.region.create({ data: { code: 'R-WLT', name: 'Région' } });
  lyon = await db.agency.create({ data: { code: 'WLT-LYO', name: 'Agence Lyon', regionId: region.id } });
  grenoble = await db.agency.create({
    data: { code: 'WLT-GRE', name: 'Agence Grenoble', regionId: region.id },
  });
  agent = await h.login('AGENT', { agencyId: lyon.id });
  elsewhere = await h.login('AGENT', { agencyId: grenoble.id });
  admin = await h.login('ADMIN');
});

afterAll(async () => {
  await timers.close();
  await h.close();
});

beforeEach(() => clock.set(START));

const api = (method: 'GET' | 'POST', url: string, payload?: object, token = agent) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

let made = 0;
/** A customer of Lyon with a contract at a supply point (and a mobile unless told). */
async function customerWithContract(options: { mobile?: boolean; endsOn?: Date } = {}) {
  made += 1;
  const n = String(made).padStart(3, '0');
  const db = h.services.db;
  const customer = await db.customer.create({
    data: {
      reference: `WLT${n}`,
      lastName: 'Martin',
      firstName: 'Léa',
      addressLine: `${n} rue du Départ`,
      postcode: '69003',
      city: 'Lyon',
      ...(options.mobile === false ? {} : { phones: { create: { e164: `+33650000${n}`, kind: 'MOBILE' } } }),
    },
  });
  const supplyPoint = await db.supplyPoint.create({
    data: {
      reference: `PDL-WLT${n}`,
      addressLine: `${n} rue du Départ`,
      postcode: '69003',
      city: 'Lyon',
      customerId: customer.id,
    },
  });
  const contract = await db.contract.create({
    data: {
      reference: `CT-WLT${n}`,
      customerId: customer.id,
      agencyId: lyon.id,
      supplyPointId: supplyPoint.id,
      createdAt: at('2020-01-01T00:00'),
      ...(options.endsOn ? { endsOn: options.endsOn } : {}),
    },
  });
  return { customer, supplyPoint, contract };
}

async function openDeparture(customerId: string, plannedDate = '2026-12-10') {
  const response = await api('POST', '/api/departures', { customerId, plannedDate, rented: false });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { caseId: string; number: number };
}

async function openVacancy(supplyPointId: string, previousCustomerId: string) {
  const response = await api('POST', '/api/vacant-housing', { supplyPointId, previousCustomerId });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { caseId: string; number: number };
}

/** Runs a timer's delayed job at `when` and waits until the worker is done with it. */
async function fire(caseId: string, kind: string, when: Date) {
  const timer = await h.services.db.followUpTimer.findUniqueOrThrow({
    where: { caseId_kind: { caseId, kind } },
  });
  clock.set(when);
  await runTimerJob(h.services.followUps, timer);
}

const lists = async (token = agent) => (await api('GET', '/api/work-lists', undefined, token)).json();
const kase = (id: string) => h.services.db.case.findUniqueOrThrow({ where: { id } });
const departure = (caseId: string) => h.services.db.departure.findUniqueOrThrow({ where: { caseId } });
const eventTypes = async (caseId: string) =>
  (await h.services.db.caseEvent.findMany({ where: { caseId }, orderBy: { at: 'asc' } })).map((e) => e.type);
const liveSince = async (id: string) => h.services.events.since(id, 1000);

async function eligibility(lines: string[]) {
  const header =
    'customer_ref;last_name;first_name;address;postcode;city;contract_ref;out_of_hours;on_call_type;agency;supply_point_ref;ends_on';
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/imports/eligibility',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv; charset=utf-8' },
    payload: `${[header, ...lines].join('\n')}\n`,
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().errors).toEqual([]);
  return response.json();
}

/** A line of the eligibility file for a customer made by customerWithContract. */
const lineOf = (n: { customer: { reference: string; addressLine: string } }, rest: string) =>
  `${n.customer.reference};Martin;Léa;${n.customer.addressLine};69003;Lyon;${rest}`;

describe('[DP-2] the departure call and its meter survey', () => {
  it('[DP-2] a departure call without answer puts a meter survey on the field-task list', async () => {
    const home = await customerWithContract();
    const { caseId, number } = await openDeparture(home.customer.id);
    await fire(caseId, 'departure-call', at('2027-01-09T09:00'));
    expect((await lists()).calls).toEqual([expect.objectContaining({ kind: 'departure', caseId })]);

    const before = await h.services.events.latestId();
    const done = await api('POST', `/api/work-lists/calls/${caseId}/outcome`, {
      kind: 'departure',
      outcome: 'no-answer',
      note: 'messagerie pleine',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ outcome: 'no-answer', fieldTask: 'meter-survey' });
    const after = await lists();
    expect(after.calls).toEqual([]);
    expect(after.fieldTasks).toEqual([
      expect.objectContaining({
        kind: 'meter-survey',
        caseId,
        caseNumber: number,
        supplyPoint: home.supplyPoint.reference,
        address: `${home.customer.addressLine}, 69003 Lyon`,
      }),
    ]);
    expect((await api('GET', '/api/work-lists/field-tasks.csv')).body).toContain(
      `meter-survey;${number};${home.supplyPoint.reference};`,
    );
    expect(await departure(caseId)).toMatchObject({ callDue: false, meterSurveyDue: true });
    const contacts = await h.services.db.contact.findMany({ where: { caseId, direction: 'OUTBOUND' } });
    expect(contacts).toEqual([
      expect.objectContaining({ channel: 'PHONE', summary: expect.stringContaining('sans réponse') }),
    ]);
    // The consoles refresh their lists on the live event, sent once committed.
    expect(await liveSince(before)).toEqual([
      expect.objectContaining({
        type: 'work-list.call-done',
        agencyId: lyon.id,
        data: expect.objectContaining({ caseId, outcome: 'no-answer', fieldTask: 'meter-survey' }),
      }),
    ]);
    // Recorded once: the call is no longer due.
    const again = await api('POST', `/api/work-lists/calls/${caseId}/outcome`, {
      kind: 'departure',
      outcome: 'reached',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('not_due');
  });

  it('[DP-2] a departure call that reached the customer leaves the list, traced as a contact, no field task', async () => {
    const home = await customerWithContract();
    const { caseId } = await openDeparture(home.customer.id);
    await h.services.db.departure.update({ where: { caseId }, data: { callDue: true } });
    const done = await api('POST', `/api/work-lists/calls/${caseId}/outcome`, {
      kind: 'departure',
      outcome: 'reached',
    });
    expect(done.json()).toEqual({ outcome: 'reached', fieldTask: null });
    expect(await departure(caseId)).toMatchObject({ callDue: false, meterSurveyDue: false });
    const mine = await lists();
    expect(mine.calls.filter((c: { caseId: string }) => c.caseId === caseId)).toEqual([]);
    expect(mine.fieldTasks.filter((c: { caseId: string }) => c.caseId === caseId)).toEqual([]);
    expect(
      await h.services.db.contact.count({ where: { caseId, channel: 'PHONE', direction: 'OUTBOUND' } }),
    ).toBe(1);
    expect(await eventTypes(caseId)).toContain('work-list.call-done');
  });

  it('[DP-2] [DP-4] the meter survey finds the customer gone: connection closed, case open until the contract is terminated, then closed by the contract import', async () => {
    const home = await customerWithContract();
    const { caseId } = await openDeparture(home.customer.id);
    await h.services.db.departure.update({ where: { caseId }, data: { meterSurveyDue: true } });
    const done = await api('POST', `/api/work-lists/field-tasks/${caseId}/done`, {
      kind: 'meter-survey',
      outcome: 'customer-gone',
      meterIndex: 1234,
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({
      kind: 'meter-survey',
      outcome: 'customer-gone',
      connectionClosed: true,
      caseStatus: 'OPEN',
      liabilityNotice: 'SMS',
    });
    expect(await departure(caseId)).toMatchObject({
      meterSurveyDue: false,
      meterIndex: 1234,
      connectionClosedAt: START_OR_LATER,
      departedAt: START_OR_LATER,
    });
    expect((await kase(caseId)).status).toBe('OPEN');
    expect((await lists()).fieldTasks.filter((t: { caseId: string }) => t.caseId === caseId)).toEqual([]);
    const notice = await h.services.db.message.findFirstOrThrow({
      where: { caseId, purpose: 'departure-liability' },
    });
    expect(notice).toMatchObject({ channel: 'SMS', to: expect.stringMatching(/^\+33650/) });
    expect(notice.body).toContain(`redevable du contrat ${home.contract.reference}`);

    // [DP-4] The weekly contract file says the contract ended today: the case closes with it.
    const before = await h.services.events.latestId();
    await eligibility([
      lineOf(home, `${home.contract.reference};non;;${lyon.code};${home.supplyPoint.reference};2026-12-07`),
    ]);
    expect(await kase(caseId)).toMatchObject({ status: 'CLOSED' });
    expect(
      (await h.services.db.contract.findUniqueOrThrow({ where: { id: home.contract.id } })).endsOn,
    ).toEqual(new Date('2026-12-07T00:00:00.000Z'));
    expect(await liveSince(before)).toEqual([
      expect.objectContaining({
        type: 'departure.closed',
        data: expect.objectContaining({
          caseId,
          reason: 'contract-terminated',
          contract: home.contract.reference,
        }),
      }),
    ]);
  });

  it('[DP-2] the meter survey finds the customer still there: they did not move, the case is closed as handled', async () => {
    const home = await customerWithContract();
    const { caseId } = await openDeparture(home.customer.id);
    await h.services.db.departure.update({ where: { caseId }, data: { meterSurveyDue: true } });
    const done = await api('POST', `/api/work-lists/field-tasks/${caseId}/done`, {
      kind: 'meter-survey',
      outcome: 'customer-present',
    });
    expect(done.json()).toMatchObject({ connectionClosed: false, caseStatus: 'CLOSED' });
    expect(await kase(caseId)).toMatchObject({ status: 'CLOSED' });
    expect(await departure(caseId)).toMatchObject({ departedAt: null, connectionClosedAt: null });
    expect(
      (await h.services.db.customer.findUniqueOrThrow({ where: { id: home.customer.id } })).departedAt,
    ).toBe(null);
    expect(await eventTypes(caseId)).toEqual(
      expect.arrayContaining(['work-list.field-task-done', 'departure.closed']),
    );
    expect(await h.services.db.followUpTimer.count({ where: { caseId, state: 'PENDING' } })).toBe(0);
  });
});

describe('[DP-5] the vacant home’s field task', () => {
  it('[DP-5] the connection closed by the field task ends the vacant-housing follow-up and closes its case', async () => {
    const home = await customerWithContract();
    const { caseId, number } = await openVacancy(home.supplyPoint.id, home.customer.id);
    await fire(caseId, 'vacant-letter', at('2026-12-17T09:00'));
    await fire(caseId, 'vacant-field-task', at('2027-01-06T09:00'));
    expect((await lists()).fieldTasks).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'close-connection', caseNumber: number })]),
    );
    const before = await h.services.events.latestId();
    const done = await api('POST', `/api/work-lists/field-tasks/${caseId}/done`, {
      kind: 'close-connection',
      outcome: 'customer-gone',
      meterIndex: 88,
      note: 'personne sur place',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ connectionClosed: true, caseStatus: 'CLOSED' });
    expect(await kase(caseId)).toMatchObject({ status: 'CLOSED' });
    expect(await h.services.db.vacantHousing.findUniqueOrThrow({ where: { caseId } })).toMatchObject({
      fieldTaskDue: false,
      letterDue: false,
      meterIndex: 88,
      connectionClosedAt: expect.any(Date),
    });
    const after = await lists();
    expect(after.fieldTasks.filter((t: { caseId: string }) => t.caseId === caseId)).toEqual([]);
    expect(after.letters.filter((t: { caseId: string }) => t.caseId === caseId)).toEqual([]);
    expect(await liveSince(before)).toEqual([
      expect.objectContaining({
        type: 'work-list.field-task-done',
        data: expect.objectContaining({ caseId }),
      }),
    ]);
  });

  it('[DP-5] an occupant found by the field task: the follow-up ends, the connection is left open', async () => {
    const home = await customerWithContract();
    const { caseId } = await openVacancy(home.supplyPoint.id, home.customer.id);
    await h.services.db.vacantHousing.update({ where: { caseId }, data: { fieldTaskDue: true } });
    const done = await api('POST', `/api/work-lists/field-tasks/${caseId}/done`, {
      kind: 'close-connection',
      outcome: 'customer-present',
    });
    expect(done.json()).toMatchObject({ connectionClosed: false, caseStatus: 'CLOSED' });
    expect(await h.services.db.vacantHousing.findUniqueOrThrow({ where: { caseId } })).toMatchObject({
      connectionClosedAt: null,
    });
  });
});

describe('letters printed', () => {
  it('[DP-2] [DP-5] printed letters leave the list, "courrier imprimé" on their case; those not due are reported', async () => {
    const a = await customerWithContract({ mobile: false });
    const b = await customerWithContract();
    const { caseId: departureCase } = await openDeparture(a.customer.id);
    const { caseId: vacantCase } = await openVacancy(b.supplyPoint.id, b.customer.id);
    const notDue = await openDeparture(b.customer.id);
    await fire(departureCase, 'departure-reminder', at('2026-12-20T09:00'));
    expect(await departure(departureCase)).toMatchObject({ letterDue: true });
    await h.services.db.vacantHousing.update({ where: { caseId: vacantCase }, data: { letterDue: true } });
    expect(
      (await lists()).letters.filter((l: { caseId: string }) =>
        [departureCase, vacantCase].includes(l.caseId),
      ),
    ).toHaveLength(2);

    const printed = await api('POST', '/api/work-lists/letters/printed', {
      items: [
        { caseId: departureCase, kind: 'departure-reminder' },
        { caseId: vacantCase, kind: 'new-occupant' },
        { caseId: notDue.caseId, kind: 'departure-reminder' },
        { caseId: vacantCase, kind: 'departure-reminder' },
      ],
    });
    expect(printed.statusCode, printed.body).toBe(200);
    expect(printed.json().printed).toBe(2);
    expect(printed.json().notDue).toEqual(
      expect.arrayContaining([
        { caseId: notDue.caseId, kind: 'departure-reminder' },
        { caseId: vacantCase, kind: 'departure-reminder' },
      ]),
    );
    expect(
      (await lists()).letters.filter((l: { caseId: string }) =>
        [departureCase, vacantCase].includes(l.caseId),
      ),
    ).toEqual([]);
    const entry = await h.services.db.caseEvent.findFirstOrThrow({
      where: { caseId: departureCase, type: 'work-list.letters-printed' },
    });
    expect(entry.data).toMatchObject({ kind: 'departure-reminder', summary: 'Courrier imprimé' });
    // Printed twice: nothing more to record.
    const again = await api('POST', '/api/work-lists/letters/printed', {
      items: [{ caseId: departureCase, kind: 'departure-reminder' }],
    });
    expect(again.json()).toEqual({
      printed: 0,
      notDue: [{ caseId: departureCase, kind: 'departure-reminder' }],
    });
  });
});

describe('bad input', () => {
  it('an unknown or invisible case is not found, a task not due is a conflict, a bad body is refused', async () => {
    const home = await customerWithContract();
    const { caseId } = await openDeparture(home.customer.id);
    const { caseId: vacantCase } = await openVacancy(home.supplyPoint.id, home.customer.id);
    const call = (id: string, body: object, token = agent) =>
      api('POST', `/api/work-lists/calls/${id}/outcome`, body, token);
    const field = (id: string, body: object, token = agent) =>
      api('POST', `/api/work-lists/field-tasks/${id}/done`, body, token);
    const reached = { kind: 'departure', outcome: 'reached' };

    expect((await call('00000000-0000-4000-8000-000000000000', reached)).statusCode).toBe(404);
    expect((await call('not-a-uuid', reached)).statusCode).toBe(404);
    expect((await call(caseId, reached)).statusCode).toBe(409); // no call due yet
    await h.services.db.departure.update({ where: { caseId }, data: { callDue: true } });
    // Another agency's agent does not see the case.
    expect((await call(caseId, reached, elsewhere)).statusCode).toBe(404);
    expect((await call(caseId, { kind: 'departure', outcome: 'maybe' })).statusCode).toBe(400);
    expect((await call(caseId, { kind: 'appointment-change', outcome: 'reached' })).statusCode).toBe(400);

    const gone = { kind: 'meter-survey', outcome: 'customer-gone' };
    expect((await field(caseId, gone)).statusCode).toBe(409); // no survey due
    // The wrong kind of task for the case: no such departure, no such vacant home.
    expect((await field(vacantCase, gone)).statusCode).toBe(404);
    expect((await field(caseId, { kind: 'close-connection', outcome: 'customer-gone' })).statusCode).toBe(
      404,
    );
    expect((await field(vacantCase, { kind: 'close-connection', outcome: 'customer-gone' })).statusCode).toBe(
      409,
    );
    expect((await field(caseId, { ...gone, meterIndex: -1 })).statusCode).toBe(400);
    expect((await field(caseId, { kind: 'repaint', outcome: 'customer-gone' })).statusCode).toBe(400);

    const letters = (body: object) => api('POST', '/api/work-lists/letters/printed', body);
    expect((await letters({ items: [] })).statusCode).toBe(400);
    expect((await letters({ items: [{ caseId: 'x', kind: 'new-occupant' }] })).statusCode).toBe(400);
    expect((await letters({ items: [{ caseId, kind: 'invoice' }] })).statusCode).toBe(400);
    // Another agency's letters are not theirs to mark printed.
    await h.services.db.departure.update({ where: { caseId }, data: { letterDue: true } });
    const theirs = await api(
      'POST',
      '/api/work-lists/letters/printed',
      { items: [{ caseId, kind: 'departure-reminder' }] },
      elsewhere,
    );
    expect(theirs.json()).toEqual({ printed: 0, notDue: [{ caseId, kind: 'departure-reminder' }] });
    expect(await departure(caseId)).toMatchObject({ letterDue: true, callDue: true });
  });
});

describe('[DP-4] a confirmed move closes the case once the contract is terminated', () => {
  it('[DP-4] a confirmed departure whose contract is already terminated closes the case at once', async () => {
    const home = await customerWithContract({ endsOn: new Date('2026-12-05T00:00:00.000Z') });
    const { caseId } = await openDeparture(home.customer.id);
    const confirmed = await api('POST', `/api/departures/${caseId}/confirmed`, {
      departedAt: at('2026-12-06T12:00').toISOString(),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ closed: true, liabilityNotice: null });
    expect(await kase(caseId)).toMatchObject({ status: 'CLOSED' });
    expect(await h.services.db.message.count({ where: { caseId, purpose: 'departure-liability' } })).toBe(0);
    expect(await eventTypes(caseId)).toEqual(
      expect.arrayContaining(['departure.confirmed', 'departure.closed']),
    );
  });

  it('[DP-4] confirmed with the contract running: the case stays open, the customer is told by e-mail they remain liable until it ends', async () => {
    const home = await customerWithContract();
    await h.services.db.customer.update({
      where: { id: home.customer.id },
      data: { email: 'lea@test.example' },
    });
    const { caseId } = await openDeparture(home.customer.id);
    const confirmed = await api('POST', `/api/departures/${caseId}/confirmed`, {
      departedAt: at('2026-12-07T08:00').toISOString(),
    });
    expect(confirmed.json()).toMatchObject({ closed: false, liabilityNotice: 'EMAIL' });
    expect(await kase(caseId)).toMatchObject({ status: 'OPEN' });
    const notice = await h.services.db.message.findFirstOrThrow({
      where: { caseId, purpose: 'departure-liability' },
    });
    expect(notice).toMatchObject({ channel: 'EMAIL', to: 'lea@test.example' });
    expect(notice.body).toContain('vous restez redevable');
    expect(notice.body).toContain('lundi 7 décembre 2026');
    expect(await eventTypes(caseId)).toContain('departure.liability-notice');
  });

  it('[DP-4] the contract import records an end day to come: the case closes on that day', async () => {
    const home = await customerWithContract();
    const { caseId } = await openDeparture(home.customer.id);
    await api('POST', `/api/departures/${caseId}/confirmed`, {
      departedAt: at('2026-12-07T08:00').toISOString(),
    });
    await eligibility([
      lineOf(home, `${home.contract.reference};non;;${lyon.code};${home.supplyPoint.reference};15/12/2026`),
    ]);
    expect(await kase(caseId)).toMatchObject({ status: 'OPEN' });
    const timer = await h.services.db.followUpTimer.findUniqueOrThrow({
      where: { caseId_kind: { caseId, kind: 'departure-contract-end' } },
    });
    expect(timer).toMatchObject({ state: 'PENDING', dueAt: at('2026-12-15T09:00') });

    // The day comes: the sweep adds the job, the worker closes the case.
    clock.set(at('2026-12-15T09:00'));
    await sweepTimers(h.services.followUps);
    await until(async () => (await kase(caseId)).status === 'CLOSED');
    expect(await eventTypes(caseId)).toContain('departure.closed');
  });
});

describe('[DP-5] a subscription in the contract import ends a vacant-housing follow-up', () => {
  it('[DP-5] a new contract at the supply point in the import closes the vacant-housing case and cancels its timers', async () => {
    const home = await customerWithContract();
    const { caseId } = await openVacancy(home.supplyPoint.id, home.customer.id);
    // The leaver's own contract, now given its supply point, is not a new subscription.
    await eligibility([
      lineOf(home, `${home.contract.reference};non;;${lyon.code};${home.supplyPoint.reference};`),
    ]);
    expect(await kase(caseId)).toMatchObject({ status: 'OPEN' });

    const before = await h.services.events.latestId();
    const report = await eligibility([
      `WLT-NEW${made};Nouveau;Paul;${home.customer.addressLine};69003;Lyon;CT-WLT-NEW${made};non;;${lyon.code};${home.supplyPoint.reference};`,
    ]);
    expect(report.entities.contracts.created).toBe(1);
    const contract = await h.services.db.contract.findUniqueOrThrow({
      where: { reference: `CT-WLT-NEW${made}` },
    });
    expect(await kase(caseId)).toMatchObject({ status: 'CLOSED' });
    expect(await h.services.db.vacantHousing.findUniqueOrThrow({ where: { caseId } })).toMatchObject({
      subscribedContractId: contract.id,
    });
    expect(await h.services.db.followUpTimer.count({ where: { caseId, state: 'PENDING' } })).toBe(0);
    expect(await liveSince(before)).toEqual([
      expect.objectContaining({
        type: 'vacant-housing.subscribed',
        data: expect.objectContaining({ caseId, contract: contract.reference, source: 'import' }),
      }),
    ]);
  });
});
