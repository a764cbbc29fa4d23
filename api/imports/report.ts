/**
 * Reads an accounting tool's report as it was downloaded: QuickBooks Online's A/R Aging Detail and
 * Summary, Open Invoices and Customer Contact List, QuickBooks Desktop's A/R Aging Detail, Xero's Aged
 * Receivables Detail and Summary and its Contacts export, or a plain table. It tells the report from
 * its title lines and header, takes the "as of" date (and from its wording the day/month order) from the
 * title, skips and counts the report's furniture (titles, bucket headings, per-contact headings, total
 * lines, the footer timestamp), reconciles every total line with the rows above it, and makes every
 * other line that is not a row an error: nothing is skipped silently. Pure: no database.
 */
import type { ImportKind, ImportRowError } from '../../domain/api/ingestion';
import type { Grid } from './sheet';
import { allFields, aliasesOf, normLabel, parseDate, parseMoney, type Field, type ParsedTable } from './parse';

export interface Furniture {
  titles: number;
  headings: number;
  totals: number;
  footers: number;
  blank: number;
}

/** One total line of the file checked against the rows it covers. */
export interface TotalCheck {
  line: number;
  label: string;
  column: string;
  /** What the file's total line says. */
  fileCents: number;
  /** What the rows it covers add up to. */
  rowsCents: number;
  scope: 'group' | 'grand';
  note?: string;
}

export interface ReportTable extends ParsedTable {
  shape: string;
  kind: ImportKind | null;
  asOf: string | null;
  /** The day/month order the report's own title (or footer) is written in. */
  orderHint: 'mdy' | 'dmy' | null;
  furniture: Furniture;
  totals: TotalCheck[];
  /** Ageing columns (Current, 1 - 30, < 1 Month, …, Older); their sum is the row's open amount. */
  buckets: { index: number; label: string }[];
  errors: ImportRowError[];
}

export class ReportError extends Error {}

const BUCKET_COLUMN = /^(current|<\s*1 months?|\d+ months?|older|\d+\s*-\s*\d+( days)?|(91|90)\s*(\+|and over|or more)|>\s*90|over 90)$/i;
const BUCKET_HEADING =
  /^(current|not yet due|\d+\s*-\s*\d+(\s+days)?(\s+past\s+due)?|(91|90)\s*(\+|and over|or more)(\s+days)?(\s+past\s+due)?|>\s*\d+(\s+days)?|over\s+\d+(\s+days)?|older)(\s*\(\d+\))?$/i;
const WEEKDAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const FOOTER = new RegExp(`^(?:(?:accrual|cash)\\s+basis\\s+)?${WEEKDAY},?\\s+.*\\d{1,2}:\\d{2}(?::\\d{2})?\\s*(?:am|pm)?(?:\\s*(?:gmt|utc)\\s*[+-]?\\d{1,2}(?::?\\d{2})?)?$`, 'i');
const PERCENT_ROW = /^(%|percentage)( of total)?/i;
const TOTAL_LABEL = /^(grand\s+)?total\b/i;

const MONTH_NAMES = 'jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec';

/** "As of November 25, 2026" / "As at 30 November 2026" / "Wednesday, Nov 25, 2026 09:14 AM": the date and the order it is written in. */
export function readTitleDate(text: string): { date: string | null; order: 'mdy' | 'dmy' | null } {
  const s = text.replace(/^[^,]*day,\s*/i, '').replace(/\s+\d{1,2}:\d{2}.*$/, '').trim();
  const mdy = new RegExp(`^(${MONTH_NAMES})[a-z]*\\.? \\d{1,2},? \\d{4}$`, 'i');
  const dmy = new RegExp(`^\\d{1,2} (${MONTH_NAMES})[a-z]*\\.?,? \\d{4}$`, 'i');
  if (mdy.test(s)) return { date: parseDate(s, 'mdy'), order: 'mdy' };
  if (dmy.test(s)) return { date: parseDate(s, 'dmy'), order: 'dmy' };
  const n = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (n) {
    const [a, b] = [Number(n[1]), Number(n[2])];
    const order = a > 12 ? 'dmy' : b > 12 ? 'mdy' : null;
    return { date: order ? parseDate(s, order) : null, order };
  }
  return { date: parseDate(s, 'mdy'), order: null };
}

type Fields = ParsedTable['header']['fields'];

