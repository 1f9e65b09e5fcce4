import { expect } from 'vitest';
import type { FollowUpDeps } from '../../src/follow-ups/follow-ups.deps.js';
import { sweepTimers, timerJobId } from '../../src/follow-ups/timers.js';
import { until } from './until.js';

/**
 * Runs a follow-up timer's job now that the test's clock is at its due time, as production
 * would: the sweep adds the jobs of the rows due (a timer days away had none), the job is
 * promoted rather than waited for, and this returns once the worker is done with it.
 */
export async function runTimerJob(deps: FollowUpDeps, timer: { id: string; dueAt: Date }): Promise<void> {
  await sweepTimers(deps);
  const job = await deps.queue.getJob(timerJobId(timer));
  expect(job, `job of timer ${timer.id}`).toBeDefined();
  if (await job!.isDelayed()) await job!.promote();
  await until(async () => !(await deps.queue.getJob(timerJobId(timer))));
}
