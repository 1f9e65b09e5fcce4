import type { EnvReader } from '../platform/settings-reader.js';

/** Consumption alerts (README, "Consumption alerts"). */
export interface AlertSettings {
  /** A daily volume above this (given, or derived from indexes) is an error of its line in a readings file. */
  readingsMaxDailyLitres: number;
  /** Detection looks at this many days of readings, ending on the detection day. */
  lookbackDays: number;
  /** Local time (TZ_DEFAULT) of the daily detection run, minutes from midnight. */
  detectionAtMinute: number;
}

export interface AlertsModuleSettings {
  alerts: AlertSettings;
  /** Alert notices: reminders without an acknowledgement, and the e-mail's acknowledgement link. */
  notices: { reminders: number; reminderEverySeconds: number; ackLinkTtlDays: number };
}

export function readAlertsSettings(read: EnvReader): AlertsModuleSettings {
  return {
    alerts: {
      readingsMaxDailyLitres: read.integer('READINGS_MAX_DAILY_LITRES', 100_000, 1, 1_000_000_000),
      lookbackDays: read.integer('ALERT_LOOKBACK_DAYS', 35, 2, 366),
      detectionAtMinute: read.timeOfDay('ALERT_DETECTION_AT', '07:00'),
    },
    notices: {
      reminders: read.integer('ALERT_REMINDERS', 3, 0, 20),
      reminderEverySeconds: read.integer('ALERT_REMINDER_EVERY_SECONDS', 48 * 3600, 1, 30 * 24 * 3600),
      ackLinkTtlDays: read.integer('ALERT_ACK_LINK_DAYS', 30, 1, 365),
    },
  };
}
