import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { appointmentsRoutes } from './appointments.routes.js';
import { type AppointmentsModuleSettings, readAppointmentSettings } from './appointments.settings.js';
import { schedulingRoutes } from './scheduling.routes.js';

/** Field appointments: slots, booking, confirmations and replies by SMS, company-side changes. */
export const appointmentsModule = {
  name: 'appointments',
  readSettings: readAppointmentSettings,
  routes(app, services) {
    appointmentsRoutes(app, services);
    schedulingRoutes(app, services);
  },
} satisfies CapabilityModule<Services, AppointmentsModuleSettings>;
