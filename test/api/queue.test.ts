/** The copilot queue: listing, detail with fact check, decisions through the workflow update, bulk approve. */
import { sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { TestDatabase } from '../support/db';
import { closeSuite, createAccount, createDraft, openSuite, type Client, type TestApi } from './support';

describe('queue', () => {
  let db: TestDatabase;
  let api: TestApi;
  let clerk: Client;
  beforeAll(async () => {
    ({ db, api, as: { clerk: clerk } } = await openSuite(['clerk']));
  });
  afterAll(() => closeSuite({ db, api }));

  it('lists pending drafts sorted and paginated, and shows one with its account context and fact check', async () => {
    const a = await createAccount(db, { name: 'Zeta Corp' });
    const small = await createDraft(db, a.id, { amountCents: 10_000, daysOverdue: 3 });
    const big = await createDraft(db, a.id, { amountCents: 900_000, daysOverdue: 40, sensitiveReasons: ['large balance'], factCheck: { passed: false, failures: ['mentions $12.00'] }, createdAt: sql`now() - interval '90 minutes 0.123456 seconds'` as unknown as Date, escalatedAt: new Date() });
    await createDraft(db, a.id, { status: 'approved' });
    const byAmount = await clerk.json('GET', '/api/queue?sort=amount&pageSize=1');
    expect(byAmount.body).toMatchObject({ total: 2, items: [{ id: big.id, factCheckPassed: false, source: 'template' }] });
    const page2 = await clerk.json('GET', '/api/queue?sort=amount&pageSize=1&page=2');
    expect(page2.body.items[0].id).toBe(small.id);
    const byRisk = await clerk.json('GET', '/api/queue?sort=risk');
    expect(byRisk.body.items[0].id).toBe(big.id);
    // Risk is scored for the page only when not sorting by it; the figure must be the same either way.
    const byAge = await clerk.json('GET', '/api/queue?sort=age');
    const riskOf = (b: { items: { id: string; risk: number }[] }) => Object.fromEntries(b.items.map((i) => [i.id, i.risk]));
    expect(riskOf(byAge.body)).toEqual(riskOf(byRisk.body));
    expect(byAge.body.total).toBe(2);
    expect((await clerk.json('GET', '/api/queue?search=Zeta')).body.total).toBe(2);
    expect((await clerk.json('GET', '/api/queue?search=Nobody')).body).toMatchObject({ total: 0, items: [] });
    expect((await clerk.json('GET', '/api/queue?pageSize=1&page=9')).body).toMatchObject({ total: 2, items: [] });
    expect((await clerk.json('GET', '/api/queue?sensitive=false')).body.items.map((i: { id: string }) => i.id)).toEqual([small.id]);
    const detail = await clerk.json('GET', `/api/queue/${big.id}`);
    expect(detail.body).toMatchObject({ factCheck: { passed: false, failures: ['mentions $12.00'] }, account: { name: 'Zeta Corp' } });
    // The list row reads the same draft as the detail does, field for field.
    const listed = byAge.body.items.find((i: { id: string }) => i.id === big.id);
    expect(listed).toMatchObject({ amountCents: 900_000, daysOverdue: 40, sensitiveReasons: ['large balance'], escalated: true, accountName: 'Zeta Corp', createdAt: big.createdAt.toISOString() });
    const { message } = detail.body;
    for (const k of Object.keys(listed)) expect([k, listed[k]]).toEqual([k, message[k]]);
    expect((await clerk.json('GET', '/api/queue?sort=sideways')).status).toBe(400);
  });

  it('shows the statement the draft was written from: overdue and not yet due apart, and whether this is the first contact', async () => {
    const a = await createAccount(db, { name: 'Harrow & Finch', currency: 'GBP', country: 'GB', timeZone: 'Europe/London' });
    const now = api.clock.now.getTime();
    const day = (d: number) => new Date(now + d * 86_400_000).toISOString().slice(0, 10);
    const [late, soon] = await db.db
      .insert(t.invoices)
      .values([
        { accountId: a.id, number: '2241', issueDate: day(-40), dueDate: day(-10), amountCents: 185_000, balanceCents: 185_000 },
        { accountId: a.id, number: '2281', issueDate: day(-9), dueDate: day(21), amountCents: 808_500, balanceCents: 808_500 },
      ])
      .returning();
    const cycleKey = `${late.id}:${late.dueDate}`;
    const draft = await createDraft(db, a.id, { stepId: 'second_reminder', cycleKey, invoiceIds: [late.id, soon.id], amountCents: 993_500 });
    const first = (await clerk.json('GET', `/api/queue/${draft.id}`)).body.statement;
    expect(first).toMatchObject({ overdueCents: 185_000, upcomingCents: 808_500, totalOwedCents: 993_500, currency: 'GBP', firstContact: true, messagesThisCycle: 0 });
    expect(first.invoices).toEqual([
      { id: late.id, state: 'overdue', daysPastDue: 10 },
      { id: soon.id, state: 'upcoming', daysPastDue: 0 },
    ]);
    // A message that went out in this cycle makes the draft a follow-up; one from another cycle does not.
    await createDraft(db, a.id, { status: 'sent', cycleKey: 'other:2024-01-01', sentAt: new Date(now - 30 * 86_400_000) });
    expect((await clerk.json('GET', `/api/queue/${draft.id}`)).body.statement.firstContact).toBe(true);
    await createDraft(db, a.id, { status: 'sent', stepId: 'first_reminder', cycleKey, sentAt: new Date(now - 5 * 86_400_000) });
    expect((await clerk.json('GET', `/api/queue/${draft.id}`)).body.statement).toMatchObject({ firstContact: false, messagesThisCycle: 1 });
  });

  it('never serves a page older than the request, though pages are kept between requests', async () => {
    const a = await createAccount(db, { name: 'Kappa Ltd' });
    const d1 = await createDraft(db, a.id, { amountCents: 50_000 });
    const page = async () => (await clerk.json('GET', '/api/queue?search=Kappa')).body;
    const ids = (b: { items: { id: string }[] }) => b.items.map((i) => i.id);
    expect(await page()).toMatchObject({ total: 1, items: [{ id: d1.id, accountName: 'Kappa Ltd' }] });
    expect(ids(await page())).toEqual([d1.id]);

    // The worker decides or withdraws drafts in its own transactions: the next page no longer lists it, and the total agrees.
    await db.sql`update messages set status = 'superseded', decision_reason = 'paid' where id = ${d1.id}`;
    expect(await page()).toMatchObject({ total: 0, items: [] });
    const d2 = await createDraft(db, a.id, { amountCents: 70_000 });
    expect(await page()).toMatchObject({ total: 1, items: [{ id: d2.id }] });

    // What a page shows from elsewhere: the account's name, and broken promises (risk).
    const before = (await page()).items[0].risk;
    await db.sql`update accounts set name = 'Kappa Holdings' where id = ${a.id}`;
    await db.sql`insert into promises (account_id, promised_date, status) values (${a.id}, '2026-01-05', 'broken')`;
    expect((await page()).items[0]).toMatchObject({ accountName: 'Kappa Holdings', risk: before + 5 });

    // A change still being written is not shown; once committed, it is.
    const reserved = await db.sql.reserve();
    try {
      await reserved`begin`;
      await reserved`update messages set status = 'approved' where id = ${d2.id}`;
      expect(ids(await page())).toEqual([d2.id]);
      await reserved`commit`;
    } finally {
      reserved.release();
    }
    expect(await page()).toMatchObject({ total: 0, items: [] });

    // Many clerks asking at once all get the same, current page.
    const d3 = await createDraft(db, a.id);
    const pages = await Promise.all(Array.from({ length: 20 }, page));
    for (const p of pages) expect(p).toMatchObject({ total: 1, items: [{ id: d3.id }] });
  });

  it('decides through the workflow update and says when a draft was already decided or superseded', async () => {
    const a = await createAccount(db);
    const d = await createDraft(db, a.id);
    const edited = await clerk.json('POST', `/api/queue/${d.id}/decision`, { decision: 'approve_with_edits', subject: 'Quick note', bodyText: 'Hello again' });
    expect(edited.body).toEqual({ messageId: d.id, status: 'approved' });
    expect(api.gateway.decisions.at(-1)).toMatchObject({ decision: 'approve_with_edits', actor: { type: 'user', id: clerk.user.id } });
    const again = await clerk.json('POST', `/api/queue/${d.id}/decision`, { decision: 'reject', reason: 'changed my mind' });
    expect(again).toMatchObject({ status: 409, body: { type: '/problems/already-decided' } });
    const withdrawn = await createDraft(db, a.id, { status: 'superseded', decisionReason: 'payment received' });
    const late = await clerk.json('POST', `/api/queue/${withdrawn.id}/decision`, { decision: 'approve' });
    expect(late).toMatchObject({ status: 409, body: { type: '/problems/superseded', detail: expect.stringMatching(/payment received/) } });
    expect((await clerk.json('POST', `/api/queue/${d.id}/decision`, { decision: 'reject' })).status).toBe(400);
  });

  it('bulk-approves, answering for each draft', async () => {
    const a = await createAccount(db);
    const d1 = await createDraft(db, a.id);
    const d2 = await createDraft(db, a.id, { status: 'rejected' });
    const r = await clerk.json('POST', '/api/queue/bulk-approve', { messageIds: [d1.id, d2.id, '00000000-0000-4000-8000-000000000000'] });
    expect(r.body.results).toEqual([
      { messageId: d1.id, ok: true, status: 'approved' },
      expect.objectContaining({ messageId: d2.id, ok: false, problem: '/problems/already-decided' }),
      expect.objectContaining({ ok: false, problem: '/problems/not-found' }),
    ]);
  });
});
