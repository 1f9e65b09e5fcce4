import type { EnvReader } from '../platform/settings-reader.js';

/** The termination run after unpaid bills (DOMAIN.md section 7; docs/termination.md). */
export interface TerminationSettings {
  /** [TR-1] Days after the supply interruption, unrestored, when the customer is terminated. */
  afterDays: number;
  /** [TR-3] Days before termination the written reminder goes, for the categories that get one. */
  reminderDays: number;
  /** When the daily run goes (minutes from midnight, local time). */
  runMinute: number;
}

export interface TerminationModuleSettings {
  termination: TerminationSettings;
}

export function readTerminationSettings(read: EnvReader): TerminationModuleSettings {
  const afterDays = read.integer('TERMINATION_AFTER_DAYS', 30, 1, 365);
  return {
    termination: {
      afterDays,
      reminderDays: read.integer('TERMINATION_REMINDER_DAYS', 7, 1, afterDays),
      runMinute: read.timeOfDay('TERMINATION_RUN_AT', '06:00'),
    },
  };
}
