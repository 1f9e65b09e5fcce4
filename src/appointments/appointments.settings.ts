import { Value } from '@sinclair/typebox/value';
import { type OpeningHours, OpeningHoursSchema } from '../calendar/opening-hours.js';
import type { EnvReader } from '../platform/settings-reader.js';

/** Appointments (DOMAIN.md section 4; docs/appointments.md). */
export interface AppointmentSettings {
  /** [AP-2] Length of a slot. */
  slotMinutes: number;
  /** [AP-2] The first slot offered is this many working days after the request (J+2). */
  leadWorkingDays: number;
  /** [AP-2] Slots are offered up to this many working days after the request. */
  horizonWorkingDays: number;
  /** [AP-3] The day-before SMS goes at this time (minutes from midnight) on the previous working day. */
  reminderMinute: number;
  /** [AP-2] Field hours of the agencies that have none of their own. */
  fieldHours: OpeningHours;
  /** [AP-4] How many free slots an SMS offers ("reply 1, 2 or 3"). */
  offeredSlots: number;
  /** [AP-5] A customer's no-show flags the case for the trip's fee (the tariff charges it). */
  noShowFee: boolean;
}

export interface AppointmentsModuleSettings {
  appointments: AppointmentSettings;
}

const WEEKDAYS = '08:00-12:00,13:30-17:30';

export function readAppointmentSettings(read: EnvReader): AppointmentsModuleSettings {
  return {
    appointments: {
      slotMinutes: read.integer('APPOINTMENT_SLOT_MINUTES', 120, 15, 8 * 60),
      leadWorkingDays: read.integer('APPOINTMENT_LEAD_WORKING_DAYS', 2, 0, 30),
      horizonWorkingDays: read.integer('APPOINTMENT_HORIZON_WORKING_DAYS', 10, 1, 120),
      reminderMinute: read.timeOfDay('APPOINTMENT_REMINDER_AT', '17:00'),
      fieldHours: read.parsed<OpeningHours>(
        'APPOINTMENT_FIELD_HOURS',
        { mon: WEEKDAYS, tue: WEEKDAYS, wed: WEEKDAYS, thu: WEEKDAYS, fri: WEEKDAYS },
        (raw) => {
          const value: unknown = JSON.parse(raw);
          if (!Value.Check(OpeningHoursSchema, value))
            throw new Error('expected JSON like {"mon":"08:00-12:00,13:30-17:30","sat":"09:00-12:00"}');
          return value;
        },
      ),
      offeredSlots: read.integer('APPOINTMENT_OFFERED_SLOTS', 3, 1, 9),
      noShowFee: read.boolean('APPOINTMENT_NO_SHOW_FEE', true),
    },
  };
}
