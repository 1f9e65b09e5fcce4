import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { boardRoutes } from './board.routes.js';
import { type OnCallModuleSettings, readOnCallSettings } from './oncall.settings.js';
import { pagingRoutes } from './paging.routes.js';
import { startPagingWorker } from './paging.worker.js';

/** Out-of-hours on call: routing, paging and escalation, the on-call board (its files: oncall/imports). */
export const oncallModule = {
  name: 'oncall',
  readSettings: readOnCallSettings,
  routes(app, services) {
    pagingRoutes(app, services);
    boardRoutes(app, services);
  },
  async startWorkers(services) {
    return [startPagingWorker(services)];
  },
} satisfies CapabilityModule<Services, OnCallModuleSettings>;
