/**
 * Calendar math in an account's own time zone. Deterministic: luxon is only ever given explicit
 * instants and zones (never the system clock), so workflows can call this freely.
 */
import { DateTime } from 'luxon';
import type { BusinessHours, Instant, IsoDate } from './facts';

const DAY_MS = 86_400_000;

function inZone(instant: Instant, timeZone: string): DateTime {
  const dt = DateTime.fromISO(instant, { zone: timeZone });
  if (!dt.isValid) throw new RangeError(`invalid instant ${instant} in zone ${timeZone}: ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt;
}

function wallClock(date: IsoDate, time: string, timeZone: string): DateTime {
  // A wall time inside a DST gap does not exist; luxon moves it forward by the gap, which is what we want.
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: timeZone });
  if (!dt.isValid) throw new RangeError(`invalid local time ${date}T${time} in zone ${timeZone}: ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt;
}

function utcDay(date: IsoDate): DateTime {
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`invalid date ${date}`);
  return dt;
}

const toInstant = (dt: DateTime): Instant => dt.toUTC().toISO()!;

/** Milliseconds since the epoch, for comparing instants written with different precision or offset. */
export function instantMs(instant: Instant): number {
  return inZone(instant, 'utc').toMillis();
}

/** The later of two instants, normalised to UTC. */
export function laterOf(a: Instant, b: Instant): Instant {
  return instantMs(a) >= instantMs(b) ? toInstant(inZone(a, 'utc')) : toInstant(inZone(b, 'utc'));
}

export function addHours(instant: Instant, hours: number): Instant {
  return toInstant(inZone(instant, 'utc').plus({ hours }));
}

/** The calendar date an instant falls on in the given zone. */
export function localDate(instant: Instant, timeZone: string): IsoDate {
  return inZone(instant, timeZone).toISODate()!;
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((utcDay(to).toMillis() - utcDay(from).toMillis()) / DAY_MS);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return utcDay(date).plus({ days }).toISODate()!;
}

/** Whole calendar months from `from` to `to`, never negative. */
export function monthsBetween(from: IsoDate, to: IsoDate): number {
  return Math.max(0, Math.floor(utcDay(to).diff(utcDay(from), 'months').months));
}

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  return utcDay(date).weekday;
}

/** The instant a local wall-clock time ('HH:MM') happens on a date in a zone. */
export function localTime(date: IsoDate, time: string, timeZone: string): Instant {
  return toInstant(wallClock(date, time, timeZone));
}

export function startOfLocalDay(date: IsoDate, timeZone: string): Instant {
  return localTime(date, '00:00', timeZone);
}

export function isWorkingDay(date: IsoDate, businessHours: BusinessHours, holidays: readonly IsoDate[]): boolean {
  return businessHours.days.includes(isoWeekday(date)) && !holidays.includes(date);
}

// Every week has a working day, and each holiday can cost at most a week.
const searchDays = (holidays: readonly IsoDate[]) => 7 * (holidays.length + 2);

/** The first working day on or after `date`. */
export function nextWorkingDay(date: IsoDate, businessHours: BusinessHours, holidays: readonly IsoDate[]): IsoDate {
  let day = date;
  for (let i = 0; i < searchDays(holidays); i++, day = addDays(day, 1)) {
    if (isWorkingDay(day, businessHours, holidays)) return day;
  }
  throw new RangeError(`no working day after ${date}`);
}

/**
 * The first instant at or after `instant` that lies inside business hours on a working day that is
 * not a holiday, in the account's zone. Hours are [start, end); an end at or before the start means
 * the window runs to midnight.
 */
export function nextBusinessInstant(
  instant: Instant,
  timeZone: string,
  businessHours: BusinessHours,
  holidays: readonly IsoDate[],
): Instant {
  const from = inZone(instant, timeZone);
  const fromMs = from.toMillis();
  let day = from.toISODate()!;
  for (let i = 0; i < searchDays(holidays); i++, day = addDays(day, 1)) {
    if (!isWorkingDay(day, businessHours, holidays)) continue;
    const open = wallClock(day, businessHours.start, timeZone);
    const close =
      businessHours.end > businessHours.start
        ? wallClock(day, businessHours.end, timeZone)
        : wallClock(addDays(day, 1), '00:00', timeZone);
    if (fromMs < open.toMillis()) return toInstant(open);
    if (fromMs < close.toMillis()) return toInstant(from);
  }
  throw new RangeError(`no business hours after ${instant}`);
}
