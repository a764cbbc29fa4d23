/**
 * The public holidays of a client's country, from the date-holidays library. Computed here, where the
 * account's facts are read, and handed to the workflow as plain dates: the library stays out of the
 * workflow sandbox, and a replayed workflow sees the dates it saw the first time.
 */
import Holidays from 'date-holidays';
import type { IsoDate } from '../domain/facts';

const cache = new Map<string, IsoDate[]>();
let countries: Record<string, string> | undefined;
const knownCountries = () => (countries ??= new Holidays().getCountries('en'));

/** Public (bank) holidays of `country` in the given years; empty for a country the library does not know. */
export function publicHolidays(country: string, years: readonly number[]): IsoDate[] {
  const out: IsoDate[] = [];
  for (const year of years) {
    const key = `${country}:${year}`;
    let dates = cache.get(key);
    if (!dates) {
      const calendar = new Holidays(country);
      dates = knownCountries()[country]
        ? calendar
            .getHolidays(year)
            .filter((h) => h.type === 'public' || h.type === 'bank')
            .map((h) => h.date.slice(0, 10))
        : [];
      cache.set(key, dates);
    }
    out.push(...dates);
  }
  return [...new Set(out)].sort();
}