function mapHeader(cells: string[]): { fields: Fields; buckets: { index: number; label: string }[]; totalIndex: number | null } {
  const fields: Fields = {};
  const buckets: { index: number; label: string }[] = [];
  let totalIndex: number | null = null;
  cells.forEach((raw, index) => {
    const label = raw.replace(/^\*/, '').trim();
    if (!label) return;
    if (BUCKET_COLUMN.test(label.replace(/\s+/g, ' '))) {
      buckets.push({ index, label });
      return;
    }
    const n = normLabel(label);
    if (n === 'total') totalIndex = index;
    for (const field of allFields) {
      // First column wins: QuickBooks has both "Num" and "Memo"; Xero both "Invoice Number" and "Reference".
      if (!fields[field] && aliasesOf(field).includes(n) && !Object.values(fields).some((f) => f?.index === index)) fields[field] = { index, label };
    }
  });
  // In an ageing report "Total" is what is still open (the sum of the ageing columns), not the invoice amount.
  if (buckets.length && totalIndex !== null) {
    if (fields.amount?.index === totalIndex) delete fields.amount;
    if (!fields.openBalance) fields.openBalance = { index: totalIndex, label: cells[totalIndex].trim() };
  }
  return { fields, buckets, totalIndex };
}

function nameShape(titles: string[], header: string[], fields: Fields, buckets: unknown[]): { shape: string; kind: ImportKind | null } {
  const t = titles.join(' | ').toLowerCase();
  const h = header.map((c) => c.toLowerCase().trim());
  const desktop = h.includes('aging') || h.includes('p. o. #') || h.includes('class');
  if (/a\/r aging detail/.test(t) || (!t && fields.openBalance && fields.type && h.includes('customer full name')))
    return { shape: desktop ? 'QuickBooks Desktop A/R Aging Detail' : 'QuickBooks Online A/R Aging Detail', kind: 'invoices' };
  if (/a\/r aging summary/.test(t)) return { shape: desktop ? 'QuickBooks Desktop A/R Aging Summary' : 'QuickBooks Online A/R Aging Summary', kind: 'balances' };
  if (/open invoices/.test(t)) return { shape: 'QuickBooks Online Open Invoices', kind: 'invoices' };
  if (/customer contact list/.test(t)) return { shape: 'QuickBooks Online Customer Contact List', kind: 'clients' };
  const xeroBuckets = h.some((c) => /^< ?1 month$|^\d months?$/.test(c));
  if (/aged receivables detail/.test(t) || (!t && xeroBuckets && fields.number)) return { shape: 'Xero Aged Receivables Detail', kind: 'invoices' };
  if (/aged receivables summary/.test(t) || (!t && xeroBuckets)) return { shape: 'Xero Aged Receivables Summary', kind: 'balances' };
  if (h.includes('*contactname') || (h.includes('contactname') && h.includes('emailaddress'))) {
    return h.some((c) => /invoicenumber/.test(c.replace(/[^a-z]/g, ''))) ? { shape: 'Xero invoices export', kind: 'invoices' } : { shape: 'Xero Contacts', kind: 'clients' };
  }
  if (buckets.length && !fields.number) return { shape: 'ageing summary', kind: 'balances' };
  return { shape: 'table', kind: null };
}

const cleanSection = (s: string) => s.replace(/\s*\(\d+\)$/, '').trim().toLowerCase();

