/**
 * Issue 17 points 6 and 12 at the API: the account feed tells the account's story from the facts
 * (invoices, payments, credits, the text of what was sent, calls, decisions, notes, client replies),
 * the invoice list counts days overdue in the account's time zone and links each open invoice to its
 * pay page; and an admin cannot switch off their own sign-in.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { TestDatabase } from '../support/db';
import { type Client, closeSuite, createAccount, createCallTask, createDraft, createUser, openSuite, type TestApi } from './support';

// The API's clock is the suite's, not the wall's: "today" is the account's day at that moment.
const dayIn = (timeZone: string, offsetDays: number, now: Date) => {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return new Date(Date.parse(`${today}T00:00:00Z`) + offsetDays * 86_400_000).toISOString().slice(0, 10);
};

describe('account feed', () => {
  let db: TestDatabase;
  let api: TestApi;
  let manager: Client;
  let admin: Client;
  let viewer: Client;
  beforeAll(async () => {
    ({ db, api, as: { manager, admin, viewer } } = await openSuite(['manager', 'admin', 'viewer']));
  });
  afterAll(() => closeSuite({ db, api }));

  const post = (c: Client, path: string, body: unknown) => c.json('POST', path, body, { 'idempotency-key': `k-${randomUUID()}` });

  it('lists invoices, payments, credits, sent text, calls, decisions, notes and replies, newest first', async () => {
    const a = await createAccount(db, { name: `Feed Co ${randomUUID().slice(0, 6)}`, timeZone: 'Pacific/Auckland' });
    const overdueDue = dayIn('Pacific/Auckland', -40, api.clock.now);
    expect((await post(manager, '/api/invoices', { account: { accountId: a.id }, number: 'FD-1', issueDate: dayIn('Pacific/Auckland', -70, api.clock.now), dueDate: overdueDue, amountCents: 90_000 })).status).toBe(201);
    expect((await post(manager, '/api/invoices', { account: { accountId: a.id }, number: 'FD-2', issueDate: dayIn('Pacific/Auckland', -5, api.clock.now), dueDate: dayIn('Pacific/Auckland', 25, api.clock.now), amountCents: 20_000 })).status).toBe(201);
    expect((await post(manager, '/api/payments', { account: { accountId: a.id }, amountCents: 15_000, receivedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(), method: 'ach', reference: 'WIRE-77', invoiceNumber: 'FD-1' })).status).toBeLessThan(300);
    const sentBody = 'Hello Feed Co,\n\nInvoice FD-1 for $900.00 is now 40 days past due.\n\nThank you';
    await createDraft(db, a.id, { status: 'sent', subject: 'FD-1 is past due', bodyText: sentBody, decidedBy: manager.user.id, decidedAt: new Date(Date.now() - 2 * 86_400_000), sentAt: new Date(Date.now() - 2 * 86_400_000 + 60_000) });
    await createDraft(db, a.id, { status: 'rejected', stepId: 'second_reminder', decidedBy: manager.user.id, decidedAt: new Date(Date.now() - 86_400_000), decisionReason: 'Client is on holiday until Monday' });
    const call = await createCallTask(db, a.id, null);
    await db.db.update(t.callTasks).set({ status: 'done', outcome: 'no_answer', outcomeNotes: 'Rang twice, voicemail full', completedBy: manager.user.id, completedAt: new Date(Date.now() - 3_600_000) }).where(eq(t.callTasks.id, call.id));
    expect((await manager.json('POST', `/api/accounts/${a.id}/notes`, { text: 'Spoke to their controller at a conference' })).status).toBeLessThan(300);
    await db.sql`insert into replies (account_id, source, from_email, subject, received_at, raw, visible_text, kind, confidence, evidence, classifier, match_quality, known_sender, action, status)
      values (${a.id}, 'imap', 'ap@feedco.test', 'Re: FD-1 is past due', now() - interval '30 minutes', '\\x00'::bytea, 'We will pay FD-1 on Friday.', 'promise', 0.9, 'pay on Friday', 'rules', 'exact', true, '{}'::jsonb, 'waiting')`;

    const feed = await viewer.json('GET', `/api/accounts/${a.id}/feed`);
    expect(feed.status).toBe(200);
    const kinds = new Set(feed.body.items.map((i: { kind: string }) => i.kind));
    for (const k of ['invoice', 'payment', 'message', 'call', 'decision', 'note', 'reply']) expect(kinds).toContain(k);
    const message = feed.body.items.find((i: { kind: string }) => i.kind === 'message');
    expect(message.body).toBe(sentBody);
    expect(message.title).toContain('FD-1 is past due');
    expect(feed.body.items.find((i: { title: string }) => /rejected the second reminder/.test(i.title)).body).toBe('Client is on holiday until Monday');
    // The reply with what it was understood as, on what evidence, and what was done (nothing yet here).
    expect(feed.body.items.find((i: { kind: string }) => i.kind === 'reply').body).toBe(
      'We will pay FD-1 on Friday.\n\nUnderstood as promise (90% sure), from: “pay on Friday”.\nWhat Tactful did: nothing yet.',
    );
    expect(feed.body.items.find((i: { kind: string; title: string }) => i.kind === 'call' && /no answer/.test(i.title)).body).toBe('Rang twice, voicemail full');
    expect(feed.body.items.find((i: { kind: string }) => i.kind === 'payment').title).toMatch(/\$150\.00 received \(reference WIRE-77\)/);
    const issued = feed.body.items.find((i: { title: string }) => i.title.startsWith('Invoice FD-1 issued'));
    expect(issued.day).toBe(dayIn('Pacific/Auckland', -70, api.clock.now));
    // Newest first: the reply (30 minutes ago) before the call (an hour ago) before the sent message.
    const at = feed.body.items.map((i: { at: string }) => i.at);
    expect([...at].sort().reverse()).toEqual(at);
    // Nothing internal reaches a person: no step ids, no raw codes.
    for (const i of feed.body.items) expect(i.title).not.toMatch(/_|pending_approval|\d{4}-\d\d-\d\dT/);

    const inv = Object.fromEntries(feed.body.invoices.map((i: { number: string }) => [i.number, i]));
    expect(inv['FD-1'].daysOverdue).toBe(40);
    expect(inv['FD-2'].daysOverdue).toBeNull();
    expect(inv['FD-1'].payLink).toMatch(/^https:\/\//);
    expect(inv['FD-1'].payLink).toContain(a.id);
  });

  it('gives a credit note its own kind and says when an imported payment has no day', async () => {
    const a = await createAccount(db);
    expect((await post(manager, '/api/invoices', { account: { accountId: a.id }, number: 'CN-1', issueDate: '2026-01-01', dueDate: '2026-01-31', amountCents: 50_000 })).status).toBe(201);
    await db.db.insert(t.payments).values({ accountId: a.id, kind: 'credit_note', amountCents: 5_000, receivedAt: new Date('2026-02-02T10:00:00Z'), method: 'other', reference: 'CR-9' });
    await db.db.insert(t.payments).values({ accountId: a.id, amountCents: 7_000, receivedAt: new Date('2026-01-01T00:00:00Z'), method: 'other', dated: false, basis: 'paid_before_import' });
    const feed = await manager.json('GET', `/api/accounts/${a.id}/feed`);
    expect(feed.status).toBe(200);
    expect(feed.body.items.find((i: { kind: string }) => i.kind === 'credit').title).toBe('Credit note CR-9 for $50.00');
    const undated = feed.body.items.find((i: { kind: string }) => i.kind === 'payment');
    expect(undated.title).toMatch(/day not known/);
    expect(undated.dateKnown).toBe(false);
  });

  it('is 404 for an account that does not exist', async () => {
    expect((await manager.json('GET', `/api/accounts/${randomUUID()}/feed`)).status).toBe(404);
  });

  it('refuses an admin switching off their own sign-in, and still lets them switch off someone else', async () => {
    const self = await admin.json('PATCH', `/api/users/${admin.user.id}`, { active: false });
    expect(self.status).toBe(409);
    expect(self.body.detail).toMatch(/your own sign-in/);
    const [me] = await db.db.select().from(t.users).where(eq(t.users.id, admin.user.id));
    expect(me.active).toBe(true);
    expect((await admin.json('GET', '/api/me')).status).toBe(200);
    const other = await createUser(db, 'clerk');
    const off = await admin.json('PATCH', `/api/users/${other.id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
  });
});
