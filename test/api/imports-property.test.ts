/**
 * Any QuickBooks A/R Aging Detail or Open Invoices report — generated customers (commas, quotes, accents,
 * names starting with "Total"), invoices, part payments and credit memos, dates whose day is 12 or less,
 * as .csv with or without BOM and CRLF or as .xlsx — reads back exactly: every invoice and credit, its
 * dates and amounts, every total line reconciled, no error and nothing skipped silently.
 */
import fc from 'fast-check';
import { checkFile } from '../../api/imports/run';
import * as F from '../fixtures/imports/reports';

const NAMES = ['Blue Fin, LLC', 'Harbor Dental', '"Quoted" Networks', 'Ökotech GmbH', 'Total Care Ltd', 'O\'Brien & Sons', 'Nine Lives Inc', 'Acme (West)'];
const AS_OF = '2026-11-25';

const invoice = fc.record({
  customer: fc.constantFrom(...NAMES),
  month: fc.integer({ min: 1, max: 10 }),
  day: fc.integer({ min: 1, max: 12 }),
  cents: fc.integer({ min: 1, max: 5_000_000 }),
  paidShare: fc.constantFrom(0, 0, 0.25, 0.5),
  credit: fc.boolean(),
});

type Gen = { customer: string; number: string; issue: string; due: string; amount: number; open: number; credit: boolean };

function build(rows: Gen[], grouped: boolean): F.Report {
  const cell = (c: number) => c / 100;
  const d = (date: string) => ({ date });
  const total = (c: number) => ({ sum: [], value: c / 100 });
  const body: F.Cell[][] = [];
  if (grouped) {
    for (const name of [...new Set(rows.map((r) => r.customer))]) {
      const mine = rows.filter((r) => r.customer === name);
      body.push([name]);
      for (const r of mine) body.push(['', d(r.issue), r.credit ? 'Credit Memo' : 'Invoice', r.number, 'Net 30', d(r.due), cell(r.open)]);
      body.push([`Total for ${name}`, null, null, null, null, null, total(mine.reduce((s, r) => s + r.open, 0))]);
    }
    body.push(['TOTAL', null, null, null, null, null, total(rows.reduce((s, r) => s + r.open, 0))]);
    return { tool: 'qbo', dateOrder: 'mdy', titles: ['Acme', 'Open Invoices', 'As of November 25, 2026'], header: ['', 'Date', 'Transaction type', 'Num', 'Terms', 'Due date', 'Open balance'], body, footer: 'Wednesday, Nov 25, 2026 09:14:02 AM GMT-08:00' };
  }
  const bucket = (due: string) => {
    const days = Math.round((Date.parse(AS_OF) - Date.parse(due)) / 86_400_000);
    return days <= 0 ? 'Current' : days <= 30 ? '1 - 30 days past due' : days <= 60 ? '31 - 60 days past due' : days <= 90 ? '61 - 90 days past due' : '91 or more days past due';
  };
  for (const b of ['Current', '1 - 30 days past due', '31 - 60 days past due', '61 - 90 days past due', '91 or more days past due']) {
    const mine = rows.filter((r) => bucket(r.due) === b);
    if (!mine.length) continue;
    body.push([b]);
    for (const r of mine) body.push(['', d(r.issue), r.credit ? 'Credit Memo' : 'Invoice', r.number, r.customer, d(r.due), cell(r.amount), cell(r.open)]);
    body.push([`Total for ${b}`, null, null, null, null, null, total(mine.reduce((s, r) => s + r.amount, 0)), total(mine.reduce((s, r) => s + r.open, 0))]);
  }
  body.push(['TOTAL', null, null, null, null, null, total(rows.reduce((s, r) => s + r.amount, 0)), total(rows.reduce((s, r) => s + r.open, 0))]);
  return {
    tool: 'qbo',
    dateOrder: 'mdy',
    titles: ['Acme', 'A/R Aging Detail Report', 'As of November 25, 2026'],
    header: ['', 'Date', 'Transaction type', 'Num', 'Customer full name', 'Due date', 'Amount', 'Open balance'],
    body,
    footer: 'Wednesday, Nov 25, 2026 09:14:02 AM GMT-08:00',
  };
}

const report = fc.array(invoice, { minLength: 1, maxLength: 25 }).map((list) =>
  list.map((g, i): Gen => {
    const issue = `2026-${String(g.month).padStart(2, '0')}-${String(g.day).padStart(2, '0')}`;
    const due = `2026-${String(g.month + 1).padStart(2, '0')}-${String(g.day).padStart(2, '0')}`;
    const amount = g.credit ? -Math.min(g.cents, 100_000) : g.cents;
    const open = g.credit ? amount : amount - Math.floor(amount * g.paidShare);
    return { customer: g.customer, number: `${g.credit ? 'CM' : 'INV'}-${1000 + i}`, issue, due: g.credit ? issue : due, amount, open, credit: g.credit };
  }),
);

async function readsBack(rows: Gen[], grouped: boolean, format: 'csv' | 'csv+bom+crlf' | 'xlsx') {
  const r = build(rows, grouped);
  const file = format === 'xlsx' ? new Uint8Array(await F.toXlsx(r)) : F.toCsv(r, format === 'csv' ? {} : { bom: true, crlf: true });
  const { report: rep, items } = await checkFile(file, { dateOrder: 'auto', dryRun: true });
  expect(rep.errors).toEqual([]);
  expect(rep.shape).toBe(grouped ? 'QuickBooks Online Open Invoices' : 'QuickBooks Online A/R Aging Detail');
  expect(rep.totals.filter((t) => t.fileCents !== t.rowsCents)).toEqual([]);
  expect(rep.file.open).toEqual({ USD: rows.reduce((s, x) => s + x.open, 0) });
  const read = items.map((it) =>
    it.op === 'invoice'
      ? { customer: it.who.name, number: it.number, issue: it.issueDate, due: it.dueDate, open: it.openCents ?? it.amountCents, credit: false }
      : it.op === 'payment'
        ? { customer: it.who.name, number: it.reference, issue: it.date, due: it.date, open: -it.amountCents, credit: true }
        : null,
  );
  // Reports order rows by bucket or by customer: compare the rows, whatever their order.
  const byNumber = <T extends { number: string | null } | null>(list: T[]) => [...list].sort((x, y) => String(x?.number).localeCompare(String(y?.number)));
  expect(byNumber(read)).toEqual(byNumber(rows.map((x) => ({ customer: x.customer, number: x.number, issue: x.issue, due: x.due, open: x.open, credit: x.credit }))));
}

describe('any generated aging report reads back exactly', () => {
  it('as CSV, plain or with BOM and CRLF, grouped by bucket or by customer', async () => {
    await fc.assert(
      fc.asyncProperty(report, fc.boolean(), fc.constantFrom<'csv' | 'csv+bom+crlf'>('csv', 'csv+bom+crlf'), (rows, grouped, format) => readsBack(rows, grouped, format)),
      { numRuns: 150 },
    );
  });

  it('as an Excel workbook with Excel dates and SUM totals', async () => {
    await fc.assert(fc.asyncProperty(report, fc.boolean(), (rows, grouped) => readsBack(rows, grouped, 'xlsx')), { numRuns: 30 });
  });
});
