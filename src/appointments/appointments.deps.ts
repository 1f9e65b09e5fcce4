import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { AppointmentSettings } from './appointments.settings.js';

/** What the appointments' services need (built once in src/services.ts). */
export interface AppointmentDeps {
  db: Db;
  events: EventBus;
  outbox: OutboxDeps;
  templates: Templates;
  clock: Clock;
  calendar: FrenchCalendar;
  settings: AppointmentSettings;
}

/** The statuses that hold a technician's slot (the database's exclusion constraint says the same). */
export const HOLDING_STATUSES = ['BOOKED', 'CONFIRMED'] as const;
