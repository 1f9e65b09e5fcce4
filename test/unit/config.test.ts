import { describe, expect, it } from 'vitest';
import { crashAt } from '../../src/platform/fault-points.js';
import { SettingsError } from '../../src/platform/settings-reader.js';
import { loadSettings } from '../../src/settings.js';

function problemsOf(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadSettings(env, argv);
    return [];
  } catch (err) {
    if (err instanceof SettingsError) return err.problems;
    throw err;
  }
}

describe('settings', () => {
  it('defaults to the simulator and local services when nothing is configured', () => {
    const settings = loadSettings({}, []);
    expect(settings.port).toBe(3000);
    expect(settings.telephony).toBe('simulator');
    expect(settings.email).toBe('simulator');
    expect(settings.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/contact_centre');
    expect(settings.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(settings.timeZone).toBe('Europe/Paris');
    expect(settings.role).toBe('all');
  });

  it('switches to Twilio when credentials are given', () => {
    const settings = loadSettings(
      {
        TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'secret',
        TWILIO_FROM_NUMBER: '+33970000000',
        LINK_SIGNING_SECRET: 'x'.repeat(32),
      },
      [],
    );
    expect(settings.telephony).toBe('twilio');
    expect(settings.twilio.authToken).toBe('secret');
  });

  it('switches e-mail to SMTP when SMTP_URL is set', () => {
    expect(
      loadSettings({ SMTP_URL: 'smtp://127.0.0.1:2525', LINK_SIGNING_SECRET: 'x'.repeat(32) }, []).email,
    ).toBe('smtp');
  });

  it('requires a strong link signing secret once messages reach real customers', () => {
    expect(problemsOf({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toContain(
      'LINK_SIGNING_SECRET: required with Twilio or SMTP (32 characters or more)',
    );
    expect(problemsOf({ SMTP_URL: 'smtp://127.0.0.1:2525', LINK_SIGNING_SECRET: 'short' })).toContain(
      'LINK_SIGNING_SECRET: expected 32 characters or more',
    );
  });

  it('names every wrong value with what was expected and what was given', () => {
    const problems = problemsOf({
      PORT: 'abc',
      PUBLIC_BASE_URL: 'ftp://x',
      TZ_DEFAULT: 'Mars/Olympus',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://u:secret@h/db',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: expected an integer between 1 and 65535 (got "abc")',
        expect.stringMatching(/^PUBLIC_BASE_URL: expected a URL starting with http:\/\/ or https:\/\//),
        'TZ_DEFAULT: unknown IANA time zone (got "Mars/Olympus"), e.g. Europe/Paris',
        expect.stringMatching(/^LOG_LEVEL: expected one of/),
      ]),
    );
    // A password in a rejected URL is not echoed back.
    expect(problems.join('\n')).not.toContain('secret');
  });

  it('requires complete Twilio settings when TELEPHONY=twilio', () => {
    const problems = problemsOf({ TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: 'nope' });
    expect(problems).toContain('TWILIO_ACCOUNT_SID: expected "AC" followed by 32 hex digits (got "nope")');
    expect(problems).toContain('TWILIO_AUTH_TOKEN: required when TELEPHONY=twilio');
    expect(problems).toContain(
      'TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID: one is required when TELEPHONY=twilio',
    );
  });

  it('takes the role from --role and rejects an unknown one', () => {
    expect(loadSettings({}, ['node', 'main', '--role', 'worker']).role).toBe('worker');
    expect(loadSettings({}, ['node', 'main', '--role=api']).role).toBe('api');
    expect(problemsOf({}, ['--role', 'both'])).toEqual([
      '--role: expected one of all, api, worker (got "both")',
    ]);
  });

  it('takes a crash point for tests, never in production', () => {
    expect(loadSettings({ FAULT_POINT: 'outbox.after-claim' }, []).faultPoint).toBe('outbox.after-claim');
    expect(loadSettings({}, []).faultPoint).toBeUndefined();
    expect(problemsOf({ FAULT_POINT: 'outbox.after-claim', NODE_ENV: 'production' })).toEqual([
      'FAULT_POINT: a test-only crash point, refused when NODE_ENV=production',
    ]);
    expect(problemsOf({ FAULT_POINT: 'after claim' })).toEqual([
      'FAULT_POINT: expected a point such as outbox.after-claim (got "after claim")',
    ]);
  });
});

describe('crash points', () => {
  it('kill the process the first time it reaches its point, and at no other', () => {
    let kills = 0;
    const faults = crashAt('outbox.after-provider', () => kills++);
    faults.reach('outbox.after-claim');
    expect(kills).toBe(0);
    faults.reach('outbox.after-provider');
    faults.reach('outbox.after-provider');
    expect(kills).toBe(1);
    crashAt(undefined, () => kills++).reach('outbox.after-claim');
    expect(kills).toBe(1);
  });
});
