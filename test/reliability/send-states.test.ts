/**
 * The send's transactions against a payment landing at the worst moment, on a real PostgreSQL:
 * one lock order (no deadlock between the send's record and a payment), the send's states never
 * rewritten ("sent" never over "withdrawn"), and a retry that finds an attempt left in `sending`
 * asking the transport instead of delivering again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { createSendingActivities } from '../../activities/account/sending';
import { createOutboxMailer, type Delivered, type Mailer, type OutgoingMail } from '../../activities/mail/mailer';
import * as facts from '../../db/facts';
import * as ledger from '../../db/ledger';
import * as t from '../../db/schema';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount, insertInvoice } from '../support/fixtures';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

const actor = { type: 'integration' as const, name: 'test' };
const NOW = '2026-03-02T15:00:00.000Z';

/** An account owing 120,000 on one invoice, with an approved reminder for it. */
async function approvedReminder(): Promise<{ accountId: string; messageId: string }> {
  const accountId = await insertAccount(db);
  const invoiceId = await insertInvoice(db, accountId, { number: `INV-${Math.random().toString(36).slice(2, 8)}`, issueDate: '2026-01-01', dueDate: '2026-02-01', amountCents: 120_000 });
  await db.sql`update accounts set balance_cents = 120000 where id = ${accountId}`;
  const [m] = await db.db
    .insert(t.messages)
    .values({
      accountId,
      stepId: 'first_reminder',
      cycleKey: `c-${Math.random().toString(36).slice(2, 8)}`,
      status: 'approved',
      toEmail: 'ap@northwind.test',
      subject: 'Invoice past due',
      bodyText: 'Hello',
      draftSubject: 'Invoice past due',
      draftBodyText: 'Hello',
      tone: 'warm',
      source: 'template',
      factCheck: { passed: true, failures: [] },
      requiresApproval: true,
      amountCents: 120_000,
      daysOverdue: 29,
      invoiceIds: [invoiceId],
    })
    .returning();
  return { accountId, messageId: m.id };
}

/** A transport that holds each message until the test releases it, then accepts it. */
function heldMailer(base: Partial<Mailer> = {}) {
  let entered!: () => void;
  let release!: () => void;
  const atTransport = new Promise<void>((r) => (entered = r));
  const released = new Promise<void>((r) => (release = r));
  const delivered: OutgoingMail[] = [];
  const mailer: Mailer = {
    transport: 'smtp',
    ...base,
    async send(mail) {
      entered();
      await released;
      delivered.push(mail);
      return { providerMessageId: `<${mail.idempotencyKey}@tactful>` };
    },
  };
  return { mailer, atTransport, release, delivered };
}

const messageRow = async (id: string) => (await db.db.select().from(t.messages).where(eq(t.messages.id, id)))[0];
const eventsOf = async (accountId: string) => db.db.select().from(t.events).where(eq(t.events.accountId, accountId));

async function waitForLockWaiter(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await db.sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (row.n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no transaction ever waited for a lock');
}

it('a payment landing while the message is with the transport is recorded, and the send says so instead of overwriting "withdrawn"', async () => {
  const { accountId, messageId } = await approvedReminder();
  const held = heldMailer();
  const sending = createSendingActivities({ db: db.db, mailer: held.mailer }).sendMessage({ accountId, messageId, now: NOW });
  await held.atTransport;

  const paid = await ledger.recordPayment(db.db, { accountId, amountCents: 120_000, receivedAt: new Date(NOW), method: 'ach' }, actor);
  expect(paid.balanceCents).toBe(0);
  held.release();
  expect(await sending).toEqual({ status: 'sent' });

  const m = await messageRow(messageId);
  expect(m.status).toBe('sent');
  expect(m.sendNote).toMatch(/^sent while a payment was arriving/);
  const events = await eventsOf(accountId);
  // The message went out: no record may say it was withdrawn.
  expect(events.filter((e) => e.type === 'draft.withdrawn' && (e.data as { messageId?: string }).messageId === messageId)).toEqual([]);
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['payment.recorded', 'message.sent', 'message.sent_while_paying']));
  expect(held.delivered).toHaveLength(1);
});

