import type { EnvReader } from '../platform/settings-reader.js';

/** Out-of-hours routing and paging (README, "On-call routing"). Times of day are minutes from midnight. */
export interface OnCallSettings {
  /** Wait after a failed attempt before the next one. */
  retryDelaySeconds: number;
  /** An attempt nobody acknowledged (key 1 or SMS) within this time has failed. */
  ackTimeoutSeconds: number;
  /** How long a page call rings before it counts as not answered. */
  ringTimeoutSeconds: number;
  /** Consecutive failed attempts, in one on-call period, after which the regional manager takes over. */
  escalateAfterFailures: number;
  /** Attempts on the regional manager before the page is given up as unreached. */
  managerMaxAttempts: number;
  /** How long a "poor coverage" reply holds escalation back. */
  poorCoverageMinutes: number;
  /** Individual 7/7 contracts: calls from this time until the morning are handled as outside the window [ON-7]. */
  restStartsMinute: number;
  /** When the 7/7 night ends [ON-7]. */
  morningStartsMinute: number;
  /** A call outside the window is paged when the window next opens only if that is before this time the next morning. */
  deferralLatestMinute: number;
  /** The first page goes out when the call ends; if the end is never reported, at the latest after this. */
  pageAfterCallSeconds: number;
  /** A request left to the agency is due at this time on its next working day. */
  agencyDueMinute: number;
}

export interface OnCallModuleSettings {
  oncall: OnCallSettings;
  /** An eligibility file that would remove cover from more than this share of contracts is refused without force. */
  eligibilityMaxUncoverPercent: number;
}

export function readOnCallSettings(read: EnvReader): OnCallModuleSettings {
  return {
    oncall: {
      retryDelaySeconds: read.integer('ONCALL_RETRY_DELAY_SECONDS', 300, 0, 24 * 3600),
      ackTimeoutSeconds: read.integer('ONCALL_ACK_TIMEOUT_SECONDS', 600, 1, 24 * 3600),
      ringTimeoutSeconds: read.integer('ONCALL_RING_TIMEOUT_SECONDS', 30, 5, 600),
      escalateAfterFailures: read.integer('ONCALL_ESCALATE_AFTER_FAILURES', 2, 1, 20),
      managerMaxAttempts: read.integer('ONCALL_MANAGER_MAX_ATTEMPTS', 3, 1, 20),
      poorCoverageMinutes: read.integer('ONCALL_POOR_COVERAGE_MINUTES', 60, 1, 24 * 60),
      restStartsMinute: read.timeOfDay('ONCALL_REST_STARTS', '18:00'),
      morningStartsMinute: read.timeOfDay('ONCALL_MORNING_STARTS', '08:00'),
      deferralLatestMinute: read.timeOfDay('ONCALL_DEFERRAL_LATEST', '12:00'),
      pageAfterCallSeconds: read.integer('ONCALL_PAGE_AFTER_CALL_SECONDS', 240, 0, 3600),
      agencyDueMinute: read.timeOfDay('ONCALL_AGENCY_DUE_AT', '12:00'),
    },
    eligibilityMaxUncoverPercent: read.integer('ELIGIBILITY_MAX_UNCOVER_PERCENT', 20, 0, 100),
  };
}
