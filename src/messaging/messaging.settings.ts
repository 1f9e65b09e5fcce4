import type { PlatformSettings } from '../platform/config.js';
import type { EnvReader } from '../platform/settings-reader.js';
import type { QuietHours } from './quiet-hours.js';

export interface MessagingModuleSettings {
  messaging: {
    /** Non-essential messages wait for the end of this time (QUIET_HOURS "21:00-08:00"). */
    quietHours: QuietHours;
    /** SMS handed to the provider per second, at most (Twilio's published rate for the sender by default). */
    smsPerSecond: number;
  };
  sendMaxAttempts: number;
  sendBackoffMs: number;
}

export function readMessagingSettings(
  read: EnvReader,
  { twilio }: Pick<PlatformSettings, 'twilio'>,
): MessagingModuleSettings {
  return {
    messaging: {
      quietHours: {
        ...read.timeRange('QUIET_HOURS', '21:00-08:00'),
        ...read.restDays('QUIET_DAYS', 'sun,holidays'),
      },
      smsPerSecond: read.integer(
        'SMS_RATE_PER_SECOND',
        defaultSmsRate(twilio.fromNumber, twilio.messagingServiceSid),
        1,
        10_000,
      ),
    },
    sendMaxAttempts: read.integer('SEND_MAX_ATTEMPTS', 8, 1, 100),
    sendBackoffMs: read.integer('SEND_BACKOFF_MS', 2000, 1, 3_600_000),
  };
}

/**
 * Twilio's published sending rates: 1 segment/s for a US/Canada long code, 30/s for a short
 * code, 10/s for other numbers (outside +1), alphanumeric senders and, as a cautious default,
 * a Messaging Service (whose pool may allow more: set SMS_RATE_PER_SECOND).
 */
function defaultSmsRate(fromNumber: string | undefined, messagingServiceSid: string | undefined): number {
  if (messagingServiceSid || !fromNumber) return 10;
  if (/^\d{5,6}$/.test(fromNumber)) return 30;
  return fromNumber.startsWith('+1') ? 1 : 10;
}
