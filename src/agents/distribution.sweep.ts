import type { Stoppable } from '../platform/queues.js';
import type { Services } from '../services.js';
import { distributionSweep } from './call-end.service.js';
import { distributionDeps } from './distribution.deps.js';

// Every second, one worker (whichever takes the tick's lock) expires the offers past their
// deadline, ends the wrap-ups past theirs and offers any call still waiting: the backstop of the
// offers the webhooks and the agents' clicks make at once.
const EVERY_MS = 1000;
const LOCK = 'lock:distribution-sweep';

export function startDistributionSweep(services: Services): Stoppable {
  const deps = distributionDeps(services);
  let running: Promise<unknown> | null = null;
  const tick = async () => {
    const mine = await services.redis.set(LOCK, String(process.pid), { NX: true, PX: EVERY_MS - 100 });
    if (mine !== 'OK') return;
    await distributionSweep(deps);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((err) => services.logger.error({ err }, 'distribution sweep failed'))
      .finally(() => {
        running = null;
      });
  }, EVERY_MS);
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
