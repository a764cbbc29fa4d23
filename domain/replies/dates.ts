/**
 * Dates and amounts as a client writes them, read in the client's own calendar: "the 15th",
 * "Friday", "12/14", "yesterday". chrono-node is pure (no I/O, no clock when given a reference), so
 * it is safe here; it is given the client's local date at noon UTC and asked in UTC, so what it
 * returns is that calendar's day and never shifts across a zone boundary.
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { IsoDate } from '../facts';
import type { ReadingContext } from './types';

const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function localToday(ctx: ReadingContext): DateTime {
  const dt = DateTime.fromISO(ctx.receivedAt, { zone: ctx.timeZone });
  if (!dt.isValid) throw new RangeError(`invalid instant ${ctx.receivedAt} in zone ${ctx.timeZone}`);
  return DateTime.utc(dt.year, dt.month, dt.day, 12);
}

/** "the 15th", "on 15th": chrono reads a bare day of the month only with a month name. */
const dayOfMonth = {
  pattern: () => /\b(?:the|on|by|before)\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/i,
  extract: (context: chrono.ParsingContext, match: RegExpMatchArray) => {
    const day = Number(match[1]);
    if (day < 1 || day > 31) return null;
    const ref = context.reference.instant;
    let y = ref.getUTCFullYear();
    let m = ref.getUTCMonth() + 1;
    // Forward: the 15th said on the 20th is next month's; the past variant looks back instead.
    const past = (context.option as { past?: boolean }).past === true;
    if (!past && day < ref.getUTCDate()) [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
    if (past && day > ref.getUTCDate()) [y, m] = m === 1 ? [y - 1, 12] : [y, m - 1];
    return { day, month: m, year: y };
  },
};

const forward = chrono.casual.clone();
forward.parsers.push(dayOfMonth);

function firstDate(text: string, ctx: ReadingContext, past: boolean): { date: IsoDate; text: string } | null {
  const ref = localToday(ctx);
  const results = forward.parse(text, { instant: ref.toJSDate(), timezone: 'UTC' }, { forwardDate: !past, past } as chrono.ParsingOption);
  // "Approved today, funds go out Tuesday": the other date is the one meant.
  const named = results.filter((r) => !/^\s*(today|now|right now)\s*$/i.test(r.text));
  for (const r of named.length ? named : results) {
    // A time alone ("at 3pm") or a bare number is not a date the client named.
    if (!r.start.isCertain('day') && !r.start.isCertain('weekday') && !/\b(week|month|tomorrow|today|yesterday)\b/i.test(r.text)) continue;
    if (/^\s*(right )?now\s*$/i.test(r.text)) continue;
    const y = r.start.get('year')!;
    const m = r.start.get('month')!;
    const d = r.start.get('day')!;
    let date = DateTime.utc(y, m, d, 12);
    // A past reading that still lands ahead of today ("paid on the 3rd of Jan" said in December)
    // means the previous week or year.
    if (past && date > ref) date = r.start.isCertain('weekday') && !r.start.isCertain('day') ? date.minus({ weeks: 1 }) : date.minus({ years: 1 });
    return { date: iso(date.year, date.month, date.day), text: r.text };
  }
  return null;
}

/** A date the client will act on (a promise, a return from leave). */
export const futureDate = (text: string, ctx: ReadingContext) => firstDate(text, ctx, false);
/** A date something already happened (a payment). */
export const pastDate = (text: string, ctx: ReadingContext) => firstDate(text, ctx, true);

export const localDate = (ctx: ReadingContext): IsoDate => localToday(ctx).toISODate()!;

/** "$1,250.00", "1250 USD", "EUR 300", "£40.50" → cents; null when no amount with a currency sign. */
export function amountCents(text: string): number | null {
  const m =
    /(?:[$€£]|\b(?:usd|eur|gbp|cad|aud)\s?)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?\b|\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?\s?(?:usd|eur|gbp|cad|aud|dollars)\b/i.exec(text);
  if (!m) return null;
  const whole = (m[1] ?? m[3]).replace(/,/g, '');
  const cents = m[2] ?? m[4] ?? '00';
  return Number(whole) * 100 + Number(cents);
}
