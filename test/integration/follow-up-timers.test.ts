import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fireTimer,
  scheduleTimers,
  setTimers,
  setTimersOfCases,
  sweepTimers,
  type Timer,
  type TimerHandler,
  type TimerPlan,
  timerJobId,
} from '../../src/follow-ups/timers.js';
import { at, stoppedAt } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// setTimersOfCases, the bulk path of the follow-up timers (one statement for many cases, as a
// bulk date change writes them: bench/timers.bench.ts), must leave the very rows setTimers leaves
// case by case, and its timers must schedule and fire as theirs do. No timers worker runs here:
// the jobs stay delayed until the test runs them.

const START = at('2026-12-07T10:00');
const clock = stoppedAt(START);
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ clock });
});

afterAll(async () => {
  await h.close();
});

let made = 0;
async function newCase(): Promise<string> {
  made += 1;
  const kase = await h.services.db.case.create({
    data: { category: 'departure', subject: `Départ signalé ${made}` },
    select: { id: true },
  });
  return kase.id;
}

const plan = (kind: string, local: string): TimerPlan => ({ kind, dueAt: at(local) });

/** The rows of a case as the service reads them, without what differs between two cases. */
async function rowsOf(caseId: string) {
  const rows = await h.services.db.followUpTimer.findMany({ where: { caseId }, orderBy: { kind: 'asc' } });
  return rows.map(({ id, kind, dueAt, state, firedAt, data }) => ({ id, kind, dueAt, state, firedAt, data }));
}
const withoutIds = (rows: Awaited<ReturnType<typeof rowsOf>>) => rows.map(({ id: _, ...row }) => row);

/** Brings a case's timers to each state a row can be in: fired (with data), cancelled, pending. */
async function afterALife(caseId: string) {
  await h.services.db.$transaction((tx) =>
    setTimers(tx, caseId, [
      plan('reminder', '2026-12-17T09:00'),
      plan('call', '2027-01-06T09:00'),
      plan('other', '2027-02-01T09:00'),
    ]),
  );
  await h.services.db.followUpTimer.update({
    where: { caseId_kind: { caseId, kind: 'reminder' } },
    data: { state: 'FIRED', firedAt: at('2026-12-17T09:00'), data: { messageId: 'm-1' } },
  });
  await h.services.db.followUpTimer.update({
    where: { caseId_kind: { caseId, kind: 'call' } },
    data: { state: 'CANCELLED', data: { cancelled: 'move cancelled' } },
  });
}

