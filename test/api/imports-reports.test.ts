/**
 * Accounting reports imported as QuickBooks and Xero download them (.xlsx and .csv, BOM, CRLF): the
 * shape is recognised, the furniture skipped and counted, totals reconciled with the file's own total
 * lines; currencies kept; a newer aging report records what was paid or settled in the books; contacts
 * come from the tools' contact exports.
 */
import { and, eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { loadAccount } from '../../db/account-facts';
import { nextAction } from '../../domain/policy/next-action';
import { checkFile, checkLine } from '../../api/imports/run';
import * as F from '../fixtures/imports/reports';
import type { TestDatabase } from '../support/db';
import { closeSuite, openSuite, type Client, type TestApi } from './support';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Variant = 'csv' | 'csv+bom+crlf' | 'xlsx';
async function fileOf(r: F.Report, v: Variant): Promise<string | Uint8Array> {
  if (v === 'xlsx') return new Uint8Array(await F.toXlsx(r));
  return F.toCsv(r, v === 'csv' ? {} : { bom: true, crlf: true });
}

const expected: [string, () => F.Report, string][] = [
  ['QuickBooks Online A/R Aging Detail', F.qboAgingDetail, 'check: QuickBooks Online A/R Aging Detail, 5 invoices, 1 credits, 3 customers, open 7371.09 USD, 0 errors'],
  ['QuickBooks Online A/R Aging Summary', F.qboAgingSummary, 'check: QuickBooks Online A/R Aging Summary, 0 invoices, 0 credits, 3 customers, open 7371.09 USD, 0 errors'],
  ['QuickBooks Online Open Invoices', F.qboOpenInvoices, 'check: QuickBooks Online Open Invoices, 3 invoices, 0 credits, 2 customers, open 6321.09 USD, 0 errors'],
  ['QuickBooks Online Customer Contact List', F.qboCustomerContactList, 'check: QuickBooks Online Customer Contact List, 0 invoices, 0 credits, 3 customers, open 0.00 USD, 0 errors'],
  ['QuickBooks Desktop A/R Aging Detail', F.qbdAgingDetail, 'check: QuickBooks Desktop A/R Aging Detail, 2 invoices, 0 credits, 2 customers, open 5521.09 USD, 0 errors'],
  ['Xero Aged Receivables Detail', () => F.xeroAgedDetail(), 'check: Xero Aged Receivables Detail, 3 invoices, 1 credits, 2 customers, open 3599.50 GBP, 0 errors'],
  ['Xero Aged Receivables Summary', F.xeroAgedSummary, 'check: Xero Aged Receivables Summary, 0 invoices, 0 credits, 1 customers, open 1199.50 USD, 0 errors'],
  ['Xero Contacts', F.xeroContacts, 'check: Xero Contacts, 0 invoices, 0 credits, 2 customers, open 0.00 USD, 0 errors'],
];

describe('reading reports as downloaded (no database)', () => {
  for (const [shape, make, line] of expected)
    for (const variant of ['csv', 'csv+bom+crlf', 'xlsx'] as Variant[])
      it(`${shape} (${variant})`, async () => {
        const { report } = await checkFile(await fileOf(make(), variant), { dateOrder: 'auto', dryRun: true });
        expect(report.errors).toEqual([]);
        expect(report.shape).toBe(shape);
        expect(checkLine(report)).toBe(line);
        // Every total line that sums rows of its own group matches them.
        expect(report.totals.filter((x) => x.scope === 'group' && x.fileCents !== x.rowsCents)).toEqual([]);
        const r = make();
        if (r.footer) expect(report.furniture.footers).toBe(1);
        expect(report.furniture.titles).toBe(r.titles.length);
      });

  it('takes the date order from the title: all days ≤ 12, "As of November 25, 2026" means month-first; Xero\'s "As at 30 November 2026" day-first', async () => {
    const qbo = await checkFile(F.toCsv(F.qboAgingDetail()), { dateOrder: 'auto', dryRun: true });
    expect(qbo.report.asOf).toBe('2026-11-25');
    expect(qbo.items.find((i) => i.op === 'invoice' && i.number === '1044')).toMatchObject({ issueDate: '2026-11-02', dueDate: '2026-12-02' });
    const xero = await checkFile(F.toCsv(F.xeroAgedDetail()), { dateOrder: 'auto', dryRun: true });
    expect(xero.report.asOf).toBe('2026-11-30');
    expect(xero.items.find((i) => i.op === 'invoice' && i.number === 'INV-0031')).toMatchObject({ issueDate: '2026-09-01', dueDate: '2026-10-01' });
  });

  it("reports a Xero grand total that counts overdue amounts only as a difference, never as an error", async () => {
    const { report } = await checkFile(new Uint8Array(await F.toXlsx(F.xeroAgedDetail())), { dateOrder: 'auto', dryRun: true });
    expect(report.errors).toEqual([]);
    expect(report.totals).toContainEqual(expect.objectContaining({ scope: 'grand', column: 'Total', fileCents: 119_950, rowsCents: 359_950, note: expect.stringMatching(/overdue amounts only/) }));
  });

  it('makes any other line a row error, and a total that no longer matches its rows an error on the total line', async () => {
    const r = F.qboAgingDetail();
    r.body.splice(2, 0, ['Call Dana before the 30th']);
    const stray = await checkFile(F.toCsv(r), { dateOrder: 'auto', dryRun: true });
    expect(stray.report.errors).toEqual([expect.objectContaining({ row: 8, message: expect.stringMatching(/Call Dana.*neither a row nor report furniture/) })]);

    const edited = F.toCsv(F.qboAgingDetail()).replace(',"1,200.00","1,200.00"', ',"1,200.00","1,100.00"');
    const mismatch = await checkFile(edited, { dateOrder: 'auto', dryRun: true });
    expect(mismatch.report.errors).toContainEqual(expect.objectContaining({ row: 9, column: 'Open balance', message: '"Total for Current" says 1550.00 but the rows above it add up to 1450.00' }));
  });

  it('refuses a title and rows that disagree on the date order instead of guessing', async () => {
    const csv = F.toCsv(F.qboAgingDetail()).replace('11/10/2026', '25/11/2026');
    const { report } = await checkFile(csv, { dateOrder: 'auto', dryRun: true });
    expect(report.errors[0].message).toMatch(/month-first.*day-first/);
  });
});

describe('workbooks as spreadsheets leave them', () => {
  it('a total whose formula was never recalculated is reported, not refused; a percentage line stored as numbers is furniture', async () => {
    const bytes = new Uint8Array(await F.toXlsx(F.xeroAgedSummary(), { staleFormulas: true, percentNumbers: true }));
    const { table, report } = await checkFile(bytes, { dateOrder: 'auto', dryRun: true });
    expect(report.errors).toEqual([]);
    expect(table!.rows.map((r) => r.cells[0])).toEqual(['Kiwi Labs']);
    const stale = table!.totals.filter((x) => x.note);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale[0]).toMatchObject({ fileCents: 100, note: expect.stringMatching(/not recalculated/) });
    expect(table!.rows[0].cells[7]).toBe('1199.50');
    // The same workbook with its totals computed still reconciles without a note.
    const fresh = await checkFile(new Uint8Array(await F.toXlsx(F.xeroAgedSummary(), { percentNumbers: true })), { dateOrder: 'auto', dryRun: true });
    expect(fresh.report.errors).toEqual([]);
    expect(fresh.table!.totals.filter((x) => x.note)).toEqual([]);
  });
});