export function readReport(grid: Grid): ReportTable {
  const lines = grid.lines;
  const furniture: Furniture = { titles: 0, headings: 0, totals: 0, footers: 0, blank: 0 };
  let headerAt = -1;
  let mapped: ReturnType<typeof mapHeader> | null = null;
  for (let i = 0; i < Math.min(lines.length, 30); i++) {
    const m = mapHeader(lines[i].cells);
    const f = m.fields;
    const known = Object.keys(f).length + m.buckets.length;
    const firstBlank = (lines[i].cells[0] ?? '').trim() === '';
    const summary = m.buckets.length >= 2 && m.totalIndex !== null;
    if (known >= 2 && (f.name || f.externalRef || (f.number && (f.openBalance || f.amount)) || summary)) {
      headerAt = i;
      mapped = m;
      // A summary's customer sits in the unnamed first column.
      if (summary && !f.name && !f.externalRef && firstBlank) f.name = { index: 0, label: 'Customer' };
      break;
    }
  }
  if (!mapped || headerAt < 0) {
    throw new ReportError(
      'no header row found: expected a report such as QuickBooks A/R Aging Detail or Xero Aged Receivables Detail, or columns such as Customer, Date, Num, Due Date, Amount, Open Balance',
    );
  }
  const header = lines[headerAt];
  const titles = lines.slice(0, headerAt).map((l) => l.cells.filter((c) => c.trim()).join(' ').trim()).filter(Boolean);
  furniture.titles = titles.length;
  furniture.blank += lines.slice(0, headerAt).length - titles.length;
  const { shape, kind } = nameShape(titles, header.cells, mapped.fields, mapped.buckets);

  let asOf: string | null = null;
  let orderHint: 'mdy' | 'dmy' | null = null;
  for (const title of titles) {
    const m = /^(?:as (?:of|at)|as-of)\s+(.+)$/i.exec(title);
    if (m) ({ date: asOf, order: orderHint } = readTitleDate(m[1]));
  }

  const fields = mapped.fields;
  const width = Math.max(header.cells.length, ...lines.map((l) => l.cells.length));
  // Reports grouped by contact name the customer only on the heading line above its invoices.
  const grouped = !fields.name && !fields.externalRef;
  if (grouped) fields.name = { index: width, label: 'Contact' };
  const mappedCols = new Set(Object.values(fields).map((f) => f!.index).concat(mapped.buckets.map((b) => b.index)));
  const moneyCols = [fields.amount, fields.openBalance, ...mapped.buckets.filter((b) => b.index !== fields.openBalance?.index)].filter(
    (c): c is { index: number; label: string } => Boolean(c),
  );

  const rows: ParsedTable['rows'] = [];
  const errors: ImportRowError[] = [];
  const totals: TotalCheck[] = [];
  let section: { name: string; sums: Map<number, number> } | null = null;
  let group: { name: string; sums: Map<number, number>; closed: boolean } | null = null;
  const grand = new Map<number, number>();
  const body = lines.slice(headerAt + 1);
  const lastTotalAt = body.map((l) => TOTAL_LABEL.test((l.cells.find((c) => c.trim()) ?? '').trim())).lastIndexOf(true);

  const addTo = (sums: Map<number, number>, cells: string[]) => {
    for (const c of moneyCols) {
      const v = parseMoney(cells[c.index] ?? '');
      if (v !== null) sums.set(c.index, (sums.get(c.index) ?? 0) + v);
    }
  };
  const check = (l: { line: number; cells: string[]; formulas?: Set<number> }, label: string, sums: Map<number, number>, scope: 'group' | 'grand') => {
    for (const c of moneyCols) {
      const raw = l.cells[c.index] ?? '';
      if (!raw.trim()) continue;
      const fileCents = parseMoney(raw);
      if (fileCents === null) {
        errors.push({ row: l.line, column: c.label, message: `the total "${raw.slice(0, 40)}" is not an amount of money` });
        continue;
      }
      const rowsCents = sums.get(c.index) ?? 0;
      const entry: TotalCheck = { line: l.line, label, column: c.label, fileCents, rowsCents, scope };
      const staleFormula = l.formulas?.has(c.index)
        ? `the file's own formula for this total was not recalculated when it was saved (it shows ${(fileCents / 100).toFixed(2)}); the rows are what is imported`
        : null;
      if (fileCents !== rowsCents) {
        if (scope === 'group') {
          // A SUM the spreadsheet computed, not a figure the books stated: a workbook saved without
          // recalculating keeps a stale result (Xero's exports have been seen with 0.00 in every total).
          if (staleFormula) entry.note = staleFormula;
          else errors.push({ row: l.line, column: c.label, message: `"${label}" says ${(fileCents / 100).toFixed(2)} but the rows above it add up to ${(rowsCents / 100).toFixed(2)}` });
        } else {
          const overdue = [...grand.entries()].filter(([i]) => mapped!.buckets.some((b) => b.index === i && !/^current$/i.test(b.label))).reduce((s, [, v]) => s + v, 0);
          const overdueOnly = mapped!.buckets.length > 0 && (c.index === fields.openBalance?.index ? fileCents === overdue : /^current$/i.test(c.label) && fileCents === 0);
          entry.note = overdueOnly
            ? 'the grand total counts overdue amounts only (as Xero can); the rows include amounts not yet due'
            : (staleFormula ?? 'the grand total differs from the rows; the rows are what is imported');
        }
      }
      totals.push(entry);
    }
  };

  body.forEach((l, bodyIndex) => {
    const nonEmpty = l.cells.map((c, i) => ({ c: c.trim(), i })).filter((x) => x.c !== '');
    if (nonEmpty.length === 0) {
      furniture.blank++;
      return;
    }
    const first = nonEmpty[0].c;
    if (nonEmpty.length === 1 && FOOTER.test(first)) {
      furniture.footers++;
      if (!orderHint) orderHint = readTitleDate(first).order;
      return;
    }
    if (PERCENT_ROW.test(first) && nonEmpty.slice(1).every((x) => /%$/.test(x.c))) {
      furniture.totals++;
      return;
    }
    const named = cleanSection(first.replace(/^(grand\s+)?total\b(\s+for)?\s*/i, ''));
    const bare = named === '' || named === 'ar' || named === 'a/r';
    // "Total Care Ltd" alone on its line is a contact heading; a total line carries figures (or is the bare word).
    const totalLine = TOTAL_LABEL.test(first) && (bare || nonEmpty.length > 1) && (nonEmpty[0].i === 0 || !mappedCols.has(nonEmpty[0].i) || fields.name?.index === nonEmpty[0].i);
    if (totalLine) {
      furniture.totals++;
      if (group && !group.closed && (named === cleanSection(group.name) || (bare && bodyIndex !== lastTotalAt))) {
        check(l, first, group.sums, 'group');
        group.closed = true;
      } else if (section && named === cleanSection(section.name)) {
        check(l, first, section.sums, 'group');
        section = null;
      } else if (bare) {
        check(l, first, grand, 'grand');
      } else {
        errors.push({ row: l.line, message: `"${first.slice(0, 60)}" is a total line for nothing above it` });
      }
      return;
    }
    const onlyUnmapped = nonEmpty.every((x) => !mappedCols.has(x.i) || (grouped && x.i === 0));
    if (nonEmpty.length === 1 && onlyUnmapped) {
      if (BUCKET_HEADING.test(first)) {
        furniture.headings++;
        section = { name: first, sums: new Map() };
        return;
      }
      if (grouped) {
        furniture.headings++;
        group = { name: first, sums: new Map(), closed: false };
        return;
      }
      errors.push({ row: l.line, message: `"${first.slice(0, 60)}" is neither a row nor report furniture (a title, heading, total or footer)` });
      return;
    }
    if (onlyUnmapped) {
      errors.push({ row: l.line, message: 'this line has values only in columns the header does not name' });
      return;
    }
    const cells = [...l.cells];
    // A row's own total computed by a formula is the sum of its ageing columns; a workbook saved
    // without recalculating keeps a stale result (0.00), so the row's buckets are what it owes.
    const own = fields.openBalance;
    if (own && l.formulas?.has(own.index) && mapped.buckets.some((b) => b.index !== own.index)) {
      const sum = mapped.buckets.filter((b) => b.index !== own.index).reduce((acc, b) => acc + (parseMoney(cells[b.index] ?? '') ?? 0), 0);
      if (parseMoney(cells[own.index] ?? '') !== sum) cells[own.index] = (sum / 100).toFixed(2);
    }
    if (grouped) {
      if (!group || group.closed) {
        errors.push({ row: l.line, message: 'an invoice line outside any contact: the contact heading above it is missing' });
        return;
      }
      while (cells.length < width) cells.push('');
      cells[width] = group.name;
      addTo(group.sums, cells);
    }
    if (section) addTo(section.sums, cells);
    addTo(grand, cells);
    rows.push({ line: l.line, cells });
  });

  return {
    header: { line: header.line, fields },
    rows,
    shape: grid.format === 'xlsx' && shape === 'table' ? 'Excel table' : shape === 'table' ? 'CSV table' : shape,
    kind,
    asOf,
    orderHint,
    furniture,
    totals,
    buckets: mapped.buckets,
    errors,
  };
}

/** The cell of a contact export's phone column without QuickBooks' "Phone:" / "Mobile:" labels. */
export function cleanPhone(raw: string): string {
  const first = raw.split(/\s+(?=(?:mobile|fax|other|phone)\s*:)/i)[0];
  return first.replace(/^(phone|mobile|tel)\s*:\s*/i, '').trim();
}

export type { Field };
