/**
 * Imports one downloaded file — an accounting tool's report (.xlsx or .csv, see report.ts) or a plain
 * table of clients, invoices or payments — all or nothing: every row is validated first; then the file
 * is written in one transaction — new invoices of otherwise quiet accounts set-based (bulk.ts), every
 * other row through db/ledger.ts in its own savepoint so a refused row is reported and the rest still
 * checked; any error rolls the whole file back. A dry run does the same writes and rolls back, so its
 * report (every line's outcome, paid and settled in the books included) is exactly what a real run does.
 *
 * An aging report is a snapshot of the books on its "as of" date. Re-importing a newer one records what
 * changed in the books: a lower open balance is "paid in the books" (the difference, dated the report's
 * date), an open invoice of a customer in the report that the report no longer lists is "settled in the
 * books"; both name the imported file, which is kept as evidence. A higher balance or a changed amount is
 * reported, never guessed. Re-importing the same file changes nothing.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { EventActor } from '../../db/events';
import * as ledger from '../../db/facts';
import * as t from '../../db/schema';
import { bulkInsertInvoices, whoKey } from '../../db/facts/bulk-invoices';
import { paymentMethods, segments, type PaymentMethod } from '../../domain/facts';
import type { ImportKind, ImportLine, ImportReport, ImportRowError } from '../../domain/api/ingestion';
import { cell, countryCode, detectKind, moneyCurrency, detectDateOrder, parseDate, parseMoney, parseTerms, type DateOrder, type Field } from './parse';
import { cleanPhone, readReport, ReportError, type ReportTable } from './report';
import { FileError, readGrid } from './sheet';

export interface ImportOptions {
  kind?: ImportKind;
  dryRun: boolean;
  dateOrder: DateOrder;
  /** The currency of amounts that name none; USD when not given. */
  currency?: string;
  fileName?: string;
  /** Customers with open invoices who are not in the report were settled in the books too (see ImportQuery). */
  settleAbsent?: boolean;
  /** The importer's today, for accounts with no "client since". */
  today: string;
  onProgress?(done: number, total: number): void;
}

export interface ImportResult {
  report: Omit<ImportReport, 'workflow'>;
  /** Accounts whose facts changed, with their final facts version: to signal after commit. */
  touched: Map<string, number>;
}

type Who = { externalRef: string | null; name: string };
type Contact = { name: string; email: string; phone?: string; isPrimary?: boolean };
type Item =
  | { line: number; op: 'client'; who: Who; input: ledger.ClientInput & { externalRef: string | null }; currency: string | null }
  | { line: number; op: 'invoice'; who: Who; number: string; issueDate: string; dueDate: string | null; amountCents: number; openCents: number | null; currency: string }
  | { line: number; op: 'payment'; who: Who; kind: 'payment' | 'credit_note'; amountCents: number; date: string; method: PaymentMethod; reference: string | null; invoiceNumber: string | null; key: string; currency: string }
  | { line: number; op: 'balance'; who: Who; openCents: number; currency: string };

const METHOD_WORDS: [RegExp, PaymentMethod][] = [
  [/ach|eft|bank|direct debit|transfer|bacs|sepa/i, 'ach'],
  [/card|visa|master|amex|stripe/i, 'card'],
  [/che(ck|que)/i, 'check'],
  [/wire|swift/i, 'wire'],
];
const methodOf = (raw: string): PaymentMethod | null => {
  if (!raw) return 'other';
  const lower = raw.toLowerCase();
  if ((paymentMethods as readonly string[]).includes(lower)) return lower as PaymentMethod;
  return METHOD_WORDS.find(([re]) => re.test(raw))?.[1] ?? 'other';
};

const MAX_TEXT = 200;
const MAX_LINES = 10_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const money = (cents: number) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

function emptyReport(kind: ImportKind, dryRun: boolean, rows = 0): ImportResult['report'] {
  return {
    shape: 'unknown',
    asOf: null,
    kind,
    dryRun,
    committed: false,
    rows,
    accountsCreated: 0,
    accountsUpdated: 0,
    invoicesCreated: 0,
    invoicesUpdated: 0,
    invoicesUnchanged: 0,
    paymentsRecorded: 0,
    creditNotesRecorded: 0,
    paidInBooks: 0,
    settledInBooks: 0,
    absentCustomers: 0,
    skipped: 0,
    file: { invoices: 0, credits: 0, customers: 0, open: {} },
    furniture: { titles: 0, headings: 0, totals: 0, footers: 0, blank: 0 },
    totals: [],
    lines: [],
    accountsWithoutContact: [],
    notes: [],
    importId: null,
    errors: [],
  };
}