it('the send records its outcome after taking the account row, so a payment waiting on the message is never a deadlock victim', async () => {
  const { accountId, messageId } = await approvedReminder();
  const held = heldMailer();
  const sending = createSendingActivities({ db: db.db, mailer: held.mailer }).sendMessage({ accountId, messageId, now: NOW });
  await held.atTransport;

  // The payment's order: the account row first, then the messages. It holds the account while the
  // send comes back to record; with a short deadlock_timeout it is the one PostgreSQL would abort.
  const payment = db.db.transaction(async (tx) => {
    await tx.execute(`set local deadlock_timeout = '50ms'`);
    await tx.select().from(t.accounts).where(eq(t.accounts.id, accountId)).for('update');
    held.release();
    await waitForLockWaiter(); // the send's record is now queued behind the account row
    return ledger.recordPayment(tx, { accountId, amountCents: 120_000, receivedAt: new Date(NOW), method: 'ach' }, actor);
  });
  await expect(payment).resolves.toMatchObject({ balanceCents: 0, duplicate: false });
  expect(await sending).toEqual({ status: 'sent' });
  expect((await db.db.select().from(t.payments).where(eq(t.payments.accountId, accountId))).length).toBe(1);
  expect((await messageRow(messageId)).status).toBe('sent');
});

it('a withdrawn message stays withdrawn: the send finds it and delivers nothing', async () => {
  const { accountId, messageId } = await approvedReminder();
  await ledger.recordPayment(db.db, { accountId, amountCents: 120_000, receivedAt: new Date(NOW), method: 'ach' }, actor);
  const held = heldMailer();
  held.release();
  const r = await createSendingActivities({ db: db.db, mailer: held.mailer }).sendMessage({ accountId, messageId, now: NOW });
  expect(r.status).toBe('suppressed');
  expect(held.delivered).toHaveLength(0);
  const m = await messageRow(messageId);
  expect([m.status, m.decisionReason]).toEqual(['superseded', ledger.PAID_WITHDRAW_REASON]);
});

