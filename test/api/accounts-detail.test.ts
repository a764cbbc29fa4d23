/** The account page's figures: the oldest open due date is the one a person would pick out of the invoice list. */
import { randomUUID } from 'node:crypto';
import type { TestDatabase } from '../support/db';
import { type Client, closeSuite, createAccount, openSuite, type TestApi } from './support';

describe('account detail', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager } } = await openSuite(['manager']));
  });
  afterAll(() => closeSuite({ db, api }));

  const invoice = (accountId: string, number: string, dueDate: string, amountCents: number) =>
    manager.json('POST', '/api/invoices', { account: { accountId }, number, issueDate: '2026-01-01', dueDate, amountCents }, { 'idempotency-key': `k-${randomUUID()}` });

  it('gives the oldest due date of the open invoices, in the detail and in the list', async () => {
    const a = await createAccount(db, { name: `Oldest Due ${randomUUID().slice(0, 6)}` });
    expect((await invoice(a.id, 'OD-1', '2026-02-20', 50_000)).status).toBe(201);
    expect((await invoice(a.id, 'OD-2', '2026-01-15', 70_000)).status).toBe(201);
    expect((await invoice(a.id, 'OD-3', '2026-03-10', 10_000)).status).toBe(201);

    const detail = await manager.json('GET', `/api/accounts/${a.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.invoices.filter((i: { status: string }) => i.status === 'open')).toHaveLength(3);
    expect(detail.body.account.oldestDueDate).toBe('2026-01-15');
    expect(detail.body.account.balanceCents).toBe(130_000);

    const list = await manager.json('GET', `/api/accounts?search=${encodeURIComponent(a.name)}`);
    expect(list.body.items).toEqual([expect.objectContaining({ id: a.id, oldestDueDate: '2026-01-15' })]);
  });

  it('says a dispute is open once one is opened (same subquery shape)', async () => {
    const a = await createAccount(db);
    expect((await invoice(a.id, 'DS-1', '2026-02-01', 20_000)).status).toBe(201);
    expect((await manager.json('GET', `/api/accounts/${a.id}`)).body.account.disputeOpen).toBe(false);
    expect((await manager.json('POST', `/api/accounts/${a.id}/disputes`, { reason: 'DS-1 bills a cancelled seat' })).status).toBe(201);
    expect((await manager.json('GET', `/api/accounts/${a.id}`)).body.account.disputeOpen).toBe(true);
  });

  it('skips a paid invoice and is empty when nothing is open', async () => {
    const a = await createAccount(db);
    expect((await invoice(a.id, 'PD-1', '2026-01-05', 30_000)).status).toBe(201);
    expect((await invoice(a.id, 'PD-2', '2026-02-05', 40_000)).status).toBe(201);
    const pay = await manager.json('POST', '/api/payments', { account: { accountId: a.id }, amountCents: 30_000, receivedAt: '2026-02-01T12:00:00Z', method: 'ach', reference: 'PD-1 paid', invoiceNumber: 'PD-1' }, { 'idempotency-key': `k-${randomUUID()}` });
    expect(pay.status).toBeLessThan(300);
    expect((await manager.json('GET', `/api/accounts/${a.id}`)).body.account.oldestDueDate).toBe('2026-02-05');

    const empty = await createAccount(db);
    const none = await manager.json('GET', `/api/accounts/${empty.id}`);
    expect(none.status).toBe(200);
    expect(none.body.account.oldestDueDate).toBeNull();
  });
});
