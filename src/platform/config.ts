import type { DeadlineSettings } from '../cases/deadlines.js';
import type { QuietHours } from '../messaging/quiet-hours.js';
import { PATHS } from './paths.js';

// Settings: parsed once from the environment into a typed object. Every wrong or missing value
// is reported at start-up with its name, what was expected and what was given.

export type Role = 'all' | 'api' | 'worker';

export interface Settings {
  port: number;
  host: string;
  publicBaseUrl: string;
  databaseUrl: string;
  redisUrl: string;
  role: Role;
  logLevel: string;
  timeZone: string;
  telephony: 'simulator' | 'twilio';
  twilio: {
    accountSid: string;
    /** Validates webhooks. In simulator mode this is the simulator's local token. */
    authToken: string;
    apiBaseUrl: string;
    fromNumber: string | undefined;
    messagingServiceSid: string | undefined;
  };
  email: 'simulator' | 'smtp';
  smtpUrl: string | undefined;
  emailFrom: string;
  bodyLimitBytes: number;
  sessionTtlSeconds: number;
  callStateTtlSeconds: number;
  ivr: {
    /** The folder of flow files (ivr-flows/ of the project by default). */
    flowsDir: string;
    /** Letters printed before customer references and meter serials, which a keypad cannot type. */
    referencePrefixes: string[];
    /** A domain action slower than this sends the caller to the step's fallback. */
    actionTimeoutMs: number;
  };
  oncall: OnCallSettings;
  messaging: {
    /** Non-essential messages wait for the end of this time (QUIET_HOURS "21:00-08:00"). */
    quietHours: QuietHours;
    /** SMS handed to the provider per second, at most (Twilio's published rate for the sender by default). */
    smsPerSecond: number;
  };
  /** Alert notices: reminders without an acknowledgement, and the e-mail's acknowledgement link. */
  notices: { reminders: number; reminderEverySeconds: number; ackLinkTtlDays: number };
  /** Signs links that act without a login (e-mail acknowledgements). */
  linkSigningSecret: string;
  alerts: AlertSettings;
  /** When cases are due (DOMAIN.md section 3; src/cases/deadlines.ts). */
  caseDeadlines: DeadlineSettings;
  /** An eligibility file that would remove cover from more than this share of contracts is refused without force. */
  eligibilityMaxUncoverPercent: number;
  webhookDedupTtlSeconds: number;
  sendMaxAttempts: number;
  sendBackoffMs: number;
  workerConcurrency: number;
  shutdownGraceMs: number;
  /** Prints the demo accounts on start (set by the demo start command). */
  demo: boolean;
  /** Rehearsals (CLOCK_START): the service's clock starts at this instant and runs on from there. */
  clockStart: Date | undefined;
}

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
  /** Individual 7/7 contracts: calls from this time until the morning are paged the next morning. */
  restStartsMinute: number;
  /** When "the next morning" begins: deferred 7/7 pages go out then. */
  morningStartsMinute: number;
  /** A call outside the window is paged when the window next opens only if that is before this time the next morning. */
  deferralLatestMinute: number;
  /** The first page goes out when the call ends; if the end is never reported, at the latest after this. */
  pageAfterCallSeconds: number;
  /** A request left to the agency is due at this time on its next working day. */
  agencyDueMinute: number;
}

