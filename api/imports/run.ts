/**
 * Imports one CSV file of clients, invoices or payments, all or nothing: every row is validated first;
 * then the file is written in one transaction — new invoices of otherwise quiet accounts set-based
 * (bulk.ts), every other row through db/ledger.ts in its own savepoint so a refused row is reported
 * and the rest still checked; any error rolls the whole file back. A dry run
 * does the same writes and rolls back, so its report is exactly what a real run would do.
 * Re-importing the same file changes nothing: invoices upsert by number, payments carry keys built
 * from the row's business content.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { EventActor } from '../../db/events';
import * as ledger from '../../db/ledger';
import * as t from '../../db/schema';
import { bulkInsertInvoices, whoKey } from './bulk';
import { paymentMethods, segments, type PaymentMethod } from '../../domain/facts';
import type { ImportKind, ImportReport, ImportRowError } from '../../domain/api/ingestion';
import { cell, CsvError, detectDateOrder, detectKind, parseDate, parseMoney, parseTerms, readTable, type DateOrder, type ParsedTable } from './parse';

export interface ImportOptions {
  kind?: ImportKind;
  dryRun: boolean;
  dateOrder: DateOrder;
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
type Item =
  | { line: number; op: 'client'; input: ledger.ClientInput & { externalRef: string | null } }
  | { line: number; op: 'invoice'; who: Who; number: string; issueDate: string; dueDate: string | null; amountCents: number; openCents: number | null }
  | { line: number; op: 'payment'; who: Who; kind: 'payment' | 'credit_note'; amountCents: number; date: string; method: PaymentMethod; reference: string | null; invoiceNumber: string | null; key: string };

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
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function emptyReport(kind: ImportKind, dryRun: boolean, rows = 0): ImportResult['report'] {
  return { kind, dryRun, committed: false, rows, accountsCreated: 0, accountsUpdated: 0, invoicesCreated: 0, invoicesUpdated: 0, paymentsRecorded: 0, creditNotesRecorded: 0, skipped: 0, errors: [] };
}

function plan(table: ParsedTable, kind: ImportKind, order: 'mdy' | 'dmy', errors: ImportRowError[]): Item[] {
  const items: Item[] = [];
  const f = table.header.fields;
  const label = (field: keyof typeof f) => f[field]?.label ?? field;
  const seenInvoices = new Map<string, number>();
  const seenPayments = new Map<string, number>();
  for (const row of table.rows) {
    const err = (column: string | undefined, message: string) => errors.push({ row: row.line, ...(column ? { column } : {}), message });
    const before = errors.length;
    const get = (field: Parameters<typeof cell>[2]) => cell(table, row, field);
    const text = (field: Parameters<typeof cell>[2], required: boolean): string | null => {
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
    const date = (field: Parameters<typeof cell>[2], required: boolean): string | null => {
      const v = get(field);
      if (!v) {
        if (required) err(label(field), 'is empty');
        return null;
      }
      const d = parseDate(v, order);
      if (!d) err(label(field), `"${v.slice(0, 40)}" is not a date this importer reads (e.g. 2026-01-31, 01/31/2026, 31 Jan 2026)`);
      return d;
    };
    const money = (field: Parameters<typeof cell>[2], required: boolean): number | null => {
      const v = get(field);
      if (!v) {
        if (required) err(label(field), 'is empty');
        return null;
      }
      const c = parseMoney(v);
      if (c === null) err(label(field), `"${v.slice(0, 40)}" is not an amount of money`);
      else if (Math.abs(c) > 1_000_000_000_000) err(label(field), 'is implausibly large');
      return c;
    };
    const who = (): Who | null => {
      const externalRef = text('externalRef', false);
      const name = text('name', !externalRef);
      if (!externalRef && !name) return null;
      return { externalRef, name: name ?? externalRef! };
    };

    if (kind === 'clients') {
      const name = text('name', true);
      const externalRef = text('externalRef', false);
      const email = text('email', false);
      if (email && !EMAIL.test(email)) err(label('email'), `"${email.slice(0, 60)}" is not an e-mail address`);
      const termsRaw = get('terms');
      const terms = termsRaw ? parseTerms(termsRaw) : null;
      if (termsRaw && terms === null) err(label('terms'), `"${termsRaw.slice(0, 40)}" is not payment terms (e.g. Net 30)`);
      const segmentRaw = get('segment').toLowerCase().replace(/[\s-]+/g, '_');
      if (segmentRaw && !(segments as readonly string[]).includes(segmentRaw)) err(label('segment'), `must be one of ${segments.join(', ')}`);
      const tz = get('timeZone');
      if (tz && !validTimeZone(tz)) err(label('timeZone'), `"${tz.slice(0, 40)}" is not a time zone (e.g. America/Chicago)`);
      const methodRaw = get('paymentMethod');
      const since = date('clientSince', false);
      const currency = get('currency').toUpperCase();
      if (currency && !/^[A-Z]{3}$/.test(currency)) err(label('currency'), 'must be a three-letter code such as USD');
      const contactName = text('contactPerson', false);
      const phone = text('phone', false);
      if (externalRef) {
        const prev = seenInvoices.get(`client:${externalRef}`);
        if (prev) err(label('externalRef'), `the same client id is also on line ${prev}`);
        seenInvoices.set(`client:${externalRef}`, row.line);
      }
      if (errors.length === before && name)
        items.push({
          line: row.line,
          op: 'client',
          input: {
            externalRef,
            name,
            ...(terms !== null ? { paymentTermsDays: terms } : {}),
            ...(segmentRaw ? { segment: segmentRaw as (typeof segments)[number] } : {}),
            ...(tz ? { timeZone: tz } : {}),
            ...(methodRaw ? { paymentMethod: methodOf(methodRaw) ?? 'other' } : {}),
            ...(since ? { clientSince: since } : {}),
            ...(currency ? { currency } : {}),
            ...(email ? { contacts: [{ name: contactName ?? name, email, ...(phone ? { phone } : {}), isPrimary: true }] } : {}),
          },
        });
      continue;
    }

    const w = who();
    const type = get('type').toLowerCase();
    if (kind === 'invoices') {
      const number = text('number', true);
      const issueDate = date('issueDate', !f.dueDate);
      const dueDate = date('dueDate', false);
      const amount = money('amount', !f.openBalance);
      const open = money('openBalance', false);
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
        const d = issueDate ?? dueDate!;
        items.push({
          line: row.line,
          op: 'payment',
          who: w,
          kind: isPayment ? 'payment' : 'credit_note',
          amountCents: Math.abs(gross),
          date: d,
          method: 'other',
          reference: number,
          invoiceNumber: null,
          key: `${isPayment ? 'payment' : 'credit'}:${number}`,
        });
      } else {
        items.push({ line: row.line, op: 'invoice', who: w, number, issueDate: issueDate ?? dueDate!, dueDate, amountCents: amount ?? open!, openCents: amount !== null ? open : null });
      }
      continue;
    }

    // payments
    const d = date('issueDate', true);
    const amount = money('amount', true);
    if (amount === 0) err(label('amount'), 'is zero');
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
    items.push({ line: row.line, op: 'payment', who: w, kind: isCredit ? 'credit_note' : 'payment', amountCents: Math.abs(amount), date: d, method: methodOf(methodRaw) ?? 'other', reference, invoiceNumber, key: `${isCredit ? 'credit' : 'payment'}:${d}:${Math.abs(amount)}:${reference ?? ''}:${n}` });
  }
  return items;
}

class Rollback extends Error {}

export async function runImport(db: Db, text: string, options: ImportOptions, actor: EventActor): Promise<ImportResult> {
  let table: ParsedTable;
  try {
    table = readTable(text);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const report = emptyReport(options.kind ?? 'invoices', options.dryRun);
    report.errors.push({ row: 1, message: err.message });
    return { report, touched: new Map() };
  }
  const kind = options.kind ?? detectKind(table);
  const report = emptyReport(kind ?? 'invoices', options.dryRun, table.rows.length);
  if (!kind) {
    report.errors.push({ row: table.header.line, message: 'cannot tell whether this file holds clients, invoices or payments; choose the kind' });
    return { report, touched: new Map() };
  }
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
  if (kind === 'clients' && !f.name) missing.push('Customer / Name');
  if (missing.length) {
    report.errors.push({ row: table.header.line, message: `missing column(s) for ${kind}: ${missing.join(', ')}` });
    return { report, touched: new Map() };
  }
  if (table.rows.length === 0) {
    report.errors.push({ row: table.header.line, message: 'the file has a header but no rows' });
    return { report, touched: new Map() };
  }
  const dateCells = table.rows.flatMap((r) => [cell(table, r, 'issueDate'), cell(table, r, 'dueDate'), cell(table, r, 'clientSince')]).filter(Boolean);
  const order = detectDateOrder(dateCells, options.dateOrder);
  if ('error' in order) {
    report.errors.push({ row: table.header.line, message: order.error });
    return { report, touched: new Map() };
  }
  const items = plan(table, kind, order.order, report.errors);
  report.skipped = table.rows.length - items.length - new Set(report.errors.map((e) => e.row)).size;
  if (report.errors.length) return { report, touched: new Map() };

  const touched = new Map<string, number>();
  try {
    await db.transaction(async (tx) => {
      // One import at a time: two concurrent imports of overlapping files would race on new accounts.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('tactful:import', 0))`);
      const accounts = new Map<string, string>();
      const findAccount = async (w: Who): Promise<string | null> => {
        const k = w.externalRef ? `ref:${w.externalRef}` : `name:${w.name.toLowerCase()}`;
        if (accounts.has(k)) return accounts.get(k)!;
        const [row] = w.externalRef
          ? await tx.select({ id: t.accounts.id }).from(t.accounts).where(sql`${t.accounts.externalRef} = ${w.externalRef}`)
          : await tx.select({ id: t.accounts.id }).from(t.accounts).where(sql`lower(${t.accounts.name}) = ${w.name.toLowerCase()}`).orderBy(t.accounts.createdAt).limit(1);
        if (row) accounts.set(k, row.id);
        return row?.id ?? null;
      };
      let done = 0;
      const bulk = kind === 'invoices' ? await bulkInsertInvoices(tx, items, accounts, actor, options.today) : undefined;
      if (bulk) {
        report.accountsCreated += bulk.accountsCreated;
        report.invoicesCreated += bulk.invoicesCreated;
        for (const [id, v] of bulk.touched) touched.set(id, v);
      }
      for (const it of items) {
        if (bulk && it.op !== 'client' && bulk.handled.has(whoKey(it.who))) {
          done++;
          continue;
        }
        try {
          if (it.op === 'client') {
            // Without a client id, a client is recognised by its name, as people do.
            const existingId = it.input.externalRef ? null : await findAccount({ externalRef: null, name: it.input.name });
            const r = await ledger.upsertClient(tx, existingId ? { ...it.input, accountId: existingId } : it.input, actor, options.today);
            if (r.created) report.accountsCreated++;
            else report.accountsUpdated++;
            touched.set(r.accountId, r.factsVersion);
          } else if (it.op === 'invoice') {
            let accountId = await findAccount(it.who);
            if (!accountId) {
              const c = await ledger.upsertClient(tx, { externalRef: it.who.externalRef, name: it.who.name, clientSince: it.issueDate }, actor, options.today);
              accountId = c.accountId;
              accounts.set(it.who.externalRef ? `ref:${it.who.externalRef}` : `name:${it.who.name.toLowerCase()}`, accountId);
              report.accountsCreated++;
            }
            let dueDate = it.dueDate;
            if (!dueDate) {
              const [acc] = await tx.select({ terms: t.accounts.paymentTermsDays }).from(t.accounts).where(sql`${t.accounts.id} = ${accountId}`);
              dueDate = new Date(Date.parse(`${it.issueDate}T00:00:00Z`) + acc.terms * 86_400_000).toISOString().slice(0, 10);
            }
            const r = await ledger.upsertInvoice(tx, { accountId, number: it.number, issueDate: it.issueDate, dueDate, amountCents: it.amountCents }, actor);
            if (r.created) report.invoicesCreated++;
            else if (r.changed) report.invoicesUpdated++;
            touched.set(accountId, r.factsVersion);
            // An aged-receivables line shows what is still open; what was paid before the import is recorded once, against this invoice.
            if (r.created && it.openCents !== null && it.openCents < it.amountCents) {
              const p = await ledger.recordPayment(
                tx,
                { accountId, amountCents: it.amountCents - it.openCents, receivedAt: new Date(`${it.issueDate}T12:00:00Z`), method: 'other', reference: 'paid before import', invoiceId: r.invoiceId, idempotencyKey: `import:${accountId}:paid-before-import:${it.number}` },
                actor,
              );
              touched.set(accountId, p.factsVersion);
            }
          } else {
            const accountId = await findAccount(it.who);
            if (!accountId) throw new ledger.LedgerError('not_found', `no client "${it.who.externalRef ?? it.who.name}"; import the clients or their invoices first`);
            const r = await ledger.recordPayment(
              tx,
              { accountId, kind: it.kind, amountCents: it.amountCents, receivedAt: new Date(`${it.date}T12:00:00Z`), method: it.method, reference: it.reference, invoiceNumber: it.invoiceNumber, idempotencyKey: `import:${accountId}:${it.key}` },
              actor,
            );
            if (!r.duplicate) {
              if (it.kind === 'credit_note') report.creditNotesRecorded++;
              else report.paymentsRecorded++;
            } else report.skipped++;
            touched.set(accountId, r.factsVersion);
          }
        } catch (err) {
          if (err instanceof ledger.LedgerError) report.errors.push({ row: it.line, message: err.message });
          else throw err;
        }
        done++;
        options.onProgress?.(done, items.length);
      }
      options.onProgress?.(done, items.length);
      if (report.errors.length || options.dryRun) throw new Rollback();
    });
    report.committed = true;
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    touched.clear();
  }
  return { report, touched };
}