function plan(table: ReportTable, kind: ImportKind, order: 'mdy' | 'dmy', defaultCurrency: string, errors: ImportRowError[]): Item[] {
  const items: Item[] = [];
  const f = table.header.fields;
  const label = (field: Field) => f[field]?.label ?? field;
  const seenInvoices = new Map<string, number>();
  const seenPayments = new Map<string, number>();
  const currencyOf = new Map<string, { currency: string; line: number }>();
  for (const row of table.rows) {
    const err = (column: string | undefined, message: string) => errors.push({ row: row.line, ...(column ? { column } : {}), message });
    const before = errors.length;
    const get = (field: Field) => cell(table, row, field);
    const text = (field: Field, required: boolean): string | null => {
      const v = get(field);
      if (!v) {
        if (required) err(label(field), 'is empty');
        return null;
      }
      if (v.length > MAX_TEXT) {
        err(label(field), `is longer than ${MAX_TEXT} characters`);
        return null;
      }
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v)) {
        err(label(field), 'contains control characters');
        return null;
      }
      return v;
    };
    const date = (field: Field, required: boolean): string | null => {
      const v = get(field);
      if (!v) {
        if (required) err(label(field), 'is empty');
        return null;
      }
      const d = parseDate(v, order);
      if (!d) err(label(field), `"${v.slice(0, 40)}" is not a date this importer reads (e.g. 2026-01-31, 01/31/2026, 31 Jan 2026)`);
      return d;
    };
    const moneyOf = (raw: string, column: string, required: boolean): number | null => {
      if (!raw) {
        if (required) err(column, 'is empty');
        return null;
      }
      const c = parseMoney(raw);
      if (c === null) err(column, `"${raw.slice(0, 40)}" is not an amount of money`);
      else if (Math.abs(c) > 1_000_000_000_000) err(column, 'is implausibly large');
      return c;
    };
    const amountOf = (field: Field, required: boolean) => moneyOf(get(field), label(field), required);
    const who = (): Who | null => {
      const externalRef = text('externalRef', false);
      const name = text('name', !externalRef);
      if (!externalRef && !name) return null;
      return { externalRef, name: name ?? externalRef! };
    };
    /** The row's currency: its own column, else what its amounts say, else the file's. One client, one currency. */
    const currency = (w: Who | null): string => {
      const named = get('currency').toUpperCase();
      if (named && !/^[A-Z]{3}$/.test(named)) err(label('currency'), 'must be a three-letter code such as USD');
      const fromAmounts = [get('amount'), get('openBalance')].map(moneyCurrency).find(Boolean) ?? null;
      if (named && fromAmounts && named !== fromAmounts) err(label('currency'), `says ${named} but the amounts are in ${fromAmounts}`);
      const c = (named && /^[A-Z]{3}$/.test(named) ? named : null) ?? fromAmounts ?? defaultCurrency;
      if (w) {
        const k = whoKey(w);
        const seen = currencyOf.get(k);
        if (seen && seen.currency !== c) err(label('currency'), `"${w.name}" is in ${seen.currency} on line ${seen.line} and in ${c} here: a client has one currency`);
        else if (!seen) currencyOf.set(k, { currency: c, line: row.line });
      }
      return c;
    };

    if (kind === 'clients') {
      const w = who();
      const name = w?.name ?? null;
      const externalRef = w?.externalRef ?? null;
      const emails = (get('email') || '').split(/[;,\s]+/).filter(Boolean);
      for (const e of emails) if (!EMAIL.test(e) || e.length > 254) err(label('email'), `"${e.slice(0, 60)}" is not an e-mail address`);
      const termsRaw = get('terms');
      const terms = termsRaw ? parseTerms(termsRaw) : null;
      if (termsRaw && terms === null) err(label('terms'), `"${termsRaw.slice(0, 40)}" is not payment terms (e.g. Net 30)`);
      const segmentRaw = get('segment').toLowerCase().replace(/[\s-]+/g, '_');
      if (segmentRaw && !(segments as readonly string[]).includes(segmentRaw)) err(label('segment'), `must be one of ${segments.join(', ')}`);
      const countryRaw = get('country');
      const country = countryRaw ? countryCode(countryRaw) : null;
      if (countryRaw && !country) err(label('country'), `"${countryRaw.slice(0, 40)}" is not a country we know (e.g. GB, United Kingdom)`);
      const tz = get('timeZone');
      if (tz && !validTimeZone(tz)) err(label('timeZone'), `"${tz.slice(0, 40)}" is not a time zone (e.g. America/Chicago)`);
      const methodRaw = get('paymentMethod');
      const since = date('clientSince', false);
      const named = get('currency').toUpperCase();
      if (named && !/^[A-Z]{3}$/.test(named)) err(label('currency'), 'must be a three-letter code such as USD');
      const person = text('contactPerson', false) ?? ([get('firstName'), get('lastName')].filter(Boolean).join(' ') || null);
      const phone = get('phone') ? cleanPhone(get('phone')).slice(0, 40) : null;
      if (externalRef) {
        const prev = seenInvoices.get(`client:${externalRef}`);
        if (prev) err(label('externalRef'), `the same client id is also on line ${prev}`);
        seenInvoices.set(`client:${externalRef}`, row.line);
      }
      if (errors.length === before && name && w) {
        const contacts: Contact[] = emails.map((email, i) => ({ name: person ?? name, email, ...(phone && i === 0 ? { phone } : {}), isPrimary: i === 0 }));
        items.push({
          line: row.line,
          op: 'client',
          who: w,
          currency: named || null,
          input: {
            externalRef,
            name,
            ...(terms !== null ? { paymentTermsDays: terms } : {}),
            ...(segmentRaw ? { segment: segmentRaw as (typeof segments)[number] } : {}),
            ...(tz ? { timeZone: tz } : {}),
            ...(country ? { country } : {}),
            ...(methodRaw ? { paymentMethod: methodOf(methodRaw) ?? 'other' } : {}),
            ...(since ? { clientSince: since } : {}),
            ...(named ? { currency: named } : {}),
            ...(contacts.length ? { contacts } : {}),
          },
        });
      }
      continue;
    }

    const w = who();
    const type = get('type').toLowerCase();
    if (kind === 'balances') {
      const open = amountOf('openBalance', true);
      const cur = currency(w);
      if (errors.length > before || !w || open === null) continue;
      items.push({ line: row.line, op: 'balance', who: w, openCents: open, currency: cur });
      continue;
    }
    if (kind === 'invoices') {
      const number = text('number', true);
      const issueDate = date('issueDate', !f.dueDate);
      const dueDate = date('dueDate', false);
      const amount = amountOf('amount', !f.openBalance);
      const open = amountOf('openBalance', false);
      const cur = currency(w);
      if (table.buckets.length && open !== null) {
        const parts = table.buckets.map((b) => (row.cells[b.index] ?? '').trim()).filter(Boolean).map(parseMoney);
        const sum = parts.reduce<number>((s, p) => s + (p ?? 0), 0);
        if (parts.every((p) => p !== null) && parts.length && sum !== open) err(f.openBalance!.label, `the ageing columns add up to ${money(sum)}, the total says ${money(open)}`);
      }
      const gross = amount ?? open;
      const isCredit = /credit|refund/.test(type) || (gross !== null && gross < 0);
      const isPayment = /payment/.test(type);
      if (issueDate && dueDate && dueDate < issueDate && !isCredit && !isPayment) err(label('dueDate'), 'is before the invoice date');
      if (amount !== null && open !== null && !isCredit && !isPayment && (open < 0 || open > amount)) err(label('openBalance'), 'must be between zero and the invoice amount');
      if (gross === 0 && isCredit) err(label('amount'), 'a credit note of zero');
      if (number && w) {
        const k = `${w.externalRef ?? w.name.toLowerCase()}|${isCredit ? 'cr' : isPayment ? 'pay' : 'inv'}|${number}`;
        const prev = seenInvoices.get(k);
        if (prev) err(label('number'), `${number} is also on line ${prev}`);
        seenInvoices.set(k, row.line);
      }
      if (errors.length > before || !w || !number || gross === null) continue;
      if (isCredit || isPayment) {
        const d = issueDate ?? dueDate ?? table.asOf;
        if (!d) {
          err(label('issueDate'), 'a credit or payment needs its date');
          continue;
        }
        items.push({
          line: row.line,
          op: 'payment',
          who: w,
          kind: isPayment ? 'payment' : 'credit_note',
          // What is still open of a credit memo is what the books have not yet applied.
          amountCents: Math.abs(open ?? gross),
          date: d,
          method: 'other',
          reference: number,
          invoiceNumber: null,
          key: `${isPayment ? 'payment' : 'credit'}:${number}`,
          currency: cur,
        });
      } else {
        const d = issueDate ?? dueDate;
        if (!d) {
          err(label('issueDate'), 'an invoice needs its date (an invoice date or a due date)');
          continue;
        }
        items.push({ line: row.line, op: 'invoice', who: w, number, issueDate: d, dueDate, amountCents: amount ?? open!, openCents: amount !== null ? open : null, currency: cur });
      }
      continue;
    }

    // payments
    const d = date('issueDate', true);
    const amount = amountOf('amount', true);
    if (amount === 0) err(label('amount'), 'is zero');
    const cur = currency(w);
    const methodRaw = get('paymentMethod');
    const reference = text('reference', false) ?? text('number', false);
    const invoiceNumber = text('appliedTo', false) ?? (f.reference && f.number ? text('number', false) : null);
    if (errors.length > before || !w || d === null || amount === null) continue;
    const isCredit = /credit/.test(type);
    // Identical rows (same client, date, amount, reference) are told apart by how often they occur, so a
    // re-import of the same file records nothing twice.
    const base = `${w.externalRef ?? w.name.toLowerCase()}|${d}|${Math.abs(amount)}|${reference ?? ''}`;
    const n = (seenPayments.get(base) ?? 0) + 1;
    seenPayments.set(base, n);
    items.push({ line: row.line, op: 'payment', who: w, kind: isCredit ? 'credit_note' : 'payment', amountCents: Math.abs(amount), date: d, method: methodOf(methodRaw) ?? 'other', reference, invoiceNumber, key: `${isCredit ? 'credit' : 'payment'}:${d}:${Math.abs(amount)}:${reference ?? ''}:${n}`, currency: cur });
  }
  return items;
}

