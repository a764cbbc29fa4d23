/**
 * Reads the CSV shapes accounting tools export — QuickBooks and Xero aged-receivables style — into
 * clean rows: money as integer cents (currency symbols, thousands separators, parentheses or minus for
 * negatives, decimal comma), their date formats (ISO, US/UK numeric, "12 Jan 2026", "Jan 12, 2026"),
 * report titles, section headings and total lines skipped. No database.
 */
import Holidays from 'date-holidays';
import type { ImportKind, ImportRowError } from '../../domain/api/ingestion';

export type DateOrder = 'auto' | 'mdy' | 'dmy';

const norm = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

const ALIASES = {
  externalRef: ['customerid', 'clientid', 'accountid', 'externalref', 'contactid', 'accountnumber', 'accountno', 'customernumber', 'customerno', 'clientnumber', 'contactaccountnumber'],
  name: ['customer', 'customerfullname', 'customername', 'customerdisplayname', 'client', 'clientname', 'company', 'companyname', 'name', 'contact', 'contactname', 'displayname', 'accountname'],
  email: ['email', 'emailaddress', 'billingemail', 'contactemail', 'primaryemail'],
  contactPerson: ['contactperson', 'primarycontact', 'primaryperson', 'attention', 'attn', 'fullname'],
  firstName: ['firstname'],
  lastName: ['lastname'],
  phone: ['phone', 'phonenumber', 'phonenumbers', 'telephone', 'tel', 'mobile', 'mobilenumber'],
  terms: ['terms', 'paymentterms'],
  segment: ['segment'],
  timeZone: ['timezone', 'tz'],
  country: ['country', 'countrycode', 'pocountry', 'billingcountry', 'billtocountry', 'billingaddresscountry', 'sacountry'],
  paymentMethod: ['paymentmethod', 'method', 'paymenttype'],
  clientSince: ['clientsince', 'customersince', 'since', 'startdate'],
  currency: ['currency', 'currencycode'],
  type: ['transactiontype', 'type', 'txntype', 'documenttype', 'doctype'],
  number: ['num', 'no', 'number', 'invoicenumber', 'invoiceno', 'invoice', 'docnumber', 'documentnumber', 'transactionnumber'],
  issueDate: ['date', 'invoicedate', 'issuedate', 'transactiondate', 'txndate', 'documentdate', 'paymentdate', 'datereceived', 'receiveddate'],
  dueDate: ['duedate', 'datedue'],
  amount: ['amount', 'total', 'invoicetotal', 'invoiceamount', 'originalamount', 'gross', 'amountpaid', 'paid', 'paymentamount'],
  openBalance: ['openbalance', 'balance', 'amountdue', 'due', 'outstanding', 'balancedue'],
  reference: ['reference', 'invoicereference', 'ref', 'memo', 'checknumber', 'checkno', 'paymentref', 'paymentreference', 'transactionid'],
  appliedTo: ['appliedto', 'forinvoice', 'invoiceref'],
} as const;
export type Field = keyof typeof ALIASES;

export const aliasesOf = (field: Field): readonly string[] => ALIASES[field];
export const allFields = Object.keys(ALIASES) as Field[];
export const normLabel = norm;

export interface ParsedTable {
  header: { line: number; fields: Partial<Record<Field, { index: number; label: string }>> };
  rows: { line: number; cells: string[] }[];
}

export function detectKind(t: ParsedTable): ImportKind | null {
  const f = t.header.fields;
  if (f.email || f.phone || f.contactPerson || f.firstName) return 'clients';
  if (f.dueDate || f.openBalance || (f.number && f.type)) return 'invoices';
  if (f.amount && f.issueDate) return 'payments';
  if (f.name || f.externalRef) return 'clients';
  return null;
}

/** Money to integer cents without floating point; negatives from "-", "(…)" or a trailing "CR". */
export function parseMoney(raw: string): number | null {
  let s = raw.trim();
  if (!s) return null;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (/\s*CR$/i.test(s)) {
    negative = true;
    s = s.replace(/\s*CR$/i, '');
  }
  s = s.replace(/^[A-Z]{3}\s*/i, '').replace(/\s*[A-Z]{3}$/i, '');
  s = s.replace(/[$£€¥]|A\$|C\$|CA\$|NZ\$|US\$/g, '').replace(/[\s\u00a0']/g, '');
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  }
  s = s.replace(/^[$£€¥]/, '');
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) return null;
  let intPart = s;
  let frac = '';
  const lastSep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  if (lastSep >= 0) {
    const sep = s[lastSep];
    const after = s.slice(lastSep + 1);
    if (after.length === 3) {
      // "1,234" and "1.234.567": grouping only. Accounting exports always write cents with two digits.
      if (!/^\d{1,3}(\.\d{3})+$|^\d{1,3}(,\d{3})+$/.test(s)) return null;
      intPart = s.replace(/[.,]/g, '');
    } else if (after.length === 1 || after.length === 2) {
      const grouping = sep === '.' ? ',' : '.';
      const head = s.slice(0, lastSep);
      if (head && !/^\d+$/.test(head) && !new RegExp(`^\\d{1,3}(\\${grouping}\\d{3})+$`).test(head)) return null;
      intPart = head.split(grouping).join('');
      frac = after;
    } else return null;
  }
  if (frac.length > 2 || !/^\d*$/.test(frac)) return null;
  if (intPart.length > 13) return null;
  const cents = Number(intPart || '0') * 100 + Number((frac + '00').slice(0, 2));
  if (!Number.isSafeInteger(cents)) return null;
  return negative ? -cents : cents;
}

