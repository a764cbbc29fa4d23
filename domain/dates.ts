/**
 * How far from today a person-entered date may sensibly be. A promise to pay is about the coming
 * weeks: one dated 1900 would count as broken at once, one dated 9999 would silence reminders forever.
 */
import type { IsoDate } from './facts';

const DAY_MS = 86_400_000;
export const PROMISE_PAST_DAYS = 7;
export const PROMISE_FUTURE_DAYS = 366;

const shift = (iso: IsoDate, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Why a promised date is refused, or null when it is within the window around `today`. */
export function promiseDateProblem(promisedDate: IsoDate, today: IsoDate): string | null {
  const earliest = shift(today, -PROMISE_PAST_DAYS);
  const latest = shift(today, PROMISE_FUTURE_DAYS);
  if (promisedDate < earliest) return `the promised date must be ${earliest} or later (at most ${PROMISE_PAST_DAYS} days ago)`;
  if (promisedDate > latest) return `the promised date must be ${latest} or earlier (within a year)`;
  return null;
}
