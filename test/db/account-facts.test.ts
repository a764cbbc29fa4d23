/** The facts reader gives the statement what it needs: which invoice each payment paid, credits, country, holidays. */
import { loadAccount } from '../../db/account-facts';
import * as ledger from '../../db/ledger';
import { buildStatement } from '../../domain/drafting/statement';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount, insertInvoice } from '../support/fixtures';

describe('account facts for the statement', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.destroy();
  });

  it('reads each payment with the invoices it paid, and credits as credits', async () => {
    const accountId = await insertAccount(t, { name: 'Okafor & Lee' });
    await insertInvoice(t, accountId, { number: '2241', issueDate: '2026-10-01', dueDate: '2026-10-31', amountCents: 300_000 });
    await insertInvoice(t, accountId, { number: '2281', issueDate: '2026-11-01', dueDate: '2026-12-01', amountCents: 185_000 });
    const actor = { type: 'integration' as const, name: 'test bank feed' };
    await ledger.recordPayment(t.db, { accountId, amountCents: 200_000, receivedAt: new Date('2026-11-20T15:00:00Z'), method: 'ach', invoiceNumber: '2241' }, actor);
    await ledger.recordPayment(t.db, { accountId, kind: 'credit_note', amountCents: 5_000, receivedAt: new Date('2026-11-21T15:00:00Z'), method: 'other', invoiceNumber: '2281' }, actor);

    const loaded = (await loadAccount(t.db, accountId, new Date('2026-12-04T15:00:00Z')))!;
    const byNumber = new Map(loaded.facts.invoices.map((i) => [i.id, i.number]));
    const payments = loaded.facts.payments.map((p) => [p.kind, p.amountCents, (p.allocations ?? []).map((a) => [byNumber.get(a.invoiceId), a.amountCents])]);
    expect(payments).toEqual(expect.arrayContaining([['payment', 200_000, [['2241', 200_000]]], ['credit_note', 5_000, [['2281', 5_000]]]]));

    const st = buildStatement({
      facts: loaded.facts,
      step: { stepId: 'second_reminder', kind: 'second_reminder', channel: 'email', tone: 'neutral', cycleKey: 'x', invoiceIds: [], balanceCents: 0, daysPastDue: 34, sensitiveReasons: [] },
      now: '2026-12-04T15:00:00.000Z',
      payLink: 'https://pay.example/x',
      sender: { name: 'Morgan Ellis', company: 'Northbridge IT', email: 'billing@example.com' },
      earlierMessages: [],
      rules: { requiresPayLink: true, allowsConsequences: true, statesInterruption: false },
    });
    expect(st.receivedSinceLastMessage.map((m) => [m.kind, m.allocations.map((a) => [a.invoiceNumber, a.amountCents, a.invoiceStillOpen])])).toEqual([
      ['payment', [['2241', 200_000, true]]],
      ['credit_note', [['2281', 5_000, true]]],
    ]);
    expect([st.overdueCents, st.totalOwedCents]).toEqual([100_000 + 180_000, 280_000]);
  });

  it('observes the client country’s public holidays on top of the installation’s own', async () => {
    const accountId = await insertAccount(t, { name: 'Harrow & Finch', timeZone: 'Europe/London', holidays: ['2026-12-31'] });
    await t.sql`update accounts set currency = 'GBP', country = 'GB' where id = ${accountId}`;
    const { facts } = (await loadAccount(t.db, accountId, new Date('2026-12-04T12:00:00Z')))!;
    expect(facts.country).toBe('GB');
    // Christmas, Boxing Day's substitute Monday, New Year's Day: none of them typed in by anyone.
    expect(facts.holidays).toEqual(expect.arrayContaining(['2026-12-25', '2026-12-28', '2026-12-31', '2027-01-01']));
    expect(facts.holidays).not.toContain('2026-11-26'); // US Thanksgiving is not a UK holiday

    await t.sql`insert into settings (key, value) values ('observe_public_holidays', 'false'::jsonb)`;
    const off = (await loadAccount(t.db, accountId, new Date('2026-12-04T12:00:00Z')))!.facts;
    expect(off.holidays).toEqual(['2026-12-31']);
    await t.sql`delete from settings where key = 'observe_public_holidays'`;
  });
});
