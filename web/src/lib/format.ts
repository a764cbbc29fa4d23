/** Money, dates and labels as people read them. Money arrives as integer cents. */
const moneyFormatters = new Map<string, Intl.NumberFormat>();

export function money(cents: number | null | undefined, currency = 'USD'): string {
  if (cents === null || cents === undefined) return '—';
  let f = moneyFormatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    moneyFormatters.set(currency, f);
  }
  return f.format(cents / 100);
}

/** Whole dollars for chart axes, where cents are noise. */
export function moneyShort(cents: number): string {
  const d = cents / 100;
  if (Math.abs(d) >= 1_000_000) return `$${(d / 1_000_000).toFixed(1)}M`;
  if (Math.abs(d) >= 1_000) return `$${(d / 1_000).toFixed(0)}k`;
  return `$${d.toFixed(0)}`;
}

/** 'YYYY-MM-DD' is a calendar date: format it without shifting through the browser's time zone. */
export function calendarDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
}

/** A moment in the viewer's own time zone, named so nobody has to guess which clock it is. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
}

export function minutesLabel(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  if (minutes < 60) return `${Math.round(minutes)} min`;
  if (minutes < 60 * 48) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

export function relative(iso: string, now = new Date()): string {
  const diffMin = (now.getTime() - new Date(iso).getTime()) / 60000;
  if (diffMin < 1) return 'just now';
  return `${minutesLabel(diffMin)} ago`;
}

/** 'first_reminder' → 'First reminder'. */
export function humanize(id: string | null | undefined): string {
  if (!id) return '—';
  const s = id.replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function percent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined) return '—';
  return `${(share * 100).toFixed(digits)}%`;
}

/** Today as 'YYYY-MM-DD' in the browser's calendar, for date inputs. */
export function todayIso(now = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function addDaysIso(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}
