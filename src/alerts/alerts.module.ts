import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { acknowledgementRoutes } from './acknowledgement.routes.js';
import { alertListRoutes } from './alert-list.routes.js';
import { alertThresholdsRoutes } from './alert-thresholds.routes.js';
import { type AlertsModuleSettings, readAlertsSettings } from './alerts.settings.js';
import { startAlertsWorker } from './alerts.worker.js';
import { customerAlertsRoutes } from './customer-alerts.routes.js';
import { lettersRoutes } from './letters.routes.js';
import { notifyPendingAlerts } from './notification.service.js';
import { startReminderWorker } from './reminder.worker.js';

/** Consumption alerts: readings, detection, notices and their replies, thresholds, letters. */
export const alertsModule = {
  name: 'alerts',
  readSettings: readAlertsSettings,
  routes(app, services) {
    acknowledgementRoutes(app, services);
    customerAlertsRoutes(app, services);
    alertListRoutes(app, services);
    lettersRoutes(app, services);
    alertThresholdsRoutes(app, services);
  },
  async startWorkers(services) {
    return [
      startReminderWorker(services),
      // Each detection run's new alerts are notified at once; the maintenance sweep catches any left.
      await startAlertsWorker(services, {
        onDetected: () => notifyPendingAlerts(services.notices).then(() => undefined),
      }),
    ];
  },
} satisfies CapabilityModule<Services, AlertsModuleSettings>;