/** What a file holds, read and checked without any database: `npm run import -- --check`, and the start of every import. */
export interface Checked {
  table: ReportTable | null;
  kind: ImportKind;
  items: Item[];
  report: ImportResult['report'];
}

export async function checkFile(file: string | Uint8Array, options: Pick<ImportOptions, 'kind' | 'dateOrder' | 'currency' | 'dryRun'>): Promise<Checked> {
  let table: ReportTable;
  try {
    table = readReport(await readGrid(file));
  } catch (err) {
    if (!(err instanceof ReportError) && !(err instanceof FileError)) throw err;
    const report = emptyReport(options.kind ?? 'invoices', options.dryRun);
    report.errors.push({ row: 1, message: err.message });
    return { table: null, kind: report.kind, items: [], report };
  }
  const kind = options.kind ?? table.kind ?? detectKind(table);
  const report = emptyReport(kind ?? 'invoices', options.dryRun, table.rows.length);
  Object.assign(report, { shape: table.shape, asOf: table.asOf, furniture: table.furniture, totals: table.totals });
  report.errors.push(...table.errors);
  const fail = (message: string) => {
    report.errors.push({ row: table.header.line, message });
    return { table, kind: report.kind, items: [], report };
  };
  if (!kind) return fail('cannot tell whether this file holds clients, invoices or payments; choose the kind');
  const f = table.header.fields;
  const missing: string[] = [];
  if (!f.name && !f.externalRef) missing.push('Customer (or Customer ID)');
  if (kind === 'invoices') {
    if (!f.number) missing.push('Num / Invoice Number');
    if (!f.amount && !f.openBalance) missing.push('Amount / Total / Open Balance');
    if (!f.issueDate && !f.dueDate) missing.push('Date / Invoice Date / Due Date');
  }
  if (kind === 'payments') {
    if (!f.issueDate) missing.push('Date / Payment Date');
    if (!f.amount) missing.push('Amount');
  }
  if (kind === 'balances' && !f.openBalance) missing.push('Total');
  if (kind === 'clients' && !f.name) missing.push('Customer / Name');
  if (missing.length) return fail(`missing column(s) for ${kind}: ${missing.join(', ')}`);
  if (table.rows.length === 0 && report.errors.length === 0) return fail('the file has a header but no rows');
  const dateCells = table.rows.flatMap((r) => [cell(table, r, 'issueDate'), cell(table, r, 'dueDate'), cell(table, r, 'clientSince')]).filter(Boolean);
  const order = detectDateOrder(dateCells, options.dateOrder, table.orderHint);
  if ('error' in order) return fail(order.error);
  const items = plan(table, kind, order.order, options.currency ?? fileCurrency(table) ?? 'USD', report.errors);
  report.skipped = Math.max(0, table.rows.length - items.length - new Set(report.errors.map((e) => e.row)).size);
  const customers = new Set<string>();
  for (const it of items) {
    customers.add(whoKey(it.who));
    if (it.op === 'invoice') {
      report.file.invoices++;
      report.file.open[it.currency] = (report.file.open[it.currency] ?? 0) + (it.openCents ?? it.amountCents);
    } else if (it.op === 'payment') {
      if (it.kind === 'credit_note') report.file.credits++;
      report.file.open[it.currency] = (report.file.open[it.currency] ?? 0) - it.amountCents;
    } else if (it.op === 'balance') report.file.open[it.currency] = (report.file.open[it.currency] ?? 0) + it.openCents;
  }
  report.file.customers = customers.size;
  report.errors.sort((a, b) => a.row - b.row);
  return { table, kind, items, report };
}

