import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/chromium.js';
import { openScreen, signIn, waitForConnection } from './support/console.js';
import { coveredCaller } from './support/demo-data.js';
import { TUESDAY_NIGHT } from './support/service.js';
import { simulator } from './support/simulator.js';
import { useService } from './support/suite.js';

// A night on the service line, rehearsed by the simulator against the running service (its clock
// set to a Tuesday night): a customer under contract calls, the technician on call does not
// answer twice, the regional manager is paged and accepts. The agent watching the console sees the
// case arrive in the list and each step of its paging in the live feed, without reloading.

const service = useService({
  clockStart: TUESDAY_NIGHT,
  // The test declines the technician's calls itself; no acknowledgement timeout may race it.
  env: { ONCALL_ACK_TIMEOUT_SECONDS: '120' },
});

describe('a night call', () => {
  it('shows the agent the case, its page attempts, the escalation and the acknowledgement as they happen', async () => {
    const { page } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    // A supervisor watches the on-call board from before the call: it must fill in on its own.
    const { page: board } = await launchBrowser(service().url);
    await signIn(board, 'supervisor');
    await waitForConnection(board, 'connected');
    await openScreen(board, 'oncall');
    await board.locator('#view-oncall [data-agency="AG-LYO"]').waitFor();
    const sim = simulator(service());

    const caller = await coveredCaller(service().db, 'AG-LYO');
    const call = await sim.nightCall(caller.phone);
    expect(call.said.join(' ')).toContain("Le technicien d'astreinte est prévenu");
    const kase = await service().db.case.findFirstOrThrow({ where: { customerId: caller.customerId } });

    // The case arrives in the agent's list on its own, and each step of its paging in the feed.
    await page.locator(`#cases [data-case-id="${kase.id}"]`).waitFor();
    const inFeed = (type: string) => page.locator('#events li code', { hasText: new RegExp(`^${type}$`) });
    await inFeed('page.attempt.started').first().waitFor();

    // On the board, the request appears under its agency with its first attempt to the technician.
    const onBoard = board.locator(`#view-oncall [data-agency="AG-LYO"] [data-page-case="${kase.number}"]`);
    const attempt = (n: number) => onBoard.locator(`[data-attempt="${n}"]`);
    await attempt(1).waitFor();
    expect(await attempt(1).getAttribute('data-target')).toBe('TECHNICIAN');

    const technician = await sim.ringingCall(1);
    await sim.decline(technician.sid, 'no-answer');
    await onBoard.locator('[data-attempt="1"][data-outcome="NO_ANSWER"]').waitFor();
    const again = await sim.ringingCall(2);
    expect(again.to).toBe(technician.to);
    await sim.decline(again.sid, 'no-answer');

    const manager = await sim.ringingCall(3);
    expect(manager.to).not.toBe(technician.to);
    await inFeed('page.escalated').waitFor();
    await screenshot(page, 'night-call-escalated');
    // Two failed attempts: the board shows the escalation to the regional manager, live.
    await onBoard.locator('[data-escalated-badge]').waitFor();
    await onBoard.locator('[data-attempt="2"][data-outcome="NO_ANSWER"]').waitFor();
    expect(await attempt(3).getAttribute('data-target')).toBe('MANAGER');
    expect(await onBoard.getAttribute('data-escalated')).toBe('true');
    await screenshot(board, 'oncall-board-escalated');

    const answered = await sim.answer(manager.sid);
    expect(answered.said.join(' ')).toContain('tapez 1');
    await sim.input(manager.sid, { digits: '1' });
    await inFeed('page.acknowledged').waitFor();
    expect(await inFeed('page.attempt.started').count()).toBe(3);
    expect(await inFeed('page.attempt.ended').count()).toBe(2);
    await screenshot(page, 'night-call-acknowledged');
    await board.locator(`[data-page-case="${kase.number}"][data-page-status="ACKNOWLEDGED"]`).waitFor();
    await onBoard.locator('[data-attempt="3"][data-outcome="ACCEPTED"]').waitFor();
    await screenshot(board, 'oncall-board-acknowledged');

    const paged = await service().db.page.findFirstOrThrow({
      where: { caseId: kase.id },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
    expect(paged.status).toBe('ACKNOWLEDGED');
    expect(paged.attempts.map((a) => [a.target, a.outcome])).toEqual([
      ['TECHNICIAN', 'NO_ANSWER'],
      ['TECHNICIAN', 'NO_ANSWER'],
      ['MANAGER', 'ACCEPTED'],
    ]);
  });
});
