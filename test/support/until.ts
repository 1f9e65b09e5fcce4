import type { Queue } from 'bullmq';

// Tests wait for the state they assert, never for a fixed time: a loaded machine only makes them
// slower. The bound is generous, since it is only reached when something is wrong.
const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Polls `probe` until it returns something truthy (a worker, a callback, a socket did its part).
 * On timeout the error names what was awaited: `what`, or the probe's own source.
 */
export async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  what = describe(probe),
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const describe = (probe: () => unknown) => String(probe).replace(/\s+/g, ' ').slice(0, 200);

/**
 * Waits until these queues have nothing waiting or running, and no delayed job due within
 * `horizonMs` (none by default: what is due now): whatever their workers were going to do by
 * then has been done. What a test then
 * finds is final, so it can assert that something did NOT happen (no second page, no reminder
 * after the answer) without sleeping. Jobs due later (a page deferred to the next morning) are
 * not waited for.
 */
export async function drained(queues: Queue[], horizonMs = 0): Promise<void> {
  const idle = async (queue: Queue) => {
    const busy = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(busy).some((n) => n > 0)) return false;
    // BullMQ schedules by the real time, not by the service's clock.
    const soon = Date.now() + horizonMs;
    return (await queue.getDelayed()).every((job) => job.timestamp + (job.opts.delay ?? 0) > soon);
  };
  await until(
    async () => (await Promise.all(queues.map(idle))).every(Boolean),
    DEFAULT_TIMEOUT_MS,
    `queues ${queues.map((q) => q.name).join(', ')} drained`,
  );
}
