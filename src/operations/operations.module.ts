import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { healthRoutes } from './health.routes.js';
import { startMaintenanceWorker } from './maintenance.worker.js';

/** Health, readiness and metrics; the periodic sweeps. */
export const operationsModule = {
  name: 'operations',
  routes: healthRoutes,
  async startWorkers(services) {
    const maintenance = startMaintenanceWorker(services);
    await maintenance.schedule();
    return [maintenance.worker];
  },
} satisfies CapabilityModule<Services>;
