import {
  addDays,
  daysBetween,
  defaultBusinessHours,
  isWorkingDay,
  localDate,
  localTime,
  monthsBetween,
  nextBusinessInstant,
  nextWorkingDay,
} from '../../domain';
import { NY, wall } from './fixtures';

const next = (instant: string, timeZone = NY, holidays: string[] = [], hours = defaultBusinessHours) =>
  wall(nextBusinessInstant(instant, timeZone, hours, holidays), timeZone);

describe('calendar dates', () => {
  it('gives the local date of an instant in the account zone', () => {
    expect(localDate('2025-03-01T03:30:00Z', NY)).toBe('2025-02-28');
    expect(localDate('2025-03-01T03:30:00Z', 'Asia/Tokyo')).toBe('2025-03-01');
  });

  it('counts calendar days, also across a DST change and a leap day', () => {
    expect(daysBetween('2025-03-01', '2025-03-31')).toBe(30);
    expect(daysBetween('2025-03-31', '2025-03-01')).toBe(-30);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(addDays('2025-12-30', 3)).toBe('2026-01-02');
    expect(addDays('2025-03-10', -10)).toBe('2025-02-28');
    expect(monthsBetween('2022-07-15', '2025-07-14')).toBe(35);
    expect(monthsBetween('2025-07-15', '2025-01-01')).toBe(0);
  });

  it('knows working days and skips holidays', () => {
    expect(isWorkingDay('2025-07-04', defaultBusinessHours, ['2025-07-04'])).toBe(false);
    expect(isWorkingDay('2025-07-05', defaultBusinessHours, [])).toBe(false);
    expect(isWorkingDay('2025-07-07', defaultBusinessHours, [])).toBe(true);
    expect(nextWorkingDay('2025-07-04', defaultBusinessHours, ['2025-07-04'])).toBe('2025-07-07');
  });

  it('rejects an unknown time zone instead of guessing', () => {
    expect(() => localDate('2025-03-01T00:00:00Z', 'Mars/Olympus')).toThrow(/zone/);
  });
});

describe('nextBusinessInstant', () => {
  it('moves a send before opening time to opening time', () => {
    expect(next(localTime('2025-06-03', '07:00', NY))).toBe('2025-06-03 09:00 Tue');
  });

  it('keeps an instant inside business hours', () => {
    const inside = localTime('2025-06-03', '14:25', NY);
    expect(nextBusinessInstant(inside, NY, defaultBusinessHours, [])).toBe(inside);
  });

  it('moves a send at or after closing time to the next working morning', () => {
    expect(next(localTime('2025-06-03', '17:00', NY))).toBe('2025-06-04 09:00 Wed');
    expect(next(localTime('2025-06-06', '18:30', NY))).toBe('2025-06-09 09:00 Mon');
  });

  it('moves a Saturday to Monday 9:00', () => {
    expect(next(localTime('2025-06-07', '11:00', NY))).toBe('2025-06-09 09:00 Mon');
  });

  it('moves a holiday to the next working day, over a following weekend too', () => {
    expect(next(localTime('2025-07-04', '10:00', NY), NY, ['2025-07-04'])).toBe('2025-07-07 09:00 Mon');
    expect(next(localTime('2025-12-25', '08:00', NY), NY, ['2025-12-25', '2025-12-26'])).toBe('2025-12-29 09:00 Mon');
  });

  it('opens at 9:00 local on both sides of a DST change', () => {
    // New York springs forward on 9 March 2025 and falls back on 2 November 2025.
    expect(nextBusinessInstant('2025-03-07T12:00:00Z', NY, defaultBusinessHours, [])).toBe('2025-03-07T14:00:00.000Z');
    expect(nextBusinessInstant('2025-03-08T12:00:00Z', NY, defaultBusinessHours, [])).toBe('2025-03-10T13:00:00.000Z');
    expect(nextBusinessInstant('2025-10-31T22:00:00Z', NY, defaultBusinessHours, [])).toBe('2025-11-03T14:00:00.000Z');
  });

  it('treats a start time inside the DST gap as the first moment after it', () => {
    const hours = { start: '02:30', end: '17:00', days: [1, 2, 3, 4, 5, 6, 7] };
    expect(next('2025-03-09T06:00:00Z', NY, [], hours)).toBe('2025-03-09 03:30 Sun');
  });

  it('honours an account’s own working days and hours', () => {
    const sundayToThursday = { start: '08:00', end: '16:00', days: [7, 1, 2, 3, 4] };
    expect(next(localTime('2025-06-06', '10:00', 'Asia/Dubai'), 'Asia/Dubai', [], sundayToThursday)).toBe('2025-06-08 08:00 Sun');
  });

  it('skips holidays that each cost a whole week on a one-day working week', () => {
    const days = ['2025-06-09', '2025-06-10', '2025-06-11', '2025-06-12', '2025-06-13', '2025-06-16'];
    const mondayOnly = { ...defaultBusinessHours, days: [1] };
    expect(next(localTime('2025-06-09', '10:00', NY), NY, days, mondayOnly)).toBe('2025-06-23 09:00 Mon');
  });
});