const SYMBOLS: [RegExp, string][] = [
  [/US\$/, 'USD'],
  [/NZ\$/, 'NZD'],
  [/A\$|AU\$/, 'AUD'],
  [/CA?\$/, 'CAD'],
  [/£/, 'GBP'],
  [/€/, 'EUR'],
];

/** The currency an amount names itself ("£2,400.00", "2,400.00 GBP"), if any; a bare "$" names none. */
export function moneyCurrency(raw: string): string | null {
  const code = /^\(?-?\s*([A-Z]{3})\s|\s([A-Z]{3})\)?$/.exec(raw.trim());
  if (code) return code[1] ?? code[2];
  return SYMBOLS.find(([re]) => re.test(raw))?.[1] ?? null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthOf = (s: string) => {
  const i = MONTHS.indexOf(s.slice(0, 3).toLowerCase());
  return i < 0 || (s.length > 3 && !/^[a-z]+\.?$/i.test(s)) ? 0 : i + 1;
};

function valid(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > last) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const fullYear = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

/** A numeric date whose order the file decides: a/b/y. */
export function numericParts(raw: string): [number, number, number] | null {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(raw.trim());
  return m ? [Number(m[1]), Number(m[2]), fullYear(m[3])] : null;
}

export function parseDate(raw: string, order: 'mdy' | 'dmy'): string | null {
  const s = raw.trim().replace(/\s+/g, ' ');
  if (!s) return null;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  const n = numericParts(s);
  if (n) return order === 'mdy' ? valid(n[2], n[0], n[1]) : valid(n[2], n[1], n[0]);
  m = /^(\d{1,2})[\s-]([A-Za-z]+\.?)[\s,-]*(\d{2}|\d{4})$/.exec(s); // 12 Jan 2026, 12-Jan-26
  if (m) return monthOf(m[2]) ? valid(fullYear(m[3]), monthOf(m[2]), Number(m[1])) : null;
  m = /^([A-Za-z]+\.?) (\d{1,2}),? (\d{4})$/.exec(s); // Jan 12, 2026
  if (m) return monthOf(m[1]) ? valid(Number(m[3]), monthOf(m[1]), Number(m[2])) : null;
  return null;
}

/**
 * How to read 03/04/2026: as requested, else as the report's own title writes its date (`hint`, refused
 * when the rows contradict it), else from the dates in the file; an error when it cannot tell.
 */
export function detectDateOrder(values: string[], requested: DateOrder, hint: 'mdy' | 'dmy' | null = null): { order: 'mdy' | 'dmy' } | { error: string } {
  if (requested !== 'auto') return { order: requested };
  let firstBig = false;
  let secondBig = false;
  let ambiguous = false;
  for (const v of values) {
    const n = numericParts(v);
    if (!n) continue;
    if (n[0] > 12) firstBig = true;
    else if (n[1] > 12) secondBig = true;
    else if (n[0] !== n[1]) ambiguous = true;
  }
  if (firstBig && secondBig) return { error: 'the file mixes day-first and month-first dates' };
  if (hint) {
    if ((hint === 'mdy' && firstBig) || (hint === 'dmy' && secondBig))
      return { error: `the report's title writes its date ${hint === 'mdy' ? 'month-first' : 'day-first'}, but its rows have dates that are ${hint === 'mdy' ? 'day-first' : 'month-first'}; choose the date order (dateOrder=mdy or dmy)` };
    return { order: hint };
  }
  if (firstBig) return { order: 'dmy' };
  if (secondBig) return { order: 'mdy' };
  if (ambiguous) return { error: 'dates such as 03/04/2026 could be day-first or month-first; choose the date order (dateOrder=mdy or dmy)' };
  return { order: 'mdy' };
}

/** "Net 30", "30", "Due on receipt", "30 days" → days. */
export function parseTerms(raw: string): number | null {
  const s = raw.trim().toLowerCase();
  if (!s) return null;
  if (/due (on|upon) receipt|immediate|cod/.test(s)) return 0;
  const m = /(\d{1,3})/.exec(s);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n <= 365 ? n : null;
}

export function cell(t: ParsedTable, row: { cells: string[] }, field: Field): string {
  const f = t.header.fields[field];
  return f ? (row.cells[f.index] ?? '').trim() : '';
}

export type RowError = ImportRowError;

let countryNames: Map<string, string> | undefined;
/** Names and common short forms people and accounting tools write for a country. */
const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US', us: 'US', unitedstates: 'US', america: 'US',
  uk: 'GB', greatbritain: 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', northernireland: 'GB',
  uae: 'AE', holland: 'NL', republicofireland: 'IE', eire: 'IE',
};

/**
 * A country cell as an ISO 3166 alpha-2 code ("New Zealand", "NZ", "United States" → NZ, NZ, US), or
 * null when it names no country we know. The names come from date-holidays, which the product already
 * uses for the same countries' public holidays.
 */
export function countryCode(raw: string): string | null {
  const text = raw.trim();
  if (!text) return null;
  if (!countryNames) {
    countryNames = new Map();
    for (const [code, name] of Object.entries(new Holidays().getCountries('en'))) {
      countryNames.set(norm(code), code);
      countryNames.set(norm(name), code);
    }
    for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) countryNames.set(alias, code);
  }
  return countryNames.get(norm(text)) ?? null;
}
