import type { EnvReader } from '../platform/settings-reader.js';
import type { DeadlineSettings } from './deadlines.js';

export interface CasesModuleSettings {
  /** When cases are due (DOMAIN.md section 3; src/cases/deadlines.ts). */
  caseDeadlines: DeadlineSettings;
  /** [CS-7] Case categories that block dunning while open (bill, payment, rebate, last resort). */
  billingHoldCategories: string[];
  /** [CS-4] How long before its deadline an unanswered case gets its holding reply (hours). */
  holdingReplyHours: number;
  /** [CS-4] Contact form submissions accepted per sender's IP address and minute (then 429). */
  contactFormPerMinute: number;
  /** [CS-4] Contact form submissions accepted per e-mail address and hour: no one is mail-bombed. */
  contactFormPerAddressPerHour: number;
}

export function readCasesSettings(read: EnvReader): CasesModuleSettings {
  return {
    caseDeadlines: {
      urgentMinutes: read.integer('CASE_URGENT_MINUTES', 60, 1, 24 * 60),
      emailHours: read.integer('CASE_EMAIL_HOURS', 48, 1, 30 * 24),
      letterWorkingDays: read.integer('CASE_LETTER_WORKING_DAYS', 5, 1, 60),
      interventionWorkingDays: read.integer('CASE_INTERVENTION_WORKING_DAYS', 15, 1, 120),
      otherWorkingDays: read.integer('CASE_OTHER_WORKING_DAYS', 5, 1, 60),
    },
    billingHoldCategories: read
      .list('CASE_BILLING_HOLD_CATEGORIES', 'billing,payment,rebate,last-resort')
      .map((c) => c.toLowerCase()),
    holdingReplyHours: read.integer('CASE_HOLDING_REPLY_HOURS', 24, 1, 30 * 24),
    contactFormPerMinute: read.integer('CONTACT_FORM_PER_MINUTE', 5, 1, 1000),
    contactFormPerAddressPerHour: read.integer('CONTACT_FORM_PER_ADDRESS_PER_HOUR', 10, 1, 1000),
  };
}
