import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { billingHoldsRoutes } from './billing-holds.routes.js';
import { caseActionRoutes } from './case-actions.routes.js';
import { casesRoutes } from './cases.routes.js';
import { type CasesModuleSettings, readCasesSettings } from './cases.settings.js';
import { contactFormRoutes } from './contact-form.routes.js';
import { supervisionRoutes } from './supervision.routes.js';

/** The shared case store: cases, the agents' actions on them, deadlines, supervision. */
export const casesModule = {
  name: 'cases',
  readSettings: readCasesSettings,
  routes(app, services) {
    casesRoutes(app, services);
    caseActionRoutes(app, services);
    supervisionRoutes(app, services);
    billingHoldsRoutes(app, services);
    contactFormRoutes(app, services);
  },
} satisfies CapabilityModule<Services, CasesModuleSettings>;