describe('setTimersOfCases, the bulk path of setTimers', () => {
  it('creates the rows setTimers creates, pending, not fired, no data, and returns them', async () => {
    const [one, bulk] = [await newCase(), await newCase()];
    const plans = [plan('reminder', '2026-12-17T09:00'), plan('call', '2027-01-06T09:00')];
    const bySetTimers = await h.services.db.$transaction((tx) => setTimers(tx, one, plans));
    const bySetTimersOfCases = await h.services.db.$transaction((tx) =>
      setTimersOfCases(tx, [{ caseId: bulk, plans }], clock.now()),
    );
    expect(withoutIds(await rowsOf(bulk))).toEqual(withoutIds(await rowsOf(one)));
    expect(withoutIds(await rowsOf(bulk))).toEqual([
      { kind: 'call', dueAt: at('2027-01-06T09:00'), state: 'PENDING', firedAt: null, data: {} },
      { kind: 'reminder', dueAt: at('2026-12-17T09:00'), state: 'PENDING', firedAt: null, data: {} },
    ]);
    // updatedAt is the service's time, as the rest of the bulk statement's (Prisma's is the wall clock).
    const updated = await h.services.db.followUpTimer.findMany({
      where: { caseId: bulk },
      select: { updatedAt: true },
    });
    expect(updated).toEqual([{ updatedAt: START }, { updatedAt: START }]);
    const sorted = (timers: Timer[]) => [...timers].sort((a, b) => a.kind.localeCompare(b.kind));
    expect(sorted(bySetTimersOfCases)).toEqual(
      (await rowsOf(bulk)).map(({ id, kind, dueAt }) => ({ id, caseId: bulk, kind, dueAt })),
    );
    expect(sorted(bySetTimers).map(({ id: _, caseId: __, ...t }) => t)).toEqual(
      sorted(bySetTimersOfCases).map(({ id: _, caseId: __, ...t }) => t),
    );
  });

  it('sets a fired or cancelled timer pending again at its new time, keeping its id, and leaves the other kinds alone', async () => {
    const [one, bulk] = [await newCase(), await newCase()];
    await afterALife(one);
    await afterALife(bulk);
    const before = await rowsOf(bulk);
    const plans = [plan('reminder', '2026-12-24T09:00'), plan('call', '2027-01-13T09:00')];
    await h.services.db.$transaction((tx) => setTimers(tx, one, plans));
    await h.services.db.$transaction((tx) => setTimersOfCases(tx, [{ caseId: bulk, plans }], clock.now()));
    const after = await rowsOf(bulk);
    expect(withoutIds(after)).toEqual(withoutIds(await rowsOf(one)));
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(withoutIds(after)).toEqual([
      { kind: 'call', dueAt: at('2027-01-13T09:00'), state: 'PENDING', firedAt: null, data: {} },
      { kind: 'other', dueAt: at('2027-02-01T09:00'), state: 'PENDING', firedAt: null, data: {} },
      { kind: 'reminder', dueAt: at('2026-12-24T09:00'), state: 'PENDING', firedAt: null, data: {} },
    ]);
  });

  it('many cases in one statement, each with its own times; a case and kind given twice: the last wins, as with setTimers', async () => {
    const cases = await Promise.all(Array.from({ length: 30 }, newCase));
    const untouched = await newCase();
    await h.services.db.$transaction((tx) =>
      setTimers(tx, untouched, [plan('reminder', '2026-12-20T09:00')]),
    );
    const timers = await h.services.db.$transaction((tx) =>
      setTimersOfCases(
        tx,
        [
          ...cases.map((caseId, i) => ({
            caseId,
            plans: [plan('reminder', `2026-12-${String(10 + (i % 15)).padStart(2, '0')}T09:00`)],
          })),
          {
            caseId: cases[0]!,
            plans: [plan('reminder', '2027-03-01T09:00'), plan('call', '2027-03-21T09:00')],
          },
        ],
        clock.now(),
      ),
    );
    expect(timers).toHaveLength(31);
    expect(withoutIds(await rowsOf(cases[0]!))).toEqual([
      { kind: 'call', dueAt: at('2027-03-21T09:00'), state: 'PENDING', firedAt: null, data: {} },
      { kind: 'reminder', dueAt: at('2027-03-01T09:00'), state: 'PENDING', firedAt: null, data: {} },
    ]);
    expect((await rowsOf(cases[29]!)).map((r) => r.dueAt)).toEqual([at('2026-12-24T09:00')]);
    expect((await rowsOf(untouched)).map((r) => r.dueAt)).toEqual([at('2026-12-20T09:00')]);

    // A case given twice in one call ends as setTimers leaves it given both plans in turn.
    const third = await newCase();
    const plans = [plan('reminder', '2026-12-17T09:00')];
    await h.services.db.$transaction((tx) =>
      setTimers(tx, third, [plan('reminder', '2026-12-01T09:00'), ...plans]),
    );
    const again = await newCase();
    await h.services.db.$transaction((tx) =>
      setTimersOfCases(
        tx,
        [
          { caseId: again, plans: [plan('reminder', '2026-12-01T09:00')] },
          { caseId: again, plans },
        ],
        clock.now(),
      ),
    );
    expect(withoutIds(await rowsOf(again))).toEqual(withoutIds(await rowsOf(third)));
  });

  it('writes nothing for no plans, and nothing when the transaction rolls back', async () => {
    expect(await h.services.db.$transaction((tx) => setTimersOfCases(tx, [], clock.now()))).toEqual([]);
    expect(
      await h.services.db.$transaction(async (tx) =>
        setTimersOfCases(tx, [{ caseId: await newCase(), plans: [] }], clock.now()),
      ),
    ).toEqual([]);
    const caseId = await newCase();
    await expect(
      h.services.db.$transaction(async (tx) => {
        await setTimersOfCases(tx, [{ caseId, plans: [plan('reminder', '2026-12-17T09:00')] }], clock.now());
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await rowsOf(caseId)).toEqual([]);
  });

  it('its timers get their delayed jobs once due within minutes; moved, an old job finds its row moved and the new one fires', async () => {
    const deps = h.services.followUps;
    const [first, second] = [await newCase(), await newCase()];
    const plansOf = (day: string) => [plan('reminder', `${day}T09:00`), plan('call', `${day}T18:00`)];
    const timers = await h.services.db.$transaction((tx) =>
      setTimersOfCases(
        tx,
        [
          { caseId: first, plans: plansOf('2026-12-17') },
          { caseId: second, plans: plansOf('2026-12-18') },
        ],
        clock.now(),
      ),
    );
    await scheduleTimers(deps, timers);
    // Days away: no job in Redis yet. Five minutes before its time, the sweep adds it.
    for (const timer of timers) expect(await deps.queue.getJob(timerJobId(timer))).toBeUndefined();
    const old = timers.find((t) => t.caseId === first && t.kind === 'reminder')!;
    clock.set(new Date(old.dueAt.getTime() - 5 * 60_000));
    await sweepTimers(deps);
    for (const later of timers.filter((t) => t !== old))
      expect(await deps.queue.getJob(timerJobId(later))).toBeUndefined();
    const job = await deps.queue.getJob(timerJobId(old));
    expect(job?.data).toEqual({ timerId: old.id, dueAt: old.dueAt.getTime() });
    expect(await job?.isDelayed()).toBe(true);

    // A bulk date change: both cases a week later; the old job stays, to find its row moved.
    const moved = await h.services.db.$transaction((tx) =>
      setTimersOfCases(
        tx,
        [
          { caseId: first, plans: plansOf('2026-12-24') },
          { caseId: second, plans: plansOf('2026-12-25') },
        ],
        clock.now(),
      ),
    );
    await scheduleTimers(deps, moved);
    expect(new Set(moved.map((t) => t.id))).toEqual(new Set(timers.map((t) => t.id)));
    for (const timer of moved) expect(await deps.queue.getJob(timerJobId(timer))).toBeUndefined();
    expect(await deps.queue.getJob(timerJobId(old))).toBeDefined();

    const fired: string[] = [];
    const handler: TimerHandler = async (_deps, _tx, timer) => {
      fired.push(timer.id);
      return { data: { handled: true }, after: async () => undefined };
    };
    const handlers = { reminder: handler, call: handler };
    const now = moved.find((t) => t.caseId === first && t.kind === 'reminder')!;
    clock.set(now.dueAt);
    expect(await fireTimer(deps, handlers, { timerId: old.id, dueAt: old.dueAt.getTime() })).toBe('gone');
    expect(await fireTimer(deps, handlers, { timerId: now.id, dueAt: now.dueAt.getTime() })).toBe('fired');
    expect(await fireTimer(deps, handlers, { timerId: now.id, dueAt: now.dueAt.getTime() })).toBe('gone');
    expect(fired).toEqual([now.id]);
    const row = await h.services.db.followUpTimer.findUniqueOrThrow({ where: { id: now.id } });
    expect(row).toMatchObject({ state: 'FIRED', firedAt: now.dueAt, data: { handled: true } });
  });
});
