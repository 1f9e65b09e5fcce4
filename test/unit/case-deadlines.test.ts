import { describe, expect, it } from 'vitest';
import { createFrenchCalendar } from '../../src/calendar/french-calendar.js';
import { dueDate } from '../../src/cases/deadlines.js';
import { agencyCalendar } from '../../src/oncall/on-call-windows.js';
import { loadSettings } from '../../src/settings.js';

// DOMAIN.md section 3: urgent within the hour, priority within the day, 48 h for an e-mail,
// 5 working days for a letter, 15 working days when an intervention is needed.
const french = createFrenchCalendar('Europe/Paris');
const lyon = agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar: 'FR' });
const metz = agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar: 'FR-57' });
// The CASE_* settings' defaults: the domain's figures.
const defaults = loadSettings({}, []).caseDeadlines;
const base = { urgency: 'NORMAL', channel: 'PHONE', needsIntervention: false } as const;
const paris = (date: Date) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(date);

describe('case deadlines', () => {
  const tuesday = new Date('2026-11-24T09:30:00Z'); // Tuesday 10:30 in Paris

  it('[CS-2] gives an urgent case one hour and a priority case until the end of its day', () => {
    expect(dueDate({ ...base, openedAt: tuesday, urgency: 'URGENT' }, lyon, defaults)).toEqual({
      dueAt: new Date('2026-11-24T10:30:00Z'),
      rule: 'urgent',
    });
    const priority = dueDate({ ...base, openedAt: tuesday, urgency: 'PRIORITY' }, lyon, defaults);
    expect(paris(priority.dueAt)).toBe('mardi 24 novembre 2026 à 23:59');
  });

  it('[CS-3] gives an e-mail 48 hours, calendar hours, even over a weekend', () => {
    const friday = new Date('2026-11-27T15:00:00Z');
    expect(dueDate({ ...base, openedAt: friday, channel: 'EMAIL' }, lyon, defaults).dueAt).toEqual(
      new Date('2026-11-29T15:00:00Z'),
    );
  });

  it('[CS-3] gives a letter 5 working days, skipping the weekend and public holidays', () => {
    // Wednesday 23 December 2026: Christmas (Friday) and the weekend are not working days.
    const letter = dueDate(
      { ...base, openedAt: new Date('2026-12-23T09:00:00Z'), channel: 'LETTER' },
      lyon,
      defaults,
    );
    expect(letter.rule).toBe('letter');
    expect(paris(letter.dueAt)).toBe('jeudi 31 décembre 2026 à 10:00');
    // In Moselle, 26 December is a holiday too, but a Saturday: the same day.
    expect(
      paris(
        dueDate({ ...base, openedAt: new Date('2026-12-23T09:00:00Z'), channel: 'LETTER' }, metz, defaults)
          .dueAt,
      ),
    ).toBe('jeudi 31 décembre 2026 à 10:00');
  });

  it('counts Good Friday as a holiday in Moselle only', () => {
    const thursday = new Date('2027-03-25T09:00:00Z'); // Good Friday 2027 is 26 March
    const opened = { ...base, openedAt: thursday, channel: 'LETTER' } as const;
    // Easter Monday (29 March) is national; Good Friday is Moselle's only.
    expect(paris(dueDate(opened, lyon, defaults).dueAt)).toBe('vendredi 2 avril 2027 à 10:00');
    expect(paris(dueDate(opened, metz, defaults).dueAt)).toBe('lundi 5 avril 2027 à 10:00');
  });

  it('[CS-3] gives 15 working days when an intervention is needed, whatever the channel', () => {
    const due = dueDate(
      { ...base, openedAt: tuesday, channel: 'EMAIL', needsIntervention: true },
      lyon,
      defaults,
    );
    expect(due.rule).toBe('intervention');
    expect(paris(due.dueAt)).toBe('mardi 15 décembre 2026 à 10:30');
  });

  it('takes its figures from the settings', () => {
    const settings = {
      urgentMinutes: 30,
      emailHours: 24,
      letterWorkingDays: 2,
      interventionWorkingDays: 3,
      otherWorkingDays: 1,
    };
    expect(dueDate({ ...base, openedAt: tuesday, urgency: 'URGENT' }, lyon, settings).dueAt).toEqual(
      new Date('2026-11-24T10:00:00Z'),
    );
    expect(paris(dueDate({ ...base, openedAt: tuesday }, lyon, settings).dueAt)).toBe(
      'mercredi 25 novembre 2026 à 10:30',
    );
  });
});
