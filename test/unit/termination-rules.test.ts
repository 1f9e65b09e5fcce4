import { describe, expect, it } from 'vitest';
import { REMINDED_CATEGORIES, verdict } from '../../src/termination/termination-rules.js';

// The termination run's rules (DOMAIN.md section 7) on one interrupted supply, day by day.

const settings = { afterDays: 30, reminderDays: 7, runMinute: 360 };
const supply = (extra: Partial<Parameters<typeof verdict>[0]> = {}) => ({
  interruptedOn: '2026-11-01',
  remindedOn: null,
  category: null,
  employee: false,
  sensitive: false,
  ...extra,
});

describe('[TR-1] [TR-2] [TR-3] the termination run’s verdict', () => {
  it('[TR-1] a standard customer is terminated 30 days after the interruption, not a day before', () => {
    expect(verdict(supply(), '2026-11-30', settings)).toBe('wait');
    expect(verdict(supply(), '2026-12-01', settings)).toBe('terminate');
    expect(verdict(supply({ category: 'low-voltage-unknown' }), '2026-12-01', settings)).toBe('terminate');
  });

  it('[TR-2] employees and sensitive customers go to a manager, never to the termination list', () => {
    for (const flags of [
      { employee: true },
      { sensitive: true },
      { employee: true, category: 'medium-voltage' },
    ]) {
      expect(verdict(supply(flags), '2026-11-30', settings)).toBe('wait');
      expect(verdict(supply(flags), '2026-12-01', settings)).toBe('management-decision');
      expect(verdict(supply(flags), '2027-03-01', settings)).toBe('management-decision');
    }
  });

  it.each(REMINDED_CATEGORIES)(
    '[TR-3] %s: a written reminder 7 days before, then terminated on the day',
    (category) => {
      expect(verdict(supply({ category }), '2026-11-23', settings)).toBe('wait');
      expect(verdict(supply({ category }), '2026-11-24', settings)).toBe('remind');
      // Never terminated without its reminder, even past the day.
      expect(verdict(supply({ category }), '2026-12-05', settings)).toBe('remind');
      expect(verdict(supply({ category, remindedOn: '2026-11-24' }), '2026-11-30', settings)).toBe('wait');
      expect(verdict(supply({ category, remindedOn: '2026-11-24' }), '2026-12-01', settings)).toBe(
        'terminate',
      );
    },
  );

  it('[TR-3] a reminder sent late still gives its full seven days', () => {
    const late = supply({ category: 'local-authority', remindedOn: '2026-12-05' });
    expect(verdict(late, '2026-12-11', settings)).toBe('wait');
    expect(verdict(late, '2026-12-12', settings)).toBe('terminate');
  });
});
