import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTimersWorker } from '../../src/follow-ups/timers.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { runTimerJob } from '../support/timer-jobs.js';

// The agents' work lists: what the follow-up timers and the other capabilities leave due on the
// cases of the agent's agency, over the api and as CSV files, changing as the timers fire.

const clock = runningFrom(at('2026-12-07T10:00'));
let h: Harness;
let timers: Stoppable;

beforeAll(async () => {
  h = await startHarness({ clock });
  timers = startTimersWorker(h.services);
});

afterAll(async () => {
  await timers.close();
  await h.close();
});

async function agencyWithHome(code: string) {
  const db = h.services.db;
  const region = await db.region.create({ data: { code: `R-${code}`, name: 'Région' } });
  const agency = await db.agency.create({ data: { code, name: `Agence ${code}`, regionId: region.id } });
  const leaver = await db.customer.create({
    data: {
      reference: `C-${code}`,
      lastName: 'Petit',
      addressLine: '4 rue Vide',
      postcode: '69004',
      city: 'Lyon',
    },
  });
  const supplyPoint = await db.supplyPoint.create({
    data: {
      reference: `PDL-${code}`,
      addressLine: '4 rue Vide',
      postcode: '69004',
      city: 'Lyon',
      customerId: leaver.id,
    },
  });
  await db.contract.create({
    data: {
      reference: `CTR-${code}`,
      customerId: leaver.id,
      agencyId: agency.id,
      supplyPointId: supplyPoint.id,
      createdAt: at('2020-01-01T00:00'),
    },
  });
  return { agency, leaver, supplyPoint };
}

async function fire(caseId: string, kind: string, when: Date) {
  const timer = await h.services.db.followUpTimer.findUniqueOrThrow({
    where: { caseId_kind: { caseId, kind } },
  });
  clock.set(when);
  await runTimerJob(h.services.followUps, timer);
}

/** An ISO instant in the same minute (the test's clock runs on from where it is set). */
const sameMinute = (instant: Date) =>
  expect.stringMatching(new RegExp(`^${instant.toISOString().slice(0, 16)}`));

describe('work lists', () => {
  it('[DP-5] a vacant home’s letter and field task appear on its agency’s lists as their timers fire, and in the CSV files', async () => {
    const lyon = await agencyWithHome('WL-LYO');
    const other = await agencyWithHome('WL-GRE');
    const agent = await h.login('AGENT', { agencyId: lyon.agency.id });
    const elsewhere = await h.login('AGENT', { agencyId: other.agency.id });
    const get = (token: string, url: string) =>
      h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const opened = await h.app.inject({
      method: 'POST',
      url: '/api/vacant-housing',
      headers: { authorization: `Bearer ${agent}` },
      payload: { supplyPointId: lyon.supplyPoint.id, previousCustomerId: lyon.leaver.id },
    });
    const { caseId, number } = opened.json() as { caseId: string; number: number };
    expect((await get(agent, '/api/work-lists')).json().letters).toEqual([]);

    await fire(caseId, 'vacant-letter', at('2026-12-17T09:00'));
    const lists = (await get(agent, '/api/work-lists')).json();
    expect(lists.letters).toEqual([
      expect.objectContaining({
        kind: 'new-occupant',
        caseNumber: number,
        addressee: 'Au nouvel occupant',
        address: '4 rue Vide, 69004 Lyon',
        // Due since its timer fired, by the service's clock.
        since: sameMinute(at('2026-12-17T09:00')),
      }),
    ]);
    expect(lists.fieldTasks).toEqual([]);
    const csv = await get(agent, '/api/work-lists/letters.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain(`new-occupant;${number};Au nouvel occupant;4 rue Vide, 69004 Lyon;`);
    // Another agency's agent does not see it.
    expect((await get(elsewhere, '/api/work-lists')).json().letters).toEqual([]);

    await fire(caseId, 'vacant-field-task', at('2027-01-06T09:00'));
    expect((await get(agent, '/api/work-lists')).json().fieldTasks).toEqual([
      expect.objectContaining({
        kind: 'close-connection',
        caseNumber: number,
        supplyPoint: 'PDL-WL-LYO',
        since: sameMinute(at('2027-01-06T09:00')),
      }),
    ]);
    expect((await get(agent, '/api/work-lists/field-tasks.csv')).body).toContain(
      `close-connection;${number};PDL-WL-LYO;`,
    );
  });

  it('[CS-4] calls owed (a holding reply by phone) and cases past their deadline are listed', async () => {
    const { agency } = await agencyWithHome('WL-ANN');
    const agent = await h.login('AGENT', { agencyId: agency.id });
    clock.set(at('2026-12-07T10:00'));
    const late = await h.services.db.case.create({
      data: {
        category: 'billing',
        subject: 'Facture contestée',
        agencyId: agency.id,
        dueAt: at('2026-12-04T12:00'),
        holdingCallDue: true,
        holdingReplyAt: at('2026-12-03T12:00'),
      },
    });
    const lists = (
      await h.app.inject({
        method: 'GET',
        url: '/api/work-lists',
        headers: { authorization: `Bearer ${agent}` },
      })
    ).json();
    expect(lists.calls).toEqual([expect.objectContaining({ kind: 'holding-reply', caseId: late.id })]);
    expect(lists.overdue).toEqual([
      expect.objectContaining({ caseId: late.id, dueAt: at('2026-12-04T12:00').toISOString() }),
    ]);
    const unknown = await h.app.inject({
      method: 'GET',
      url: '/api/work-lists/nothing.csv',
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(unknown.statusCode).toBe(400);
  });
});