/** Consumption alerts (README, "Consumption alerts"). */
export interface AlertSettings {
  /** A daily volume above this (given, or derived from indexes) is an error of its line in a readings file. */
  readingsMaxDailyLitres: number;
  /** Detection looks at this many days of readings, ending on the detection day. */
  lookbackDays: number;
  /** Local time (TZ_DEFAULT) of the daily detection run, minutes from midnight. */
  detectionAtMinute: number;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

// The simulator signs its own webhooks with this token so the same signature check runs
// everywhere. It protects nothing real: in simulator mode no call or SMS leaves the machine.
export const SIMULATOR_ACCOUNT_SID = 'ACsimulator0000000000000000000000';
const SIMULATOR_AUTH_TOKEN = 'simulator-local-token';

type Env = Record<string, string | undefined>;

export function loadSettings(env: Env = process.env, argv: string[] = process.argv): Settings {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const accountSid = read.optionalString('TWILIO_ACCOUNT_SID');
  const authToken = read.optionalString('TWILIO_AUTH_TOKEN');
  const telephony = read.oneOf(
    'TELEPHONY',
    ['simulator', 'twilio'],
    accountSid && authToken ? 'twilio' : 'simulator',
  );
  if (telephony === 'twilio') {
    if (!accountSid) problems.push('TWILIO_ACCOUNT_SID: required when TELEPHONY=twilio');
    else if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid))
      problems.push(`TWILIO_ACCOUNT_SID: expected "AC" followed by 32 hex digits (got "${accountSid}")`);
    if (!authToken) problems.push('TWILIO_AUTH_TOKEN: required when TELEPHONY=twilio');
  }
  const fromNumber = read.optionalString('TWILIO_FROM_NUMBER');
  if (fromNumber && !/^\+[1-9]\d{6,14}$/.test(fromNumber))
    problems.push(`TWILIO_FROM_NUMBER: expected an E.164 number like +33970000000 (got "${fromNumber}")`);
  const messagingServiceSid = read.optionalString('TWILIO_MESSAGING_SERVICE_SID');
  if (telephony === 'twilio' && !fromNumber && !messagingServiceSid)
    problems.push(
      'TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID: one is required when TELEPHONY=twilio',
    );

  const smtpUrl = read.optionalUrl('SMTP_URL', ['smtp:', 'smtps:']);
  const email = read.oneOf('EMAIL', ['simulator', 'smtp'], smtpUrl ? 'smtp' : 'simulator');
  if (email === 'smtp' && !smtpUrl) problems.push('SMTP_URL: required when EMAIL=smtp');

  const settings: Settings = {
    port: read.integer('PORT', 3000, 1, 65535),
    host: read.string('HOST', '0.0.0.0'),
    publicBaseUrl: read
      .url('PUBLIC_BASE_URL', 'http://localhost:3000', ['http:', 'https:'])
      .replace(/\/$/, ''),
    databaseUrl: read.url('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/contact_centre', [
      'postgresql:',
      'postgres:',
    ]),
    redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    role: roleFromArgv(argv, problems) ?? read.oneOf('ROLE', ['all', 'api', 'worker'], 'all'),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    timeZone: read.timeZone('TZ_DEFAULT', 'Europe/Paris'),
    telephony,
    twilio: {
      accountSid: telephony === 'twilio' ? (accountSid ?? '') : SIMULATOR_ACCOUNT_SID,
      authToken: telephony === 'twilio' ? (authToken ?? '') : SIMULATOR_AUTH_TOKEN,
      apiBaseUrl: read
        .url('TWILIO_API_BASE_URL', 'https://api.twilio.com', ['http:', 'https:'])
        .replace(/\/$/, ''),
      fromNumber,
      messagingServiceSid,
    },
    email,
    smtpUrl,
    emailFrom: read.string('EMAIL_FROM', 'Service client <service-client@example.invalid>'),
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 50 * 1_048_576),
    sessionTtlSeconds: read.integer('SESSION_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    callStateTtlSeconds: read.integer('CALL_STATE_TTL_SECONDS', 4 * 3600, 60, 48 * 3600),
    ivr: {
      flowsDir: read.string('IVR_FLOWS_DIR', PATHS.ivrFlows),
      referencePrefixes: read
        .string('IVR_REFERENCE_PREFIXES', 'C,M')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      actionTimeoutMs: read.integer('IVR_ACTION_TIMEOUT_MS', 3000, 100, 4000),
    },
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
    messaging: {
      quietHours: {
        ...read.timeRange('QUIET_HOURS', '21:00-08:00'),
        ...read.restDays('QUIET_DAYS', 'sun,holidays'),
      },
      smsPerSecond: read.integer(
        'SMS_RATE_PER_SECOND',
        defaultSmsRate(fromNumber, messagingServiceSid),
        1,
        10_000,
      ),
    },
    caseDeadlines: {
      urgentMinutes: read.integer('CASE_URGENT_MINUTES', 60, 1, 24 * 60),
      emailHours: read.integer('CASE_EMAIL_HOURS', 48, 1, 30 * 24),
      letterWorkingDays: read.integer('CASE_LETTER_WORKING_DAYS', 5, 1, 60),
      interventionWorkingDays: read.integer('CASE_INTERVENTION_WORKING_DAYS', 15, 1, 120),
      otherWorkingDays: read.integer('CASE_OTHER_WORKING_DAYS', 5, 1, 60),
    },
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
    linkSigningSecret: linkSecret(read, telephony === 'twilio' || email === 'smtp', problems),
    eligibilityMaxUncoverPercent: read.integer('ELIGIBILITY_MAX_UNCOVER_PERCENT', 20, 0, 100),
    webhookDedupTtlSeconds: read.integer('WEBHOOK_DEDUP_TTL_SECONDS', 48 * 3600, 60, 30 * 24 * 3600),
    sendMaxAttempts: read.integer('SEND_MAX_ATTEMPTS', 8, 1, 100),
    sendBackoffMs: read.integer('SEND_BACKOFF_MS', 2000, 1, 3_600_000),
    workerConcurrency: read.integer('WORKER_CONCURRENCY', 20, 1, 1000),
    shutdownGraceMs: read.integer('SHUTDOWN_GRACE_MS', 15_000, 0, 600_000),
    demo: read.boolean('DEMO', false),
    clockStart: rehearsalClockStart(read, telephony === 'simulator' && email === 'simulator', problems),
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

/**
 * Without real channels (the simulator), a fixed local secret will do: nothing leaves the machine.
 * With them, links reach customers: the secret must be set, and long enough to resist guessing.
 */
function linkSecret(read: EnvReader, required: boolean, problems: string[]): string {
  const secret = read.optionalString('LINK_SIGNING_SECRET');
  if (!secret) {
    if (required) problems.push('LINK_SIGNING_SECRET: required with Twilio or SMTP (32 characters or more)');
    return 'simulator-local-link-secret';
  }
  if (secret.length < 32) problems.push('LINK_SIGNING_SECRET: expected 32 characters or more');
  return secret;
}

/**
 * A night rehearsed at any hour (demo, browser tests): only with the simulators, since real calls,
 * SMS and e-mails would go out at the wrong hour. Queue schedules (the daily detection) keep real time.
 */
function rehearsalClockStart(read: EnvReader, simulated: boolean, problems: string[]): Date | undefined {
  const raw = read.optionalString('CLOCK_START');
  if (raw === undefined) return undefined;
  const start = new Date(raw);
  if (
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(raw) ||
    Number.isNaN(start.getTime())
  ) {
    problems.push(
      `CLOCK_START: expected a time with its offset, e.g. 2026-11-24T22:30:00+01:00 (got "${raw}")`,
    );
    return undefined;
  }
  if (!simulated) problems.push('CLOCK_START: only with TELEPHONY=simulator and EMAIL=simulator');
  return start;
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

function roleFromArgv(argv: string[], problems: string[]): Role | undefined {
  const index = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
  if (value === 'all' || value === 'api' || value === 'worker') return value;
  problems.push(`--role: expected one of all, api, worker (got "${value ?? ''}")`);
  return undefined;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}: expected an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}: expected true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: expected one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  /** "HH:MM-HH:MM" (over midnight when the start is later), or "none". */
  timeRange(name: string, fallback: string): { startMinute: number; endMinute: number } {
    const raw = this.raw(name) ?? fallback;
    if (raw === 'none') return { startMinute: 0, endMinute: 0 };
    const match = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(raw);
    const minutes = (hhmm: string) => {
      const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
      return m ? Number(m[1]) * 60 + Number(m[2]) : null;
    };
    const start = match ? minutes(match[1]!) : null;
    const end = match ? minutes(match[2]!) : null;
    if (start === null || end === null) {
      this.problems.push(`${name}: expected HH:MM-HH:MM, e.g. 21:00-08:00, or none (got "${raw}")`);
      return { startMinute: 0, endMinute: 0 };
    }
    return { startMinute: start, endMinute: end };
  }

  /** A list among "sun" and "holidays" (or empty). */
  restDays(name: string, fallback: string): { sundays: boolean; publicHolidays: boolean } {
    const raw = this.env[name]?.trim() ?? fallback;
    const items = raw
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
    const unknown = items.filter((d) => d !== 'sun' && d !== 'holidays');
    if (unknown.length > 0) this.problems.push(`${name}: expected sun and/or holidays (got "${raw}")`);
    return { sundays: items.includes('sun'), publicHolidays: items.includes('holidays') };
  }

  /** "HH:MM" as minutes from midnight. */
  timeOfDay(name: string, fallback: string): number {
    const raw = this.raw(name) ?? fallback;
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
    if (!match) {
      this.problems.push(`${name}: expected a time of day HH:MM, e.g. 18:00 (got "${raw}")`);
      return 0;
    }
    return Number(match[1]) * 60 + Number(match[2]);
  }

  url(name: string, fallback: string, protocols: string[]): string {
    return this.optionalUrl(name, protocols) ?? fallback;
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(
      `${name}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redactUrl(raw)}")`,
    );
    return undefined;
  }

  timeZone(name: string, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    try {
      new Intl.DateTimeFormat('fr-FR', { timeZone: raw });
      return raw;
    } catch {
      this.problems.push(`${name}: unknown IANA time zone (got "${raw}"), e.g. Europe/Paris`);
      return fallback;
    }
  }
}

/** Hides the password of a URL before it reaches a message or a log. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
  }
}