/** The one currency a file's amounts and currency column name, if they name exactly one: amounts without a symbol are in it too. */
function fileCurrency(table: ReportTable): string | null {
  const named = new Set<string>();
  for (const r of table.rows) {
    const c = cell(table, r, 'currency').toUpperCase();
    if (/^[A-Z]{3}$/.test(c)) named.add(c);
    for (const field of ['amount', 'openBalance'] as const) {
      const m = moneyCurrency(cell(table, r, field));
      if (m) named.add(m);
    }
  }
  return named.size === 1 ? [...named][0] : null;
}

/** The last line of `npm run import -- --check`. */
export function checkLine(report: ImportResult['report']): string {
  const open = Object.entries(report.file.open);
  const total = open.length ? open.map(([c, v]) => `${money(v)} ${c}`).join(' + ') : '0.00 USD';
  return `check: ${report.shape}, ${report.file.invoices} invoices, ${report.file.credits} credits, ${report.file.customers} customers, open ${total}, ${report.errors.length} errors`;
}

class Rollback extends Error {}

type Existing = { id: string; accountId: string; number: string; status: string; amountCents: number; balanceCents: number; credited: number; issueDate: string; dueDate: string };

export async function runImport(db: Db, file: string | Uint8Array, options: ImportOptions, actor: EventActor): Promise<ImportResult> {
  const checked = await checkFile(file, options);
  const { table, kind, items, report } = checked;
  if (report.errors.length || !table) return { report, touched: new Map() };

  const touched = new Map<string, number>();
  const line = (l: ImportLine) => {
    if (report.lines.length < MAX_LINES) report.lines.push(l);
  };
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(file);
  // A report with its "as of" date is a snapshot of the books: what it no longer shows was paid or settled.
  let snapshot = kind === 'invoices' && table.asOf !== null;
  try {
    await db.transaction(async (tx) => {
      const imp = await ledger.beginImport(tx, { fileName: options.fileName ?? null, bytes, shape: table.shape, asOf: table.asOf, kind, actorName: actor.name ?? null });
      if (snapshot && imp.newestAsOf && imp.newestAsOf > table.asOf!) {
        snapshot = false;
        report.notes.push(`This report is as of ${table.asOf}, older than the one imported as of ${imp.newestAsOf}: lower balances in it are reported, not recorded as paid.`);
      }
      report.importId = imp.importId;

      // Every customer of the file, with its currency: an account has one, a row in another is refused.
      const accounts = new Map<string, string>();
      const currencyOf = new Map<string, string>();
      const refs = [...new Set(items.map((i) => i.who.externalRef).filter((r): r is string => r !== null))];
      // A client id the ledger does not know yet may still name a client imported by name before (an aging report has no ids).
      const names = [...new Set(items.map((i) => i.who.name.toLowerCase()))];
      type Found = { id: string; external_ref: string | null; lname: string; currency: string };
      const found: Found[] = [];
      if (refs.length) found.push(...(await tx.execute<Found>(sql`select id, external_ref, lower(name) lname, currency from accounts where external_ref = any(${sql.param(refs)}::text[])`)));
      if (names.length)
        found.push(...(await tx.execute<Found>(sql`select distinct on (lower(name)) id, external_ref, lower(name) lname, currency from accounts where lower(name) = any(${sql.param(names)}::text[]) order by lower(name), created_at`)));
      for (const it of items) {
        const byName = found.find((x) => x.lname === it.who.name.toLowerCase());
        const a = it.who.externalRef ? (found.find((x) => x.external_ref === it.who.externalRef) ?? (byName?.external_ref === null ? byName : undefined)) : byName;
        if (!a) continue;
        accounts.set(whoKey(it.who), a.id);
        currencyOf.set(a.id, a.currency);
        const rowCurrency = it.currency;
        if (rowCurrency && rowCurrency !== a.currency)
          report.errors.push({
            row: it.line,
            column: 'Currency',
            message: `"${it.who.name}" is an account in ${a.currency}; this row is in ${rowCurrency}. An account has one currency: give the ${rowCurrency} client its own id or name`,
          });
      }
      if (report.errors.length) throw new Rollback();

      const findAccount = (w: Who) => accounts.get(whoKey(w)) ?? null;
      const ensureAccount = async (w: Who, currency: string, clientSince: string) => {
        const known = findAccount(w);
        if (known) return known;
        const c = await ledger.upsertClient(tx, { externalRef: w.externalRef, name: w.name, clientSince, currency }, actor, options.today);
        accounts.set(whoKey(w), c.accountId);
        currencyOf.set(c.accountId, currency);
        touched.set(c.accountId, c.factsVersion);
        report.accountsCreated++;
        return c.accountId;
      };

      // The ledger as it was before this file, for the invoices the file names again.
      const existing = new Map<string, Existing>();
      const knownIds = [...new Set(accounts.values())];
      if (kind === 'invoices' && knownIds.length) {
        const rows = await tx.execute<{ id: string; account_id: string; number: string; status: string; amount_cents: string; balance_cents: string; credited: string; issue_date: string; due_date: string }>(sql`
          select i.id, i.account_id, i.number, i.status, i.amount_cents, i.balance_cents, i.issue_date::text, i.due_date::text,
            coalesce((select sum(a.amount_cents) from ${t.paymentAllocations} a join ${t.payments} p on p.id = a.payment_id
                      where a.invoice_id = i.id and p.kind = 'credit_note' and p.idempotency_key like 'import:%'), 0) credited
          from ${t.invoices} i where i.account_id = any(${sql.param(knownIds)}::text[]::uuid[])`);
        for (const r of rows)
          existing.set(`${r.account_id}|${r.number}`, {
            id: r.id,
            accountId: r.account_id,
            number: r.number,
            status: r.status,
            amountCents: Number(r.amount_cents),
            balanceCents: Number(r.balance_cents),
            credited: Number(r.credited),
            issueDate: r.issue_date,
            dueDate: r.due_date,
          });
      }

      let done = 0;
      // New invoices of accounts with nothing else going on go in set-based; the rest row by row.
      const fresh = items.filter((it) => it.op !== 'invoice' || !findAccount(it.who) || !existing.has(`${findAccount(it.who)}|${it.number}`));
      const bulkAccounts = new Map(accounts);
      const bulk = kind === 'invoices' ? await bulkInsertInvoices(tx, fresh.filter((it) => it.op !== 'client'), bulkAccounts, actor, options.today) : undefined;
      const bulkCreated = new Set<string>();
      if (bulk) {
        report.accountsCreated += bulk.accountsCreated;
        report.invoicesCreated += bulk.invoicesCreated;
        for (const [id, v] of bulk.touched) touched.set(id, v);
        for (const [k, id] of bulkAccounts) {
          if (!accounts.has(k)) {
            accounts.set(k, id);
            bulkCreated.add(k);
          }
        }
      }
      const bulkHandled = (it: Item) => bulk !== undefined && it.op === 'invoice' && bulk.handled.has(whoKey(it.who)) && !existing.has(`${findAccount(it.who)}|${it.number}`);

      if (snapshot) {
        // Open invoices of the report's customers that the report no longer lists were settled in the books;
        // settled first, so a credit the report still shows stays unapplied, as it is in the books.
        const listed = new Set(items.filter((i) => i.op === 'invoice').map((i) => `${findAccount(i.who)}|${i.number}`));
        const covered = [...new Set(items.map((i) => findAccount(i.who)).filter((id): id is string => id !== null))];
        const open = covered.length
          ? await tx.select().from(t.invoices).where(sql`${t.invoices.accountId} = any(${sql.param(covered)}::text[]::uuid[]) and ${t.invoices.status} = 'open' and ${t.invoices.issueDate} <= ${table.asOf}`)
          : [];
        const nameOf = new Map(items.map((i) => [findAccount(i.who), i.who.name]));
        // Customers the report does not mention at all, in the report's currencies: an unfiltered aging
        // report leaves out exactly those who owe nothing in the books. Settled only when the user says the
        // report covers every customer; otherwise listed, so the dry run shows what the report leaves out.
        const currencies = [...new Set(items.filter((i) => i.op === 'invoice').map((i) => i.currency))];
        const absent = currencies.length
          ? await tx
              .select({ inv: t.invoices, name: t.accounts.name })
              .from(t.invoices)
              .innerJoin(t.accounts, sql`${t.accounts.id} = ${t.invoices.accountId}`)
              .where(
                sql`${t.invoices.status} = 'open' and ${t.invoices.balanceCents} > 0 and ${t.invoices.issueDate} <= ${table.asOf}
                  and ${t.invoices.currency} = any(${sql.param(currencies)}::text[])
                  and not (${t.invoices.accountId} = any(${sql.param(covered)}::text[]::uuid[]))`,
              )
              .orderBy(t.accounts.name, t.invoices.number)
          : [];
        for (const { inv, name } of absent) {
          if (options.settleAbsent) {
            open.push(inv);
            nameOf.set(inv.accountId, name);
          } else {
            report.absentCustomers++;
            line({ row: null, customer: name, number: inv.number, outcome: 'absent_customer', amountCents: inv.balanceCents, currency: inv.currency, message: `the customer is not in the report as of ${table.asOf}; left open` });
          }
        }
        if (report.absentCustomers > 0)
          report.notes.push(
            `${new Set(absent.map((a) => a.inv.accountId)).size} customer(s) with open invoices in Tactful are not in this report. If the report covers every customer, they owe nothing in the books: import it again with "settle customers missing from the report" to record that.`,
          );
        for (const inv of open) {
          if (listed.has(`${inv.accountId}|${inv.number}`) || inv.balanceCents <= 0) continue;
          const p = await ledger.recordPayment(
            tx,
            {
              accountId: inv.accountId,
              amountCents: inv.balanceCents,
              receivedAt: new Date(`${table.asOf}T12:00:00Z`),
              basis: 'settled_in_books',
              importId: imp.importId,
              method: 'other',
              reference: `settled in the books (not in the report as of ${table.asOf})`,
              invoiceId: inv.id,
              idempotencyKey: `import:${inv.accountId}:settled:${inv.number}:${table.asOf}`,
            },
            actor,
          );
          touched.set(inv.accountId, p.factsVersion);
          report.settledInBooks++;
          line({ row: null, customer: nameOf.get(inv.accountId) ?? '', number: inv.number, outcome: 'settled_in_books', amountCents: inv.balanceCents, currency: inv.currency, message: `not in the report as of ${table.asOf}: paid or voided in the books` });
        }
      }

      for (const it of items) {
        const base = { row: it.line, customer: it.who.name, currency: it.currency };
        if (bulkHandled(it) && it.op === 'invoice') {
          line({ ...base, number: it.number, outcome: 'created', amountCents: it.amountCents });
          done++;
          continue;
        }
        try {
          if (it.op === 'client') {
            // Without a client id, a client is recognised by its name, as people do.
            const existingId = findAccount(it.who);
            const r = await ledger.upsertClient(tx, existingId ? { ...it.input, accountId: existingId } : it.input, actor, options.today);
            if (r.created) report.accountsCreated++;
            else report.accountsUpdated++;
            accounts.set(whoKey(it.who), r.accountId);
            touched.set(r.accountId, r.factsVersion);
            line({ ...base, number: null, outcome: r.created ? 'client_created' : 'client_updated', amountCents: null, message: it.input.contacts?.length ? `contact ${it.input.contacts[0].email}` : 'no e-mail address in the file' });
          } else if (it.op === 'balance') {
            const accountId = await ensureAccount(it.who, it.currency, options.today);
            const [acc] = await tx.select({ balance: t.accounts.balanceCents }).from(t.accounts).where(sql`${t.accounts.id} = ${accountId}`);
            const same = acc.balance === it.openCents;
            if (same) report.invoicesUnchanged++;
            line({ ...base, number: null, outcome: same ? 'checked' : 'reported', amountCents: it.openCents, ...(same ? {} : { message: `the books say ${money(it.openCents)} open, Tactful has ${money(acc.balance)}; a summary names no invoices, so nothing is changed` }) });
          } else if (it.op === 'invoice') {
            const accountId = await ensureAccount(it.who, it.currency, it.issueDate);
            const before = existing.get(`${accountId}|${it.number}`);
            let dueDate = it.dueDate;
            if (!dueDate) {
              const [acc] = await tx.select({ terms: t.accounts.paymentTermsDays }).from(t.accounts).where(sql`${t.accounts.id} = ${accountId}`);
              dueDate = new Date(Date.parse(`${it.issueDate}T00:00:00Z`) + acc.terms * 86_400_000).toISOString().slice(0, 10);
            }
            if (before) await reimported(it, before, dueDate);
            else {
              const r = await ledger.upsertInvoice(tx, { accountId, number: it.number, issueDate: it.issueDate, dueDate, amountCents: it.amountCents }, actor);
              report.invoicesCreated++;
              touched.set(accountId, r.factsVersion);
              line({ ...base, number: it.number, outcome: 'created', amountCents: it.amountCents });
              // What an aging line shows as already paid is recorded once, as what it is: paid, on a day nobody gave.
              if (it.openCents !== null && it.openCents < it.amountCents) {
                const paid = it.amountCents - it.openCents;
                const p = await ledger.recordPayment(
                  tx,
                  { accountId, amountCents: paid, receivedAt: new Date(`${it.issueDate}T00:00:00Z`), dated: false, basis: 'paid_before_import', importId: imp.importId, method: 'other', reference: 'paid before import', invoiceId: r.invoiceId, idempotencyKey: `import:${accountId}:paid-before-import:${it.number}` },
                  actor,
                );
                touched.set(accountId, p.factsVersion);
                line({ ...base, number: it.number, outcome: 'paid_before_import', amountCents: paid, message: 'already paid when imported; no payment date is known' });
              }
            }
          } else {
            const accountId = kind === 'invoices' ? await ensureAccount(it.who, it.currency, it.date) : findAccount(it.who);
            if (!accountId) throw new ledger.LedgerError('not_found', `no client "${it.who.externalRef ?? it.who.name}"; import the clients or their invoices first`);
            const r = await ledger.recordPayment(
              tx,
              { accountId, kind: it.kind, amountCents: it.amountCents, receivedAt: new Date(`${it.date}T12:00:00Z`), method: it.method, reference: it.reference, invoiceNumber: it.invoiceNumber, idempotencyKey: `import:${accountId}:${it.key}`, importId: imp.importId },
              actor,
            );
            if (!r.duplicate) {
              if (it.kind === 'credit_note') report.creditNotesRecorded++;
              else report.paymentsRecorded++;
            } else report.skipped++;
            touched.set(accountId, r.factsVersion);
            line({ ...base, number: it.reference, outcome: r.duplicate ? 'unchanged' : it.kind === 'credit_note' ? 'credit' : 'payment', amountCents: it.amountCents });
          }
        } catch (err) {
          if (err instanceof ledger.LedgerError) report.errors.push({ row: it.line, message: err.message });
          else throw err;
        }
        done++;
        options.onProgress?.(done, items.length);
      }

      /** An invoice the ledger already has: the books' figures are compared, never guessed. */
      async function reimported(it: Extract<Item, { op: 'invoice' }>, before: Existing, dueDate: string) {
        const base = { row: it.line, customer: it.who.name, number: it.number, currency: it.currency };
        if (before.status === 'void') {
          line({ ...base, outcome: 'reported', amountCents: it.amountCents, message: 'voided in Tactful; left void' });
          return;
        }
        if (!table!.header.fields.openBalance) {
          // A list of invoices (no open balances) states each invoice as it is now: a correction is an update.
          const r = await ledger.upsertInvoice(tx, { accountId: before.accountId, number: it.number, issueDate: it.issueDate, dueDate, amountCents: it.amountCents }, actor);
          touched.set(before.accountId, r.factsVersion);
          if (r.changed) report.invoicesUpdated++;
          else report.invoicesUnchanged++;
          line({ ...base, outcome: r.changed ? 'updated' : 'unchanged', amountCents: it.amountCents });
          return;
        }
        if (it.openCents !== null && it.amountCents !== before.amountCents) {
          line({ ...base, outcome: 'reported', amountCents: it.amountCents, message: `the books say the invoice is for ${money(it.amountCents)}, Tactful has ${money(before.amountCents)}: not changed; correct it in one place` });
          return;
        }
        let changed = false;
        if (before.issueDate !== it.issueDate || before.dueDate !== dueDate) {
          const r = await ledger.upsertInvoice(tx, { accountId: before.accountId, number: it.number, issueDate: it.issueDate, dueDate, amountCents: before.amountCents }, actor);
          touched.set(before.accountId, r.factsVersion);
          report.invoicesUpdated++;
          changed = true;
          line({ ...base, outcome: 'updated', amountCents: before.amountCents, message: `dates now ${it.issueDate} / ${dueDate}` });
        }
        // The books' open balance; credits this importer applied itself count as still open in them.
        const booksOpen = it.openCents ?? it.amountCents;
        const ours = before.status === 'paid' || before.status === 'open' ? before.balanceCents + before.credited : 0;
        if (booksOpen < ours && snapshot) {
          const paid = ours - booksOpen;
          const p = await ledger.recordPayment(
            tx,
            {
              accountId: before.accountId,
              amountCents: paid,
              receivedAt: new Date(`${table!.asOf}T12:00:00Z`),
              basis: 'paid_in_books',
              importId: report.importId,
              method: 'other',
              reference: `paid in the books (report as of ${table!.asOf})`,
              invoiceId: before.id,
              idempotencyKey: `import:${before.accountId}:books:${it.number}:${table!.asOf}:${booksOpen}`,
            },
            actor,
          );
          touched.set(before.accountId, p.factsVersion);
          if (!p.duplicate) report.paidInBooks++;
          line({ ...base, outcome: 'paid_in_books', amountCents: paid, message: `open ${money(ours)} → ${money(booksOpen)} as of ${table!.asOf}` });
        } else if (booksOpen !== ours) {
          line({
            ...base,
            outcome: 'reported',
            amountCents: booksOpen,
            message:
              booksOpen > ours
                ? `the books show ${money(booksOpen)} open, Tactful ${money(ours)}: not changed`
                : `the books show ${money(booksOpen)} open, Tactful ${money(ours)}; ${table!.asOf ? 'this report is not the newest' : 'the file has no "as of" date'}, so nothing is recorded as paid`,
          });
        } else if (!changed) {
          report.invoicesUnchanged++;
          line({ ...base, outcome: 'unchanged', amountCents: booksOpen });
        }
      }

      const ids = [...new Set([...accounts.values(), ...touched.keys()])];
      if (ids.length) {
        const lonely = await tx.execute<{ name: string }>(sql`select a.name from ${t.accounts} a where a.id = any(${sql.param(ids)}::text[]::uuid[])
          and not exists (select 1 from ${t.contacts} c where c.account_id = a.id) order by a.name`);
        report.accountsWithoutContact = lonely.map((r) => r.name);
      }
      await ledger.finishImport(tx, imp.importId, { ...report, lines: report.lines.length });
      options.onProgress?.(done, items.length);
      if (report.errors.length || options.dryRun) throw new Rollback();
    });
    report.committed = true;
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    touched.clear();
  }
  if (!report.committed) report.importId = null;
  return { report, touched };
}
