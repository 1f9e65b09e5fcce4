import { agentsModule } from './agents/agents.module.js';
import { alertsModule } from './alerts/alerts.module.js';
import { appointmentsModule } from './appointments/appointments.module.js';
import { casesModule } from './cases/cases.module.js';
import { followUpsModule } from './follow-ups/follow-ups.module.js';
import { identificationModule } from './identification/identification.module.js';
import { importsModule } from './imports/imports.module.js';
import { ivrModule } from './ivr/ivr.module.js';
import { messagingModule } from './messaging/messaging.module.js';
import { oncallModule } from './oncall/oncall.module.js';
import { operationsModule } from './operations/operations.module.js';
import { realtimeModule } from './realtime/realtime.module.js';
import { terminationModule } from './termination/termination.module.js';

// The capabilities of the service, each from its folder's module file: their settings sections,
// routes and workers. Adding a capability is a folder and a line here.
export const MODULES = [
  operationsModule,
  identificationModule,
  ivrModule,
  messagingModule,
  casesModule,
  oncallModule,
  importsModule,
  alertsModule,
  realtimeModule,
  agentsModule,
  appointmentsModule,
  terminationModule,
  followUpsModule,
] as const;
