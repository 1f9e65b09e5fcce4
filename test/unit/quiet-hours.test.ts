import { describe, expect, it } from 'vitest';
import { createFrenchCalendar } from '../../src/calendar/french-calendar.js';
import { nextSendingTime, type QuietHours } from '../../src/messaging/quiet-hours.js';
import { loadSettings } from '../../src/settings.js';

// When a non-essential message may go, in Paris time (UTC+1 in winter).

const calendar = createFrenchCalendar('Europe/Paris');
const QUIET: QuietHours = { startMinute: 21 * 60, endMinute: 8 * 60, sundays: true, publicHolidays: true };
const next = (iso: string, scope: 'nights' | 'nights-and-rest-days' = 'nights-and-rest-days') =>
  nextSendingTime(new Date(iso), QUIET, scope, calendar).toISOString();

describe('quiet hours', () => {
  it('lets a message go at once in the daytime', () => {
    expect(next('2026-11-24T10:15:00.000Z')).toBe('2026-11-24T10:15:00.000Z');
  });

  it('holds a message written at night until 08:00, the same or the next morning', () => {
    expect(next('2026-11-24T21:30:00.000Z')).toBe('2026-11-25T07:00:00.000Z'); // Tuesday 22:30
    expect(next('2026-11-25T05:00:00.000Z')).toBe('2026-11-25T07:00:00.000Z'); // Wednesday 06:00
  });

  it('holds a reminder over Sunday and a public holiday, but a same-day message only over the night', () => {
    // Saturday 22:00 → Monday 08:00; with `nights` only, Sunday 08:00.
    expect(next('2026-11-28T21:00:00.000Z')).toBe('2026-11-30T07:00:00.000Z');
    expect(next('2026-11-28T21:00:00.000Z', 'nights')).toBe('2026-11-29T07:00:00.000Z');
    // Christmas (Friday) then the weekend's Sunday... Thursday 24 December 23:00 → Saturday 26, 08:00.
    expect(next('2026-12-24T22:00:00.000Z')).toBe('2026-12-26T07:00:00.000Z');
  });

  it('reads QUIET_HOURS and QUIET_DAYS, and refuses a garbled value', () => {
    const settings = loadSettings({ QUIET_HOURS: '22:30-07:00', QUIET_DAYS: 'sun' }, []);
    expect(settings.messaging.quietHours).toEqual({
      startMinute: 22 * 60 + 30,
      endMinute: 7 * 60,
      sundays: true,
      publicHolidays: false,
    });
    expect(() => loadSettings({ QUIET_HOURS: '9pm-8am' }, [])).toThrow(/QUIET_HOURS: expected HH:MM-HH:MM/);
    expect(() => loadSettings({ QUIET_DAYS: 'sat' }, [])).toThrow(
      /QUIET_DAYS: expected sun and\/or holidays/,
    );
  });

  it('defaults the SMS rate to what Twilio publishes for the sender', () => {
    const rate = (env: Record<string, string>) => loadSettings(env, []).messaging.smsPerSecond;
    expect(rate({})).toBe(10);
    expect(rate({ TWILIO_FROM_NUMBER: '+33970000000' })).toBe(10);
    expect(rate({ TWILIO_FROM_NUMBER: '+14155550100' })).toBe(1);
    expect(rate({ TWILIO_FROM_NUMBER: '+33970000000', SMS_RATE_PER_SECOND: '250' })).toBe(250);
  });
});
