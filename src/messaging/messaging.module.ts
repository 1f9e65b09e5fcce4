import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { type MessagingModuleSettings, readMessagingSettings } from './messaging.settings.js';
import { startOutboxWorker } from './outbox.worker.js';
import { simulatorRoutes } from './simulator/simulator.routes.js';
import { smsRoutes } from './sms.routes.js';
import { templatesRoutes } from './templates.routes.js';

/** The SMS, call and e-mail gateway: outbox, templates, SMS webhooks, the simulator. */
export const messagingModule = {
  name: 'messaging',
  readSettings: readMessagingSettings,
  routes(app, services) {
    templatesRoutes(app, services);
    smsRoutes(app, services);
    if (services.simulator) simulatorRoutes(app, services, services.simulator);
  },
  async startWorkers(services) {
    return [startOutboxWorker(services)];
  },
} satisfies CapabilityModule<Services, MessagingModuleSettings>;