describe('a retry that finds an attempt left in `sending`', () => {
  /** The first attempt hands the message over and dies before its record (the error proves nothing). */
  async function firstAttemptDiesAfterHandOver(accountId: string, messageId: string, handOver: (mail: OutgoingMail) => Promise<unknown>) {
    const dying: Mailer = {
      transport: 'smtp',
      async send(mail) {
        await handOver(mail);
        throw Object.assign(new Error('Connection closed unexpectedly'), { code: 'ESOCKET', command: 'DATA' });
      },
    };
    await expect(createSendingActivities({ db: db.db, mailer: dying }).sendMessage({ accountId, messageId, now: NOW })).rejects.toThrow(/closed/);
    expect((await messageRow(messageId)).status).toBe('sending');
  }

  const counting = (inner: Mailer) => {
    const sent: OutgoingMail[] = [];
    const m: Mailer = { transport: inner.transport, send: (mail) => (sent.push(mail), inner.send(mail)), ...(inner.lookup ? { lookup: (k: string) => inner.lookup!(k) } : {}) };
    return { mailer: m, sent };
  };

  it('asks the outbox transport: the file is there, so it is recorded as sent without a second delivery', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-outbox-'));
    const outbox = createOutboxMailer(dir);
    const { accountId, messageId } = await approvedReminder();
    await firstAttemptDiesAfterHandOver(accountId, messageId, (mail) => outbox.send(mail));

    const retry = counting(outbox);
    expect(await createSendingActivities({ db: db.db, mailer: retry.mailer }).sendMessage({ accountId, messageId, now: NOW })).toEqual({ status: 'sent' });
    expect(retry.sent).toHaveLength(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    const m = await messageRow(messageId);
    expect([m.status, m.sendNote]).toEqual(['sent', expect.stringMatching(/confirmed by the transport/)]);
  });

  it('asks the outbox transport: no file, so this attempt delivers it once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-outbox-'));
    const outbox = createOutboxMailer(dir);
    const { accountId, messageId } = await approvedReminder();
    await firstAttemptDiesAfterHandOver(accountId, messageId, async () => {});

    const retry = counting(outbox);
    expect(await createSendingActivities({ db: db.db, mailer: retry.mailer }).sendMessage({ accountId, messageId, now: NOW })).toEqual({ status: 'sent' });
    expect(retry.sent).toHaveLength(1);
    const [box] = await db.db.select().from(t.outbox).where(eq(t.outbox.messageId, messageId));
    expect([box.status, box.attempts]).toEqual(['sent', 2]);
  });

  it('with SMTP, which cannot be asked, marks it "may have been sent at …" for a person and never delivers again', async () => {
    const { accountId, messageId } = await approvedReminder();
    const accepted: OutgoingMail[] = [];
    await firstAttemptDiesAfterHandOver(accountId, messageId, async (mail) => accepted.push(mail));
    const [{ attemptStartedAt }] = await db.db.select().from(t.outbox).where(eq(t.outbox.messageId, messageId));

    const smtp = counting({ transport: 'smtp', send: async (mail): Promise<Delivered> => ({ providerMessageId: mail.idempotencyKey }) });
    const activities = createSendingActivities({ db: db.db, mailer: smtp.mailer });
    const first = await activities.sendMessage({ accountId, messageId, now: NOW });
    const again = await activities.sendMessage({ accountId, messageId, now: NOW });
    expect(first).toEqual({ status: 'unconfirmed', reason: expect.stringContaining(`may have been sent at ${attemptStartedAt!.toISOString()}`) });
    expect(again.status).toBe('unconfirmed');
    expect(smtp.sent).toHaveLength(0);
    expect(accepted).toHaveLength(1);
    const m = await messageRow(messageId);
    expect([m.status, m.sendNote]).toEqual(['unconfirmed', first.reason]);
    const flagged = await db.db.select().from(t.events).where(and(eq(t.events.accountId, accountId), eq(t.events.type, 'message.send_unconfirmed')));
    expect(flagged).toHaveLength(1);
  });

  it('a person settles it: "received" records it as sent; "not received" frees the step so it goes out once more', async () => {
    const smtp = counting({ transport: 'smtp', send: async (mail): Promise<Delivered> => ({ providerMessageId: mail.idempotencyKey }) });
    const activities = createSendingActivities({ db: db.db, mailer: smtp.mailer });
    const clerk = { type: 'user' as const, name: 'Casey Clerk' };

    const a = await approvedReminder();
    await firstAttemptDiesAfterHandOver(a.accountId, a.messageId, async () => {});
    expect((await activities.sendMessage({ ...a, now: NOW })).status).toBe('unconfirmed');
    const received = await facts.decideUnconfirmedSend(db.db, { messageId: a.messageId, decision: 'received', userId: null, now: new Date(NOW) }, clerk);
    expect(received.status).toBe('sent');
    const ma = await messageRow(a.messageId);
    expect([ma.status, ma.sendNote]).toEqual(['sent', expect.stringMatching(/Casey Clerk confirmed the client received it/)]);
    await expect(facts.decideUnconfirmedSend(db.db, { messageId: a.messageId, decision: 'not_received', userId: null, now: new Date(NOW) }, clerk)).rejects.toThrow(/sent now/);

    const b = await approvedReminder();
    await firstAttemptDiesAfterHandOver(b.accountId, b.messageId, async () => {});
    expect((await activities.sendMessage({ ...b, now: NOW })).status).toBe('unconfirmed');
    await facts.decideUnconfirmedSend(db.db, { messageId: b.messageId, decision: 'not_received', userId: null, now: new Date(NOW) }, clerk);
    const mb = await messageRow(b.messageId);
    expect([mb.status, mb.decisionReason]).toEqual(['superseded', expect.stringMatching(/not received by the client/)]);
    // The workflow drafts the step again; its send is a new attempt that delivers once.
    const [again] = await db.db
      .insert(t.messages)
      .values({ ...mb, id: undefined, status: 'approved', decisionReason: null, decidedAt: null, sendNote: null, sentAt: null, createdAt: new Date() })
      .returning();
    expect(await activities.sendMessage({ accountId: b.accountId, messageId: again.id, now: NOW })).toEqual({ status: 'sent' });
    expect(smtp.sent).toHaveLength(1);
    const boxes = await db.db.select().from(t.outbox).where(eq(t.outbox.accountId, b.accountId));
    expect(boxes.map((x) => x.status).sort()).toEqual(['failed', 'sent']);
  });

  it('a transport that refused the message proves it was not delivered: the retry delivers it', async () => {
    const { accountId, messageId } = await approvedReminder();
    const refusing: Mailer = { transport: 'smtp', send: async () => Promise.reject(Object.assign(new Error('451 try later'), { responseCode: 451, command: 'DATA' })) };
    await expect(createSendingActivities({ db: db.db, mailer: refusing }).sendMessage({ accountId, messageId, now: NOW })).rejects.toThrow(/451/);
    expect((await messageRow(messageId)).status).toBe('approved');
    const ok = counting({ transport: 'smtp', send: async (mail): Promise<Delivered> => ({ providerMessageId: mail.idempotencyKey }) });
    expect(await createSendingActivities({ db: db.db, mailer: ok.mailer }).sendMessage({ accountId, messageId, now: NOW })).toEqual({ status: 'sent' });
    expect(ok.sent).toHaveLength(1);
  });
});
