import { buildCallSheet, instalments, renderCallSheetHtml } from '../../domain/drafting/call-sheet';
import { draftCase, invoice } from './builders';

describe('call-prep sheet', () => {
  const base = draftCase({ kind: 'call' });
  const facts = {
    ...base.facts,
    contacts: [{ name: 'Sam Ortiz', email: 'sam@contoso-dental.example', role: 'Owner' }, ...base.facts.contacts],
    invoices: [
      ...base.facts.invoices,
      { ...invoice(9001, '2024-11-15', 180_000), balanceCents: 0, status: 'paid' as const, paidAt: '2024-11-14T16:00:00.000Z' },
      { ...invoice(9002, '2024-12-15', 180_000), balanceCents: 0, status: 'paid' as const, paidAt: '2024-12-27T16:00:00.000Z' },
    ],
    payments: [{ id: 'pay_1', receivedAt: '2024-12-27T16:00:00.000Z', amountCents: 180_000, method: 'ach' as const, invoiceId: 'inv_9002' }],
    promises: [{ id: 'pr_1', promisedDate: '2025-03-10', amountCents: 100_000, status: 'broken' as const, createdAt: '2025-03-05T15:00:00.000Z' }],
    disputes: [{ id: 'd_1', invoiceId: 'inv_10262', status: 'open' as const, reason: 'backup add-on billed twice', openedAt: '2025-03-18T15:00:00.000Z' }],
  };
  const input = { facts, step: base.step, now: '2025-03-22T18:00:00.000Z', caller: { name: 'Priya Raman', company: 'Northwind IT Services' }, earlierMessages: base.earlierMessages };

  test('who to call and when: the contact with a phone, inside the client\'s business hours', () => {
    const sheet = buildCallSheet(input);
    expect(sheet.contact?.name).toBe('Dana Whitfield');
    expect(sheet.otherContacts.map((c) => c.name)).toEqual(['Sam Ortiz']);
    expect(sheet.when.hours).toBe('Mon–Fri 08:00–17:00');
    // Saturday afternoon in Chicago: the next window is Monday 08:00 local (13:00 UTC in CDT).
    expect(sheet.when.callableNow).toBe(false);
    expect(sheet.when.nextWindowStart).toBe('2025-03-24T13:00:00.000Z');
    expect(sheet.when.nextWindowLocal).toBe('Mon Mar 24, 08:00');
  });

  test('what is owed, the history and the payment history in one line', () => {
    const sheet = buildCallSheet(input);
    expect(sheet.owed.rows.map((r) => [r.number, r.balance])).toEqual([
      ['INV-10231', '$1,845.00'],
      ['INV-10262', '$422.50'],
    ]);
    expect(sheet.owed.total).toBe('$2,267.50');
    expect(sheet.history.messages).toHaveLength(4);
    expect(sheet.history.promises).toEqual(['Mar 5, 2025: promised $1,000.00 by Mar 10, 2025 (broken)']);
    expect(sheet.history.disputes[0]).toMatch(/INV-10262: backup add-on billed twice \(open\)/);
    expect(sheet.paymentHistory).toBe('Paid 1 of 2 invoices on time in the last 13 months; late ones averaged 12 days; last payment $1,800.00 on Dec 27, 2024 by ACH; 1 broken promise.');
    expect(sheet.flags).toEqual(['Open dispute on INV-10262: backup add-on billed twice', '1 broken promise to pay']);
  });

  test('an opening, options with exact instalments, and what not to say', () => {
    const sheet = buildCallSheet(input);
    expect(sheet.opening).toMatch(/^Hi Dana, this is Priya Raman from Northwind IT Services\./);
    expect(sheet.opening).toMatch(/\$2,267\.50/);
    expect(sheet.opening).toMatch(/Mar 10, 2025/);
    expect(sheet.options.map((o) => o.label)).toEqual(['Pay in full now', 'Commit to a date', '2 instalments', '3 instalments']);
    expect(sheet.options[3].detail).toMatch(/^\$755\.84 by Mar 29, 2025, \$755\.83 by Apr 12, 2025, \$755\.83 by Apr 26, 2025/);
    expect(instalments(226_750, 3).reduce((a, b) => a + b)).toBe(226_750);
    expect(sheet.doNotSay.join('\n')).toMatch(/collections, legal action/);
    expect(sheet.doNotSay.join('\n')).toMatch(/disputed INV-10262/);
  });

  test('renders a printable one-page HTML sheet, escaping client data', () => {
    const sheet = buildCallSheet({ ...input, facts: { ...facts, name: 'Smith & <Sons>' } });
    const html = renderCallSheetHtml(sheet);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('@page');
    expect(html).toContain('Call prep: Smith &amp; &lt;Sons&gt;');
    expect(html).toContain('INV-10231');
    expect(html).toContain('Do not say');
    expect(html).not.toContain('<Sons>');
  });

  test('the opening names the overdue part only, the upcoming part as not yet due, and a settled account as settled', () => {
    const mixed = { ...input, facts: { ...facts, promises: [], invoices: [invoice(1, '2025-03-01', 185_000), invoice(2, '2025-04-10', 808_500)] } };
    const sheet = buildCallSheet(mixed);
    expect(sheet.opening).toMatch(/the \$1,850\.00 overdue on your account; the oldest invoice, INV-1, is 21 days past due/);
    expect(sheet.opening).toMatch(/\$8,085\.00 is not yet due; the next invoice, INV-2, falls due on Apr 10, 2025/);
    expect(sheet.opening).not.toMatch(/\$9,935\.00/);
    expect(sheet.owed).toMatchObject({ overdueCents: 185_000, upcomingCents: 808_500, totalCents: 993_500 });
    expect(sheet.owed.rows.map((r) => r.state)).toEqual(['overdue', 'upcoming']);

    const paid = buildCallSheet({ ...input, facts: { ...facts, invoices: facts.invoices.map((i) => ({ ...i, balanceCents: 0, status: 'paid' as const })) } });
    expect(paid.opening).toMatch(/your account is settled/);
    expect(paid.opening).not.toMatch(/\$2,267\.50|Mar 10/);
  });

  test('an old cycle\'s broken promise is history, not the reason for this call; a first contact is flagged', () => {
    const old = { ...facts, promises: [{ id: 'pr_0', promisedDate: '2024-07-30', amountCents: null, status: 'broken' as const, createdAt: '2024-07-20T15:00:00.000Z' }] };
    const sheet = buildCallSheet({ ...input, facts: old, earlierMessages: [] });
    expect(sheet.opening).not.toMatch(/Jul 30, 2024|noted payment/);
    expect(sheet.history.promises).toHaveLength(1);
    expect(sheet.firstContact).toBe(true);
    expect(sheet.flags.join('\n')).toMatch(/First contact this cycle/);
  });

  test('writes money and dates the way a UK client reads them', () => {
    const sheet = buildCallSheet({ ...input, facts: { ...facts, country: 'GB', currency: 'GBP', timeZone: 'Europe/London' } });
    expect(sheet.owed.total).toBe('£2,267.50');
    expect(sheet.history.promises[0]).toBe('5 Mar 2025: promised £1,000.00 by 10 Mar 2025 (broken)');
    // The proposals and the printed sheet too: day first, never a US date on a UK client's sheet.
    const proposals = sheet.options.map((o) => o.detail).join('\n');
    expect(proposals).toMatch(/by \d{1,2} [A-Z][a-z]{2} \d{4}/);
    expect(proposals).not.toMatch(/by [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    const html = renderCallSheetHtml(sheet);
    expect(html).toContain(`<td>${sheet.owed.rows[0].issued}</td>`);
    expect(sheet.owed.rows[0].issued).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
  });
});
