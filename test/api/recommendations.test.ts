/** Service pauses and collections referrals: managers see them with the paper trail and decide them, on the record. */
import { randomUUID } from 'node:crypto';
import * as t from '../../db/schema';
import type { TestDatabase } from '../support/db';
import { type Client, closeSuite, createAccount, createDraft, eventsOfType, openSuite, type TestApi } from './support';

describe('recommendations', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  let clerk: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager, clerk } } = await openSuite(['manager', 'clerk']));
  });
  afterAll(() => closeSuite({ db, api }));

  async function owingAccount() {
    const a = await createAccount(db, { name: `Owing ${randomUUID().slice(0, 6)}` });
    // 2026-03-02 (the test clock) is 95 days after 2025-11-27.
    const r = await manager.json('POST', '/api/invoices', { account: { accountId: a.id }, number: 'R-1', issueDate: '2025-10-28', dueDate: '2025-11-27', amountCents: 180_000 }, { 'idempotency-key': `k-${randomUUID()}` });
    expect(r.status).toBe(201);
    return a;
  }
  const recommend = async (accountId: string, kind: 'service_pause' | 'collections') =>
    (await db.db.insert(t.recommendations).values({ accountId, kind, cycleKey: 'R-1:2025-11-27', balanceCents: 180_000, daysOverdue: kind === 'collections' ? 91 : 31 }).returning())[0];

  it('lists pending recommendations with the paper trail, for managers only, and on the account page', async () => {
    const a = await owingAccount();
    await createDraft(db, a.id, { status: 'sent', stepId: 'first_reminder' });
    await createDraft(db, a.id, { status: 'sent', stepId: 'second_reminder' });
    await createDraft(db, a.id, { status: 'rejected', stepId: 'final_notice' });
    await db.db.insert(t.promises).values({ accountId: a.id, promisedDate: '2026-01-15', status: 'broken' });
    const rec = await recommend(a.id, 'collections');

    const list = await manager.json('GET', `/api/recommendations?status=pending&accountId=${a.id}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1 });
    expect(list.body.items[0]).toMatchObject({
      id: rec.id,
      accountName: a.name,
      kind: 'collections',
      status: 'pending',
      paperTrail: { balanceCents: 180_000, openInvoices: 1, oldestDueDate: '2025-11-27', daysOverdue: 95, messagesSent: 2, promisesBroken: 1 },
    });
    expect((await clerk.json('GET', '/api/recommendations')).status).toBe(403);
    expect((await manager.json('GET', '/api/recommendations?status=maybe')).status).toBe(400);

    const detail = await clerk.json('GET', `/api/accounts/${a.id}`);
    expect(detail.body.recommendations).toEqual([expect.objectContaining({ id: rec.id, kind: 'collections', status: 'pending' })]);
  });

  it('approving a collections referral records who, why and the paper trail; a second decision is refused', async () => {
    const a = await owingAccount();
    await createDraft(db, a.id, { status: 'sent' });
    const rec = await recommend(a.id, 'collections');
    expect((await clerk.json('POST', `/api/recommendations/${rec.id}/decision`, { decision: 'approve', reason: 'x' })).status).toBe(403);
    expect((await manager.json('POST', `/api/recommendations/${rec.id}/decision`, { decision: 'approve' })).status).toBe(400);

    const r = await manager.json('POST', `/api/recommendations/${rec.id}/decision`, { decision: 'approve', reason: 'No answer to three notices and a call' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: rec.id, status: 'approved', decidedBy: manager.user.name, reason: 'No answer to three notices and a call' });

    const [approved] = (await eventsOfType(db, 'recommendation.approved')).filter((e) => e.accountId === a.id);
    expect(approved).toMatchObject({ actorId: manager.user.id, data: { recommendationId: rec.id, kind: 'collections', reason: 'No answer to three notices and a call' } });
    const [referred] = (await eventsOfType(db, 'collections.referred')).filter((e) => e.accountId === a.id);
    expect(referred).toMatchObject({ actorId: manager.user.id, data: { balanceCents: 180_000, daysOverdue: 95, messagesSent: 1, promisesBroken: 0, openInvoices: 1 } });

    const again = await manager.json('POST', `/api/recommendations/${rec.id}/decision`, { decision: 'decline', reason: 'changed my mind' });
    expect(again).toMatchObject({ status: 409, body: { type: '/problems/already-decided' } });
    expect((await manager.json('GET', `/api/accounts/${a.id}`)).body.recommendations).toEqual([]);
    expect((await manager.json('GET', `/api/recommendations?status=approved&accountId=${a.id}`)).body.items).toHaveLength(1);
  });

  it("declining a service pause is recorded and leaves Tactful's own follow-up running", async () => {
    const a = await owingAccount();
    const rec = await recommend(a.id, 'service_pause');
    const r = await manager.json('POST', `/api/recommendations/${rec.id}/decision`, { decision: 'decline', reason: 'Key contact is on leave until Friday' });
    expect(r.body).toMatchObject({ status: 'declined', kind: 'service_pause' });
    const [declined] = (await eventsOfType(db, 'recommendation.declined')).filter((e) => e.accountId === a.id);
    expect(declined).toMatchObject({ data: { kind: 'service_pause', reason: 'Key contact is on leave until Friday' } });
    expect((await eventsOfType(db, 'collections.referred')).filter((e) => e.accountId === a.id)).toEqual([]);
    expect((await manager.json('GET', `/api/accounts/${a.id}`)).body.account.paused).toBe(false);
    expect((await manager.json('POST', `/api/recommendations/${randomUUID()}/decision`, { decision: 'decline', reason: 'x' })).status).toBe(404);
  });

  it('refuses to approve once nothing is owed', async () => {
    const a = await owingAccount();
    const rec = await recommend(a.id, 'service_pause');
    await manager.json('POST', '/api/payments', { account: { accountId: a.id }, amountCents: 180_000, receivedAt: '2026-03-01T12:00:00Z', method: 'ach' }, { 'idempotency-key': `k-${randomUUID()}` });
    const r = await manager.json('POST', `/api/recommendations/${rec.id}/decision`, { decision: 'approve', reason: 'go' });
    expect(r).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/Nothing is owed/) } });
  });
});
