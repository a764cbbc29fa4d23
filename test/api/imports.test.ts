/** CSV import in the shapes accounting tools export: dry run, all or nothing, row-by-row errors, re-import. */
import { eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { TestDatabase } from '../support/db';
import { closeSuite, openSuite, type Client, type TestApi } from './support';

const QUICKBOOKS = `Acme Managed Services
A/R Aging Detail
"As of March 1, 2026"

,Date,Transaction Type,Num,Customer,Due Date,Amount,Open Balance
Current
,02/15/2026,Invoice,1001,Blue Fin LLC,03/17/2026,"$1,200.00","$1,200.00"
Total for Current,,,,,,,"$1,200.00"
1 - 30 days past due
,01/10/2026,Invoice,0990,Harbor Dental,02/09/2026,"$2,500.00","$1,000.00"
,01/20/2026,Credit Memo,CM-12,Harbor Dental,01/20/2026,($300.00),($300.00)
Total for 1 - 30 days past due,,,,,,,"$700.00"
31 - 60 days past due
,12/15/2025,Invoice,0950,Blue Fin LLC,01/14/2026,"$4,321.09","$4,321.09"
TOTAL,,,,,,,"$6,221.09"
`;

const XERO = `Contact,Invoice Date,Due Date,Invoice Number,Reference,Total,Due
Kiwi Labs,15/01/2026,14/02/2026,INV-0042,Jan support,"1.250,00","1.250,00"
Kiwi Labs,20 Jan 2026,19 Feb 2026,INV-0043,,€99.50,€99.50
`;

describe('CSV import', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager: manager } } = await openSuite(['manager']));
  });
  afterAll(() => closeSuite({ db, api }));

  const counts = async () => {
    const [r] = await db.db.execute<{ a: number; i: number; p: number }>(sql`select (select count(*)::int from accounts) a, (select count(*)::int from invoices) i, (select count(*)::int from payments) p`);
    return r;
  };
  const balanceOf = async (name: string) => {
    const [a] = await db.db.select().from(t.accounts).where(eq(t.accounts.name, name));
    return a?.balanceCents;
  };

  it('a dry run reports what would happen and writes nothing', async () => {
    const before = await counts();
    const r = await manager.json('POST', '/api/imports?dryRun=true', QUICKBOOKS);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'invoices', dryRun: true, committed: false, accountsCreated: 2, invoicesCreated: 3, creditNotesRecorded: 1, errors: [] });
    expect(await counts()).toEqual(before);
  });

  it('imports a QuickBooks aged-receivables file: partial payments, credit memos, balances right; re-import changes nothing', async () => {
    const r = await manager.json('POST', '/api/imports', QUICKBOOKS);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ committed: true, accountsCreated: 2, invoicesCreated: 3, creditNotesRecorded: 1, workflow: { signaled: 2, notSignaled: 0 } });
    expect(await balanceOf('Blue Fin LLC')).toBe(120_000 + 432_109);
    expect(await balanceOf('Harbor Dental')).toBe(100_000 - 30_000);
    const before = await counts();
    const again = await manager.json('POST', '/api/imports', QUICKBOOKS);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accountsCreated: 0, invoicesCreated: 0, invoicesUpdated: 0, creditNotesRecorded: 0 });
    expect(await counts()).toEqual(before);
    expect(await balanceOf('Harbor Dental')).toBe(70_000);
  });

  it('reads Xero exports: day-first dates, decimal commas, currency symbols', async () => {
    const r = await manager.json('POST', '/api/imports', XERO);
    expect(r.status).toBe(200);
    const inv = await db.db.select().from(t.invoices).where(eq(t.invoices.number, 'INV-0042'));
    expect(inv[0]).toMatchObject({ issueDate: '2026-01-15', dueDate: '2026-02-14', amountCents: 125_000 });
    expect(await balanceOf('Kiwi Labs')).toBe(125_000 + 9_950);
  });

  it('is all or nothing: one bad row rejects the file with a row-by-row report', async () => {
    const before = await counts();
    const bad = QUICKBOOKS.replace('Blue Fin LLC', 'Nine Lives Inc').replace('"$4,321.09","$4,321.09"', '"$4,32x.09","$4,321.09"').replace('03/17/2026', '02/30/2026');
    const r = await manager.json('POST', '/api/imports', bad);
    expect(r.status).toBe(422);
    expect(r.body.type).toBe('/problems/import-rejected');
    expect(r.body.report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 7, column: 'Due Date' }),
        expect.objectContaining({ row: 14, column: 'Amount' }),
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses ambiguous dates unless told the order; imports payments and clients', async () => {
    const clients = `Customer ID,Customer,Email,Terms,Payment Method\nC-9,Ambig Co,ap@ambig.test,Net 15,ACH\n`;
    const c = await manager.json('POST', '/api/imports', clients);
    expect(c.body).toMatchObject({ kind: 'clients', accountsCreated: 1 });
    const inv = `Customer ID,Customer,Date,Num,Due Date,Amount\nC-9,Ambig Co,03/04/2026,A-1,04/04/2026,100.00\n`;
    const ambiguous = await manager.json('POST', '/api/imports', inv);
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body.report.errors[0].message).toMatch(/day-first or month-first/);
    expect((await manager.json('POST', '/api/imports?dateOrder=dmy', inv)).status).toBe(200);
    const [a] = await db.db.select().from(t.invoices).where(eq(t.invoices.number, 'A-1'));
    expect(a.issueDate).toBe('2026-04-03');
    const pays = `Customer ID,Customer,Payment Date,Amount,Payment Method,Reference\nC-9,Ambig Co,2026-04-20,$40.00,Check,1234\nC-9,Ambig Co,2026-04-20,$40.00,Check,1234\n`;
    const p = await manager.json('POST', '/api/imports', pays);
    expect(p.body).toMatchObject({ kind: 'payments', paymentsRecorded: 2 });
    expect((await manager.json('POST', '/api/imports', pays)).body).toMatchObject({ paymentsRecorded: 0 });
    expect(await balanceOf('Ambig Co')).toBe(2_000);
  });

  it('changed figures and waiting payments still go through the ledger when other rows are written set-based', async () => {
    const first = `Customer ID,Customer,Date,Num,Due Date,Amount\nB-1,Bulk One,2026-01-05,B-100,2026-02-04,100.00\nB-1,Bulk One,2026-01-06,B-101,2026-02-05,50.00\nB-2,Bulk Two,2026-01-05,B-200,2026-02-04,10.00\n`;
    expect((await manager.json('POST', '/api/imports', first)).body).toMatchObject({ committed: true, accountsCreated: 2, invoicesCreated: 3, workflow: { signaled: 2 } });
    expect(await balanceOf('Bulk One')).toBe(15_000);
    const pay = `Customer ID,Customer,Payment Date,Amount,Reference\nB-2,Bulk Two,2026-01-20,$25.00,early\n`;
    expect((await manager.json('POST', '/api/imports', pay)).body).toMatchObject({ paymentsRecorded: 1 });
    expect(await balanceOf('Bulk Two')).toBe(0);
    // B-100 grows, B-2's waiting $15 meets its next invoice.
    const second = first.replace('100.00', '120.00') + `B-2,Bulk Two,2026-01-25,B-201,2026-02-24,40.00\nB-3,Bulk Three,2026-01-05,B-300,2026-02-04,1.00\n`;
    expect((await manager.json('POST', '/api/imports', second)).body).toMatchObject({ committed: true, accountsCreated: 1, invoicesCreated: 2, invoicesUpdated: 1 });
    expect(await balanceOf('Bulk One')).toBe(17_000);
    expect(await balanceOf('Bulk Two')).toBe(2_500);
    expect(await balanceOf('Bulk Three')).toBe(100);
    const before = await counts();
    expect((await manager.json('POST', '/api/imports', second)).body).toMatchObject({ accountsCreated: 0, invoicesCreated: 0, invoicesUpdated: 0 });
    expect(await counts()).toEqual(before);
  });

  it('answers files that are not CSV at all with 422 or 415, never 500', async () => {
    for (const body of ['"unterminated,quote\n1,2', 'just one line', '\u0000\u0001\u0002', 'a,b,c\n1,2,3\n'])
      expect((await manager.json('POST', '/api/imports', body)).status).toBe(422);
    const wrongType = await manager.req('POST', '/api/imports', undefined, { 'content-type': 'application/pdf' });
    expect(wrongType.status).toBe(415);
  });

  it('streams its progress to a client that asks for NDJSON: rows, then workflows, then the answer', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `Stream Co ${i % 40},2026-02-01,2026-03-03,S-${1000 + i},,100.00`);
    const csv = `Customer,Invoice Date,Due Date,Invoice Number,Reference,Total\n${rows.join('\n')}\n`;
    const res = await fetch(`${api.url}/api/imports`, {
      method: 'POST',
      headers: { cookie: manager.cookie, 'x-csrf-token': manager.csrf, 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: csv,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const answer = lines.at(-1);
    expect(answer).toMatchObject({ status: 200, report: { committed: true, invoicesCreated: 400, accountsCreated: 40 } });
    const progress = lines.slice(0, -1).map((l) => l.progress);
    expect(progress.every(Boolean)).toBe(true);
    expect(progress.filter((p) => p.phase === 'rows').at(-1)).toEqual({ phase: 'rows', done: 400, total: 400 });
    expect(progress.filter((p) => p.phase === 'workflows').at(-1)).toEqual({ phase: 'workflows', done: 40, total: 40 });

    const refused = await fetch(`${api.url}/api/imports`, {
      method: 'POST',
      headers: { cookie: manager.cookie, 'x-csrf-token': manager.csrf, 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: 'Customer,Invoice Date,Due Date,Invoice Number,Reference,Total\nNo Date Co,,,X-1,,12.00\n',
    });
    const last = JSON.parse((await refused.text()).trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ status: 422, problem: { title: 'Import rejected', report: { errors: [expect.objectContaining({ row: 2 })] } } });
  });

  it('reads a client\'s country by name or code, and refuses a country it does not know, naming the cell', async () => {
    const ok = await manager.json('POST', '/api/imports', 'Customer,Email,Country\nThames Tech,ap@thames.example,United Kingdom\nCedar IT,ap@cedar.example,usa\nMaple Ops,ap@maple.example,CA\n');
    expect(ok.status).toBe(200);
    const countries = await db.db.execute<{ name: string; country: string }>(sql`select name, country from accounts where name in ('Thames Tech', 'Cedar IT', 'Maple Ops') order by name`);
    expect(countries.map((r) => [r.name, r.country])).toEqual([
      ['Cedar IT', 'US'],
      ['Maple Ops', 'CA'],
      ['Thames Tech', 'GB'],
    ]);
    const bad = await manager.json('POST', '/api/imports', 'Customer,Email,Country\nAtlantis Ltd,ap@atlantis.example,Atlantis\n');
    expect(bad.status).toBe(422);
    expect(bad.body.report.errors).toEqual([expect.objectContaining({ row: 2, column: 'Country', message: expect.stringMatching(/"Atlantis" is not a country/) })]);
  });
});