describe('importing reports', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager: manager } } = await openSuite(['manager']));
  });
  afterAll(() => closeSuite({ db, api }));

  const fetchXlsx = async (path: string, file: Uint8Array) => {
    const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { cookie: manager.cookie, 'x-csrf-token': manager.csrf, 'content-type': XLSX }, body: file });
    return { status: res.status, body: (await res.json()) as any };
  };
  const counts = async () => {
    const [r] = await db.db.execute<{ a: number; i: number; p: number }>(sql`select (select count(*)::int from accounts) a, (select count(*)::int from invoices) i, (select count(*)::int from payments) p`);
    return r;
  };
  const account = async (name: string) => (await db.db.select().from(t.accounts).where(eq(t.accounts.name, name)))[0];

  it('imports a QuickBooks Online A/R Aging Detail workbook as downloaded; "paid before import" has no invented date; the same file again changes nothing', async () => {
    const r = await fetchXlsx('/api/imports?fileName=aging.xlsx', new Uint8Array(await F.toXlsx(F.qboAgingDetail())));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ shape: 'QuickBooks Online A/R Aging Detail', asOf: '2026-11-25', committed: true, accountsCreated: 3, invoicesCreated: 5, creditNotesRecorded: 1 });
    expect((await account('Harbor Dental')).balanceCents).toBe(35_000 + 100_000 - 30_000);
    expect((await account('Nine Lives Inc')).balanceCents).toBe(432_109 + 80_000);
    const harbor = await account('Harbor Dental');
    const [before] = await db.db.select().from(t.payments).where(and(eq(t.payments.accountId, harbor.id), eq(t.payments.basis, 'paid_before_import')));
    expect(before).toMatchObject({ amountCents: 150_000, dated: false, currency: 'USD' });
    // The call sheet and the planner see no payment on a day nobody reported.
    const loaded = await loadAccount(db.db, harbor.id, new Date('2026-11-26T12:00:00Z'));
    expect(loaded!.facts.payments.map((p) => p.amountCents)).not.toContain(150_000);
    const [ev] = await db.db.select().from(t.events).where(and(eq(t.events.accountId, harbor.id), sql`${t.events.data}->>'basis' = 'paid_before_import'`));
    expect(ev.data).toMatchObject({ receivedAt: null });

    const before2 = await counts();
    const again = await manager.json('POST', '/api/imports', F.toCsv(F.qboAgingDetail(), { bom: true, crlf: true }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accountsCreated: 0, invoicesCreated: 0, invoicesUpdated: 0, invoicesUnchanged: 5, paidInBooks: 0, settledInBooks: 0 });
    expect(await counts()).toEqual(before2);
  });

  it('a newer aging report shows "paid in the books" and "settled in the books" in the dry run, then records them; the paid-up account goes idle', async () => {
    const nine = await account('Nine Lives Inc');
    const now = new Date('2026-12-29T15:00:00Z');
    const active = await loadAccount(db.db, nine.id, now);
    expect(nextAction({ policy: active!.policy, facts: active!.facts, now: now.toISOString() }).type).not.toBe('idle');

    const later = F.toCsv(F.qboAgingDetailLater());
    const before = await counts();
    const dry = await manager.json('POST', '/api/imports?dryRun=true', later);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, committed: false, paidInBooks: 1, settledInBooks: 2, asOf: '2026-12-28' });
    expect(dry.body.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ customer: 'Harbor Dental', number: '1031', outcome: 'paid_in_books', amountCents: 60_000 }),
        expect.objectContaining({ customer: 'Nine Lives Inc', number: '0990', outcome: 'settled_in_books', amountCents: 432_109, row: null }),
        expect.objectContaining({ customer: 'Nine Lives Inc', number: '0991', outcome: 'settled_in_books', amountCents: 80_000 }),
        expect.objectContaining({ customer: 'Blue Fin, LLC', number: '1043', outcome: 'unchanged' }),
      ]),
    );
    expect(await counts()).toEqual(before);

    const real = await manager.json('POST', '/api/imports?fileName=aging-december.csv', later);
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ committed: true, paidInBooks: 1, settledInBooks: 2 });
    const harbor = await account('Harbor Dental');
    expect(harbor.balanceCents).toBe(35_000 + 40_000 - 30_000);
    const books = await db.db.select().from(t.payments).where(sql`${t.payments.basis} in ('paid_in_books', 'settled_in_books')`);
    expect(books.map((p) => [p.basis, p.amountCents, p.receivedAt.toISOString().slice(0, 10), p.dated]).sort()).toEqual([
      ['paid_in_books', 60_000, '2026-12-28', true],
      ['settled_in_books', 432_109, '2026-12-28', true],
      ['settled_in_books', 80_000, '2026-12-28', true],
    ]);
    // The file they came from is kept, byte for byte, as the evidence.
    const [evidence] = await db.db.select().from(t.imports).where(eq(t.imports.id, books[0].importId!));
    expect(evidence).toMatchObject({ fileName: 'aging-december.csv', asOf: '2026-12-28', shape: 'QuickBooks Online A/R Aging Detail' });
    expect(evidence.content.toString('utf8')).toBe(later);

    const idle = await loadAccount(db.db, nine.id, now);
    expect((await account('Nine Lives Inc')).balanceCents).toBe(0);
    expect(nextAction({ policy: idle!.policy, facts: idle!.facts, now: now.toISOString() })).toMatchObject({ type: 'idle' });

    const again = await manager.json('POST', '/api/imports', later);
    expect(again.body).toMatchObject({ paidInBooks: 0, settledInBooks: 0, invoicesCreated: 0 });
  });

  it('an older report than the last one lowers nothing: its differences are reported', async () => {
    const before = await counts();
    const old = await manager.json('POST', '/api/imports', F.toCsv(F.qboAgingDetail()));
    expect(old.status).toBe(200);
    expect(old.body.notes.join(' ')).toMatch(/older than the one imported as of 2026-12-28/);
    expect(old.body).toMatchObject({ paidInBooks: 0, settledInBooks: 0 });
    expect(old.body.lines).toContainEqual(expect.objectContaining({ number: '1031', outcome: 'reported' }));
    expect((await counts()).p).toBe(before.p);
  });

  it('checks an aging summary against the ledger without writing invoices', async () => {
    const before = await counts();
    const r = await manager.json('POST', '/api/imports', F.toCsv(F.qboAgingSummary()));
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('balances');
    expect(r.body.lines).toContainEqual(expect.objectContaining({ customer: 'Blue Fin, LLC', outcome: 'checked', amountCents: 120_000 }));
    expect(r.body.lines).toContainEqual(expect.objectContaining({ customer: 'Harbor Dental', outcome: 'reported', message: expect.stringMatching(/1050\.00.*450\.00/) }));
    expect((await counts()).i).toBe(before.i);
  });
  it('refuses a row in another currency for an account matched by name, naming both; keeps each currency', async () => {
    const before = await counts();
    const clash = await manager.json('POST', '/api/imports', F.toCsv(F.xeroAgedDetail()));
    expect(clash.status).toBe(422);
    expect(clash.body.report.errors).toEqual([expect.objectContaining({ row: 8, message: expect.stringMatching(/"Blue Fin, LLC" is an account in USD; this row is in GBP/) })]);
    expect(await counts()).toEqual(before);

    const ok = await fetchXlsx('/api/imports', new Uint8Array(await F.toXlsx(F.xeroAgedDetail({ blueFinCurrency: 'USD' }))));
    expect(ok.status).toBe(200);
    const kiwi = await account('Kiwi Labs');
    expect(kiwi).toMatchObject({ currency: 'GBP', balanceCents: 125_000 + 9_950 - 15_000 });
    const inv = await db.db.select().from(t.invoices).where(eq(t.invoices.accountId, kiwi.id));
    expect(inv.map((i) => i.currency)).toEqual(['GBP', 'GBP']);
    const [credit] = await db.db.select().from(t.payments).where(eq(t.payments.accountId, kiwi.id));
    expect(credit).toMatchObject({ kind: 'credit_note', currency: 'GBP', amountCents: 15_000 });
    const [bf] = await db.db.select().from(t.invoices).where(eq(t.invoices.number, 'INV-0042'));
    expect(bf.currency).toBe('USD');
  });

  it('reads a CSV saved as Windows-1252 (as older Excel saves it) and keeps the bytes as uploaded', async () => {
    const csv = F.toCsv(F.qboOpenInvoices()).replace(/Nine Lives Inc/g, 'Ökotech GmbH');
    const bytes = Buffer.from(csv, 'latin1');
    const res = await fetch(`${api.url}/api/imports?fileName=open.csv`, { method: 'POST', headers: { cookie: manager.cookie, 'x-csrf-token': manager.csrf, 'content-type': 'application/octet-stream' }, body: bytes });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ shape: 'QuickBooks Online Open Invoices', accountsCreated: 1 });
    expect((await account('Ökotech GmbH')).balanceCents).toBe(432_109 + 80_000);
    const [kept] = await db.db.select().from(t.imports).where(eq(t.imports.id, body.importId));
    expect(Buffer.compare(kept.content, bytes)).toBe(0);
  });

  it('takes contacts from QuickBooks\' Customer Contact List and Xero\'s Contacts export, and lists the accounts still without one', async () => {
    const qbo = await fetchXlsx('/api/imports', new Uint8Array(await F.toXlsx(F.qboCustomerContactList())));
    expect(qbo.status).toBe(200);
    expect(qbo.body).toMatchObject({ kind: 'clients', shape: 'QuickBooks Online Customer Contact List', accountsCreated: 0, accountsUpdated: 3 });
    expect(qbo.body.accountsWithoutContact).toEqual(['Nine Lives Inc']);
    const bf = await account('Blue Fin, LLC');
    expect(await db.db.select().from(t.contacts).where(eq(t.contacts.accountId, bf.id))).toEqual([
      expect.objectContaining({ name: 'Dana Fisher', email: 'ap@bluefin.example', phone: '(503) 555-0100', isPrimary: true }),
    ]);
    const harbor = await account('Harbor Dental');
    expect((await db.db.select().from(t.contacts).where(eq(t.contacts.accountId, harbor.id))).map((c) => c.email).sort()).toEqual(['billing@harbordental.example', 'dr.lee@harbordental.example']);

    const xero = await manager.json('POST', '/api/imports', F.toCsv(F.xeroContacts()));
    expect(xero.status).toBe(200);
    expect(xero.body).toMatchObject({ shape: 'Xero Contacts', accountsWithoutContact: ['Ponga Design'] });
    const kiwi = await account('Kiwi Labs');
    expect(await db.db.select().from(t.contacts).where(eq(t.contacts.accountId, kiwi.id))).toEqual([expect.objectContaining({ name: 'Aroha Ngata', email: 'accounts@kiwilabs.example', phone: '09 555 0101' })]);
    // Its postal country decides how its messages write dates and money, and whose holidays apply.
    expect((await account('Kiwi Labs')).country).toBe('NZ');
    expect((await account('Ponga Design'))?.country ?? null).toBeNull();
  });


  it('a customer missing from a newer report is listed and left open, and settled in the books only when the user says the report covers every customer', async () => {
    const january = F.toCsv(F.qboAgingDetailJanuary());
    const harbor = await account('Harbor Dental');
    const owed = harbor.balanceCents;
    expect(owed).toBeGreaterThan(0);
    const openOf = async (id: string) => (await db.db.select().from(t.invoices).where(and(eq(t.invoices.accountId, id), eq(t.invoices.status, 'open')))).map((i) => i.number).sort();
    const harborOpen = await openOf(harbor.id);
    expect(harborOpen.length).toBeGreaterThan(0);

    const listed = await manager.json('POST', '/api/imports', january);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ committed: true });
    expect(listed.body.lines.filter((l: any) => l.outcome === 'settled_in_books' && l.customer === 'Harbor Dental')).toEqual([]);
    const absent = listed.body.lines.filter((l: any) => l.outcome === 'absent_customer' && l.customer === 'Harbor Dental');
    expect(absent.map((l: any) => l.number).sort()).toEqual(harborOpen);
    expect(listed.body.notes.join(' ')).toMatch(/not in this report/);
    expect((await account('Harbor Dental')).balanceCents).toBe(owed);

    const dry = await manager.json('POST', '/api/imports?dryRun=true&settleAbsent=true', january);
    expect(dry.body.lines.filter((l: any) => l.outcome === 'settled_in_books' && l.customer === 'Harbor Dental').map((l: any) => l.number).sort()).toEqual(harborOpen);
    expect((await account('Harbor Dental')).balanceCents).toBe(owed);

    const settled = await manager.json('POST', '/api/imports?settleAbsent=true', january);
    expect(settled.status).toBe(200);
    expect(settled.body.absentCustomers).toBe(0);
    expect((await account('Harbor Dental')).balanceCents).toBe(0);
    expect((await account('Blue Fin, LLC')).balanceCents).toBeGreaterThan(0);
    const books = await db.db.select().from(t.payments).where(and(eq(t.payments.accountId, harbor.id), eq(t.payments.basis, 'settled_in_books')));
    expect(books.every((p) => p.receivedAt.toISOString().startsWith('2027-01-20'))).toBe(true);
  });
});
