import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { followUpRoutes } from './follow-ups.routes.js';
import { type FollowUpsModuleSettings, readFollowUpSettings } from './follow-ups.settings.js';
import { startTimersWorker } from './timers.worker.js';
import { vacantHousingRoutes } from './vacant-housing.routes.js';
import { workListRoutes } from './work-lists.routes.js';

/** Case follow-ups: durable timers, customer departures, vacant housing (the maintenance worker sweeps the timers). */
export const followUpsModule = {
  name: 'follow-ups',
  readSettings: readFollowUpSettings,
  routes(app, services) {
    followUpRoutes(app, services);
    vacantHousingRoutes(app, services);
    workListRoutes(app, services);
  },
  async startWorkers(services) {
    return [startTimersWorker(services)];
  },
} satisfies CapabilityModule<Services, FollowUpsModuleSettings>;
