/**
 * A client's reply holds written reminders as its own fact, apart from the managers' pause switch
 * (issue 16): a hold that ends never lifts a pause a manager set, and "we have paid" is verified in the
 * same transaction as the payment that proves it, wherever that payment comes from.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { createReplyHandler } from '../../db/facts/reply-intake';
import { replyHoldsOf } from '../../db/account-facts';
import * as ledger from '../../db/ledger';
import { replyTokenFor, settleReplyHolds } from '../../db/replies';
import { nextAction } from '../../domain/policy/next-action';
import { defaultPolicy } from '../../domain/policy/default-policy';
import { account, invoice, at } from '../domain/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount, insertInvoice } from '../support/fixtures';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.destroy());

const received = new Date('2026-12-04T15:00:00Z');
async function paidReply(accountId: string, n: number) {
  const token = await replyTokenFor(t.db, accountId);
  const raw = await new MailComposer({ from: 'ap@northwind.test', to: `ar+${token}@northwind.example`, subject: 'Re: reminder', text: 'We paid yesterday, ref 4471.', messageId: `<hold-${n}@northwind.test>`, date: received })
    .compile()
    .build();
  const handler = createReplyHandler({ db: t.db, mailbox: 'ar@northwind.example', signal: async () => undefined, clock: () => new Date(received.getTime() + 60_000) });
  return handler.handle(raw, 'test');
}
const pausedOf = async (id: string) => (await t.sql`select paused from accounts where id = ${id}`)[0].paused as boolean;
const replyOf = async (id: string) => (await t.sql`select status, outcome from replies where account_id = ${id}`)[0];

it("a hold that ends does not lift a manager's pause set while it held", async () => {
  const accountId = await insertAccount(t, {});
  await insertInvoice(t, accountId, { number: 'INV-1', issueDate: '2026-10-01', dueDate: '2026-11-01', amountCents: 50_000 });
  await paidReply(accountId, 1);
  expect(await replyHoldsOf(t.db, accountId, received)).toHaveLength(1);
  expect(await pausedOf(accountId)).toBe(false);

  await ledger.setPaused(t.db, { accountId, paused: true, reason: 'the owner is talking to the client' }, { type: 'user', name: 'manager' });
  // The verification deadline passes with no payment: the hold ends, reminders may resume — but the
  // manager's pause is the manager's.
  await settleReplyHolds(t.db, new Date(received.getTime() + 6 * 86_400_000));
  expect(await replyOf(accountId)).toMatchObject({ status: 'waiting', outcome: expect.stringMatching(/no payment seen/) });
  expect(await replyHoldsOf(t.db, accountId, new Date(received.getTime() + 6 * 86_400_000))).toEqual([]);
  expect(await pausedOf(accountId)).toBe(true);
});

it('"we have paid" is verified by the payment when it arrives, in its own transaction, without waiting for the sweep', async () => {
  const accountId = await insertAccount(t, {});
  await insertInvoice(t, accountId, { number: 'INV-2', issueDate: '2026-10-01', dueDate: '2026-11-01', amountCents: 80_000 });
  await paidReply(accountId, 2);
  expect(await replyOf(accountId)).toMatchObject({ status: 'verifying' });
  // A part payment: the client paid something, as it said; the rest is a matter for the reminders.
  await ledger.recordPayment(t.db, { accountId, amountCents: 30_000, receivedAt: new Date(received.getTime() - 86_400_000), method: 'ach', reference: '4471' }, { type: 'integration', name: 'bank' });
  expect(await replyOf(accountId)).toMatchObject({ status: 'done', outcome: expect.stringMatching(/payment verified \(reference 4471\)/) });
  expect(await replyHoldsOf(t.db, accountId, received)).toEqual([]);
  const [ev] = await t.sql`select data from events where account_id = ${accountId} and type = 'reply.hold_ended'`;
  expect(ev.data).toMatchObject({ outcome: expect.stringMatching(/verified/) });
  // A credit note is not the client's payment: it verifies nothing.
  const other = await insertAccount(t, {});
  await insertInvoice(t, other, { number: 'INV-3', issueDate: '2026-10-01', dueDate: '2026-11-01', amountCents: 80_000 });
  await paidReply(other, 3);
  await ledger.recordPayment(t.db, { accountId: other, kind: 'credit_note', amountCents: 10_000, receivedAt: received, method: 'other' }, { type: 'user', name: 'clerk' });
  expect(await replyOf(other)).toMatchObject({ status: 'verifying' });
});

it('the planner holds written steps until a reply hold ends', () => {
  const now = at('2026-12-07');
  const facts = account({ invoices: [invoice('i1', '2026-11-01', 50_000)] });
  const free = nextAction({ policy: defaultPolicy, facts, now });
  expect(free.type).toBe('act');
  const until = at('2026-12-10');
  const held = nextAction({ policy: defaultPolicy, facts: { ...facts, replyHolds: [{ until, reason: 'the client says it has paid; verifying' }] }, now });
  expect(held).toMatchObject({ type: 'wait', reason: 'reply_hold' });
  expect(Date.parse((held as { until: string }).until)).toBeGreaterThanOrEqual(Date.parse(until));
  // A hold that has ended holds nothing.
  expect(nextAction({ policy: defaultPolicy, facts: { ...facts, replyHolds: [{ until: at('2026-12-01'), reason: 'over' }] }, now }).type).toBe('act');
});
