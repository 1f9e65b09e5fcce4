import { describe, expect, it } from 'vitest';
import { createFrenchCalendar } from '../../src/calendar/french-calendar.js';
import {
  currentOrNextPeriod,
  GAP_HORIZON_DAYS,
  gapHorizon,
  managerGaps,
  technicianGaps,
} from '../../src/oncall/board-schedule.js';
import { agencyCalendar } from '../../src/oncall/on-call-windows.js';
import { NIGHTS_AND_WEEKEND_DAYS } from '../support/oncall-fixture.js';

// The board's "tonight" and its rota gaps, at chosen instants (Paris time; November is UTC+1).

const lyon = agencyCalendar(createFrenchCalendar('Europe/Paris'), {
  timeZone: 'Europe/Paris',
  holidayCalendar: 'FR',
});
const at = (iso: string) => new Date(iso);
const span = (start: string, end: string) => ({ start: at(start), end: at(end) });

describe("the board's on-call period", () => {
  it('is the period in progress while the agency is on call', () => {
    // Tuesday 22:30 in Paris: Tuesday 18:00 to Wednesday 08:00.
    expect(currentOrNextPeriod(NIGHTS_AND_WEEKEND_DAYS, at('2026-11-24T21:30:00Z'), lyon)).toEqual({
      ...span('2026-11-24T17:00:00Z', '2026-11-25T07:00:00Z'),
      current: true,
    });
  });

  it('is the coming night during the day, and the coming weekend day on a Saturday night', () => {
    // Tuesday 10:00: tonight from 18:00.
    expect(currentOrNextPeriod(NIGHTS_AND_WEEKEND_DAYS, at('2026-11-24T09:00:00Z'), lyon)).toEqual({
      ...span('2026-11-24T17:00:00Z', '2026-11-25T07:00:00Z'),
      current: false,
    });
    // Saturday 21:00: nobody on call until Sunday 08:00.
    expect(currentOrNextPeriod(NIGHTS_AND_WEEKEND_DAYS, at('2026-11-28T20:00:00Z'), lyon)).toEqual({
      ...span('2026-11-29T07:00:00Z', '2026-11-29T19:00:00Z'),
      current: false,
    });
  });

  it('is none without on-call hours', () => {
    expect(currentOrNextPeriod([], at('2026-11-24T21:30:00Z'), lyon)).toBeNull();
  });
});

describe('rota gaps ahead', () => {
  const tuesdayNight = at('2026-11-24T21:30:00Z');
  const horizon = gapHorizon(tuesdayNight);

  it(`looks ${GAP_HORIZON_DAYS} days ahead`, () => {
    expect(horizon.end.getTime() - horizon.start.getTime()).toBe(GAP_HORIZON_DAYS * 24 * 3600 * 1000);
  });

  it('finds none when the rota covers the whole week', () => {
    const week = span('2026-11-16T07:00:00Z', '2026-12-07T07:00:00Z');
    expect(technicianGaps(NIGHTS_AND_WEEKEND_DAYS, [week], horizon, lyon)).toEqual([]);
  });

  it('counts only the on-call hours, and reads a weekend left uncovered as one gap', () => {
    // On call until Thursday 08:00, then again from Monday 08:00 (nobody Thursday night to Sunday).
    const rotas = [
      span('2026-11-16T07:00:00Z', '2026-11-26T07:00:00Z'),
      span('2026-11-30T07:00:00Z', '2026-12-07T07:00:00Z'),
    ];
    expect(technicianGaps(NIGHTS_AND_WEEKEND_DAYS, rotas, horizon, lyon)).toEqual([
      // Thursday 18:00 to Friday 08:00 (Friday day-time is the agency's own).
      span('2026-11-26T17:00:00Z', '2026-11-27T07:00:00Z'),
      // Friday 18:00 through Saturday's day-time on-call to Saturday 20:00.
      span('2026-11-27T17:00:00Z', '2026-11-28T19:00:00Z'),
      span('2026-11-29T07:00:00Z', '2026-11-29T19:00:00Z'),
    ]);
  });

  it('needs somebody at every moment for an on-call type without recorded hours', () => {
    const rotas = [span('2026-11-16T07:00:00Z', '2026-11-27T07:00:00Z')];
    expect(technicianGaps([], rotas, horizon, lyon)).toEqual([
      { start: at('2026-11-27T07:00:00Z'), end: horizon.end },
    ]);
  });

  it('says when a region has no regional manager, joining back-to-back gaps', () => {
    const rotas = [
      span('2026-11-20T07:00:00Z', '2026-11-25T07:00:00Z'),
      span('2026-11-28T07:00:00Z', '2026-12-07T07:00:00Z'),
    ];
    expect(managerGaps(rotas, horizon)).toEqual([span('2026-11-25T07:00:00Z', '2026-11-28T07:00:00Z')]);
    expect(managerGaps([], horizon)).toEqual([horizon]);
  });
});
