import { buildStatement, formatDateIn, formatMoneyIn, statementLocale } from '../../domain/drafting/statement';
import { NOW, draftCase, invoice } from './builders';

describe('the statement of an account', () => {
  it('names each invoice overdue or upcoming and totals them apart', () => {
    const input = draftCase({ kind: 'second_reminder', invoices: [invoice(2241, '2025-03-01', 185_000), invoice(2281, '2025-04-10', 808_500)] });
    const s = buildStatement(input);
    expect(s.sendDate).toBe('2025-03-20');
    expect(s.overdue.map((i) => [i.number, i.daysPastDue])).toEqual([['INV-2241', 19]]);
    expect(s.upcoming.map((i) => [i.number, i.daysUntilDue])).toEqual([['INV-2281', 21]]);
    expect([s.overdueCents, s.upcomingCents, s.totalOwedCents]).toEqual([185_000, 808_500, 993_500]);
    expect(s.invoices[0].termsDays).toBe(30);
  });

  it('treats an invoice due on the send date as upcoming, not overdue', () => {
    const s = buildStatement(draftCase({ kind: 'prevention', invoices: [invoice(1, NOW.slice(0, 10), 10_000)] }));
    expect(s.overdue).toEqual([]);
    expect(s.upcoming).toHaveLength(1);
  });

  it('is a first contact when nothing went out in this cycle, whatever the step', () => {
    const input = draftCase({ kind: 'final_notice' });
    expect(buildStatement(input).firstContact).toBe(false);
    const fresh = buildStatement({ ...input, earlierMessages: [] });
    expect(fresh.firstContact).toBe(true);
    const otherCycle = buildStatement({ ...input, earlierMessages: input.earlierMessages.map((m) => ({ ...m, cycleKey: 'inv_old:2024-01-01' })) });
    expect(otherCycle.firstContact).toBe(true);
  });

  it('compares instants as instants, whatever their precision', () => {
    const input = draftCase({ kind: 'second_reminder' });
    const earlierMessages = [{ stepId: 'first_reminder', cycleKey: input.step.cycleKey, sentAt: '2025-03-20T15:00:00Z', subject: 'Reminder' }];
    expect(buildStatement({ ...input, now: '2025-03-20T15:00:00.500Z', earlierMessages }).firstContact).toBe(false);
  });

  it('keeps only this cycle’s promises', () => {
    const input = draftCase({ kind: 'second_reminder' });
    const anchorIssued = input.facts.invoices[0].issueDate;
    const s = buildStatement({
      ...input,
      facts: {
        ...input.facts,
        promises: [
          { id: 'old', promisedDate: '2024-07-30', status: 'broken', createdAt: '2024-07-20T10:00:00.000Z' },
          { id: 'new', promisedDate: '2025-03-15', status: 'broken', createdAt: `${anchorIssued}T10:00:00.000Z` },
        ],
      },
    });
    expect(s.promises.map((p) => p.id)).toEqual(['new']);
    expect(s.brokenPromise?.promisedDate).toBe('2025-03-15');
  });

  it('reads split payments and credits with the invoices they went to', () => {
    const input = draftCase({ kind: 'second_reminder', invoices: [invoice(1, '2025-03-01', 300_000, 100_000), invoice(2, '2025-02-20', 50_000, 0)] });
    const s = buildStatement({
      ...input,
      earlierMessages: [],
      facts: {
        ...input.facts,
        payments: [
          { id: 'p1', receivedAt: '2025-03-10T12:00:00.000Z', amountCents: 250_000, method: 'ach', allocations: [{ invoiceId: 'inv_1', amountCents: 200_000 }, { invoiceId: 'inv_2', amountCents: 50_000 }] },
          { id: 'c1', kind: 'credit_note', receivedAt: '2025-03-11T12:00:00.000Z', amountCents: 10_000, method: 'other', invoiceId: 'inv_1' },
        ],
      },
    });
    expect(s.receivedSinceLastMessage.map((m) => [m.kind, m.allocations.map((a) => [a.invoiceNumber, a.amountCents, a.invoiceStillOpen])])).toEqual([
      ['payment', [['INV-1', 200_000, true], ['INV-2', 50_000, false]]],
      ['credit_note', [['INV-1', 10_000, true]]],
    ]);
  });

  it('writes money, dates and payment rails the way the client’s country does', () => {
    const uk = statementLocale('GB', 'GBP');
    expect([formatMoneyIn(185_000, uk), formatDateIn('2026-12-04', uk), uk.bankRail, uk.chequeWord]).toEqual(['£1,850.00', '4 December 2026', 'bacs', 'cheque']);
    const us = statementLocale(null, 'USD');
    expect([formatMoneyIn(185_000, us), formatDateIn('2026-12-04', us), us.bankRail]).toEqual(['$1,850.00', 'December 4, 2026', 'ach']);
    const de = statementLocale('DE', 'EUR');
    expect([formatMoneyIn(185_000, de), de.bankRail, de.dateOrder]).toEqual(['€1,850.00', 'sepa', 'dmy']);
    expect(statementLocale(null, 'GBP').country).toBe('GB');
  });

  it('says the agreement has no late fees unless the installation says it does', () => {
    const input = draftCase({ kind: 'second_reminder' });
    expect(buildStatement(input).installation.lateFees).toEqual({ kind: 'none' });
    const clause = { kind: 'clause' as const, text: 'a late fee of 1.5% a month on balances over 30 days' };
    expect(buildStatement({ ...input, lateFees: clause }).installation.lateFees).toEqual(clause);
  });
});
