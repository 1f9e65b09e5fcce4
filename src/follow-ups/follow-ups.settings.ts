import type { EnvReader } from '../platform/settings-reader.js';

/** Case follow-ups (DOMAIN.md section 6; docs/follow-ups.md). */
export interface FollowUpSettings {
  /** [DP-2] No news this many calendar days after the planned move: a reminder by e-mail or SMS. */
  departureReminderDays: number;
  /** [DP-2] This many calendar days after the planned move: a task for agents to phone. */
  departureCallDays: number;
  /** A planned move further ahead than this many days is refused (a typing error, not a plan). */
  departureMaxAheadDays: number;
  /** Follow-ups fall due at this time of day (minutes from midnight, local time). */
  dueMinute: number;
  /** [DP-5] Days after a vacant-housing case opens: the letter "to the new occupant". */
  vacantLetterDays: number;
  /** [DP-5] Days after it opens: the field task to close the connection. */
  vacantFieldTaskDays: number;
  /** [DP-5] How those days count: `calendar` (the default) or `working` (Monday to Friday, no holiday). */
  vacantDayCount: 'calendar' | 'working';
}

export interface FollowUpsModuleSettings {
  followUps: FollowUpSettings;
}

export function readFollowUpSettings(read: EnvReader): FollowUpsModuleSettings {
  const departureReminderDays = read.integer('DEPARTURE_REMINDER_DAYS', 10, 1, 365);
  return {
    followUps: {
      departureReminderDays,
      departureCallDays: read.integer('DEPARTURE_CALL_DAYS', 30, departureReminderDays + 1, 366),
      departureMaxAheadDays: read.integer('DEPARTURE_MAX_AHEAD_DAYS', 365, 1, 3 * 365),
      dueMinute: read.timeOfDay('FOLLOW_UP_DUE_AT', '09:00'),
      vacantLetterDays: read.integer('VACANT_HOUSING_LETTER_DAYS', 10, 1, 365),
      vacantFieldTaskDays: read.integer('VACANT_HOUSING_FIELD_TASK_DAYS', 30, 1, 366),
      vacantDayCount: read.parsed<'calendar' | 'working'>('VACANT_HOUSING_DAY_COUNT', 'calendar', (raw) => {
        if (raw !== 'calendar' && raw !== 'working') throw new Error('expected calendar or working');
        return raw;
      }),
    },
  };
}
