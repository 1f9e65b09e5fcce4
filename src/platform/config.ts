import type { EnvReader } from './settings-reader.js';

// The platform's own settings: where it listens and stores, its channels to the outside (Twilio,
// SMTP or the simulator), sessions, workers. Each capability reads its own section
// (src/<capability>/<capability>.settings.ts); src/settings.ts puts them together.

export type Role = 'all' | 'api' | 'worker';

export interface PlatformSettings {
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
  /** Sign-in attempts accepted per account (e-mail address) and minute. */
  loginPerMinute: number;
  /** Signs links that act without a login (e-mail acknowledgements). */
  linkSigningSecret: string;
  webhookDedupTtlSeconds: number;
  workerConcurrency: number;
  /**
   * Page attempts a worker runs at once: short jobs that wait on PostgreSQL and Twilio, whose
   * statements the attempts running together share (issue 24: a burst of night calls is a burst
   * of pages; 50 at once sent them sooner than 20, for less CPU per page).
   */
  pagingConcurrency: number;
  /**
   * How long a job's lock lasts (JOB_LOCK_MS): the job of a worker that died is handed to another
   * after this. Shorter than a page attempt, so that a page's call or SMS is not late for it.
   */
  jobLockMs: number;
  shutdownGraceMs: number;
  /** Prints the demo accounts on start (set by the demo start command). */
  demo: boolean;
  /** Rehearsals (CLOCK_START): the service's clock starts at this instant and runs on from there. */
  clockStart: Date | undefined;
  /** Tests only (FAULT_POINT): the point where this process kills itself (src/platform/fault-points.ts). */
  faultPoint: string | undefined;
  /**
   * How many reverse proxies stand in front of the api (TRUST_PROXY_HOPS): a client's address is
   * read that many hops back in X-Forwarded-For, never from what the client itself wrote there.
   */
  trustProxyHops: number;
  /** NODE_ENV=production: nothing is built or rehearsed at start-up. */
  production: boolean;
}

// The simulator signs its own webhooks with this token so the same signature check runs
// everywhere. It protects nothing real: in simulator mode no call or SMS leaves the machine.
export const SIMULATOR_ACCOUNT_SID = 'ACsimulator0000000000000000000000';
const SIMULATOR_AUTH_TOKEN = 'simulator-local-token';

export function readPlatformSettings(read: EnvReader, argv: string[], problems: string[]): PlatformSettings {
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

  return {
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
    loginPerMinute: read.integer('LOGIN_PER_MINUTE', 10, 1, 10_000),
    linkSigningSecret: linkSecret(read, telephony === 'twilio' || email === 'smtp', problems),
    webhookDedupTtlSeconds: read.integer('WEBHOOK_DEDUP_TTL_SECONDS', 48 * 3600, 60, 30 * 24 * 3600),
    workerConcurrency: read.integer('WORKER_CONCURRENCY', 20, 1, 1000),
    pagingConcurrency: read.integer('PAGING_CONCURRENCY', 50, 1, 1000),
    jobLockMs: read.integer('JOB_LOCK_MS', 30_000, 1000, 600_000),
    shutdownGraceMs: read.integer('SHUTDOWN_GRACE_MS', 15_000, 0, 600_000),
    demo: read.boolean('DEMO', false),
    clockStart: rehearsalClockStart(read, telephony === 'simulator' && email === 'simulator', problems),
    faultPoint: testFaultPoint(read, problems),
    trustProxyHops: read.integer('TRUST_PROXY_HOPS', 0, 0, 10),
    production: read.optionalString('NODE_ENV') === 'production',
  };
}

/** A crash point for tests: never in production, and always a "capability.point" name. */
function testFaultPoint(read: EnvReader, problems: string[]): string | undefined {
  const point = read.optionalString('FAULT_POINT');
  if (point === undefined) return undefined;
  if (read.optionalString('NODE_ENV') === 'production')
    problems.push('FAULT_POINT: a test-only crash point, refused when NODE_ENV=production');
  else if (!/^[a-z-]+\.[a-z-]+$/.test(point))
    problems.push(`FAULT_POINT: expected a point such as outbox.after-claim (got "${point}")`);
  return point;
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

function roleFromArgv(argv: string[], problems: string[]): Role | undefined {
  const index = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
  if (value === 'all' || value === 'api' || value === 'worker') return value;
  problems.push(`--role: expected one of all, api, worker (got "${value ?? ''}")`);
  return undefined;
}
