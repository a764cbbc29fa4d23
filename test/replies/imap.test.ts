/**
 * The reply reader against a real IMAP server (dovecot) and a real PostgreSQL: mail delivered to the
 * mailbox is matched, understood, recorded once, acted on through the ledger, and moved to a folder
 * by outcome; new mail is picked up while the reader idles; "already paid" holds reminders until
 * the payment is recorded.
 */
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer';
import * as ledger from '../../db/ledger';
import { replyHoldsOf } from '../../db/account-facts';
import { confirmProposedPromise, replyTokenFor, settleReplyHolds } from '../../db/replies';
import { createImapReader, outcomeFolders, type ImapReader } from '../../activities/replies/imap-reader';
import { createReplyHandler } from '../../db/facts/reply-intake';
import type { FactsChanged } from '../../domain/messages';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount, insertInvoice, waitFor } from '../support/fixtures';
import { startImapServer, type ImapPeer } from '../support/imap';

const MAILBOX = 'ar@northwind.example';
let imap: ImapPeer;
let t: TestDatabase;
let accountId: string;
let token: string;
let reader: ImapReader;
const signals: Array<{ accountId: string; signal: FactsChanged }> = [];

const mail = (o: { from?: string; to?: string; subject?: string; text: string; messageId: string; date?: Date }) =>
  new MailComposer({
    from: o.from ?? 'Dana Whitfield <ap@northwind.test>',
    to: o.to ?? `Northwind AR <ar+${token}@northwind.example>`,
    subject: o.subject ?? 'Re: Invoice INV-1042 is overdue',
    text: o.text,
    messageId: o.messageId,
    date: o.date ?? new Date(),
  })
    .compile()
    .build();

async function deliver(raw: Buffer | Promise<Buffer>) {
  const c = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.pass }, logger: false });
  await c.connect();
  await c.append('INBOX', await raw);
  await c.logout();
}

async function folderCount(name: string): Promise<number> {
  const c = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.pass }, logger: false });
  await c.connect();
  const s = await c.status(name, { messages: true });
  await c.logout();
  return s ? (s.messages ?? 0) : 0;
}

beforeAll(async () => {
  [imap, t] = await Promise.all([startImapServer(), createTestDatabase()]);
  accountId = await insertAccount(t, { mode: 'copilot' });
  await insertInvoice(t, accountId, { number: 'INV-1042', issueDate: '2026-10-21', dueDate: '2026-11-20', amountCents: 125_000 });
  await t.sql`update accounts set balance_cents = 125000 where id = ${accountId}`;
  token = await replyTokenFor(t.db, accountId);
  const handler = createReplyHandler({ db: t.db, mailbox: MAILBOX, signal: async (id, s) => void signals.push({ accountId: id, signal: s }) });
  reader = createImapReader({ host: imap.host, port: imap.port, secure: false, user: imap.user, pass: imap.pass, mailbox: 'INBOX', pollMs: 60_000, folderPrefix: 'Tactful' }, handler);
});

afterAll(async () => {
  await reader?.stop();
  await Promise.all([imap?.stop(), t?.destroy()]);
});

it('handles delivered replies once each, files them by outcome, and picks up new mail while idling', async () => {
  const promise = mail({ text: "Thanks for the reminder. We'll pay on the 15th.\n\nOn Thu, Dec 3 Northwind AR wrote:\n> Invoice INV-1042 for $1,250.00 is overdue.", messageId: '<p1@northwind.test>' });
  await deliver(promise);
  await deliver(promise); // the same message delivered twice (a client's mail server retrying)
  await deliver(mail({ from: 'Someone <stranger@elsewhere.test>', text: 'We paid this already.', messageId: '<s1@elsewhere.test>' }));
  await deliver(Buffer.from('this is not an email at all, just bytes\x00\x01'));
  await reader.start();

  const rows = await t.sql`select kind, status, known_sender, match_quality, action, details from replies order by created_at`;
  expect(rows.map((r) => [r.kind, r.status, r.known_sender, r.match_quality])).toEqual(
    expect.arrayContaining([
      ['promise_to_pay', 'proposed', true, 'token'],
      // Sent to the account's address by someone who is not its contact: flagged, a person decides.
      ['already_paid', 'waiting', false, 'token'],
      // Bytes that are no email still reach a person, unmatched, rather than being dropped.
      ['other', 'waiting', false, 'unmatched'],
    ]),
  );
  expect(rows.filter((r) => r.kind === 'promise_to_pay')).toHaveLength(1);
  expect(rows.find((r) => r.kind === 'promise_to_pay')!.details.promisedDate).toMatch(/^\d{4}-\d{2}-15$/);
  // A proposed promise is not a promise yet: the clerk confirms it.
  expect(await t.sql`select * from promises where account_id = ${accountId}`).toHaveLength(0);
  expect(await folderCount('INBOX')).toBe(0);
  expect(await folderCount(`Tactful/${outcomeFolders.handled}`)).toBe(2);
  expect(rows).toHaveLength(3);
  expect(await folderCount(`Tactful/${outcomeFolders.person}`)).toBe(2);

  // Delivered while the reader idles: IDLE wakes it, no poll needed (the poll is a minute away).
  await deliver(mail({ text: 'We paid yesterday, ref 4471.', messageId: '<p2@northwind.test>' }));
  await waitFor('the paid reply', async () => (await t.sql`select status from replies where kind = 'already_paid' and known_sender`)[0]);
  expect(await replyHoldsOf(t.db, accountId, new Date())).toHaveLength(2);
  expect((await t.sql`select paused from accounts where id = ${accountId}`)[0].paused).toBe(false);
  expect(signals.map((s) => s.signal.change)).toContain('reply_hold');
  await waitFor('the move', async () => (await folderCount(`Tactful/${outcomeFolders.handled}`)) === 3);

  // Nothing yet: the hold stays. The payment arrives with its reference: verified. The account stays
  // held by the promise reply until a clerk confirms it; confirming records the promise (which holds
  // the escalation from then on) and lifts the reply's pause.
  expect(await settleReplyHolds(t.db, new Date())).toEqual([]);
  await ledger.recordPayment(t.db, { accountId, amountCents: 125_000, receivedAt: new Date(), method: 'ach', reference: '4471' }, { type: 'integration', name: 'bank' });
  expect(await settleReplyHolds(t.db, new Date())).toEqual([]);
  expect((await t.sql`select status, outcome from replies where kind = 'already_paid' and known_sender`)[0]).toMatchObject({ status: 'done', outcome: expect.stringContaining('4471') });
  expect(await replyHoldsOf(t.db, accountId, new Date())).toEqual([expect.objectContaining({ reason: expect.stringMatching(/proposed/) })]);
  const [proposed] = await t.sql`select id from replies where status = 'proposed'`;
  const confirmed = await confirmProposedPromise(t.db, { replyId: proposed.id }, { type: 'user', name: 'clerk' });
  expect(confirmed.change).toBe('promise_recorded');
  expect(await replyHoldsOf(t.db, accountId, new Date())).toEqual([]);
  expect(await t.sql`select promised_date from promises where account_id = ${accountId} and status = 'open'`).toHaveLength(1);
  await expect(confirmProposedPromise(t.db, { replyId: proposed.id }, { type: 'user', name: 'clerk' })).rejects.toThrow(/done, not a proposed promise/);
  const timeline = await t.sql`select type, data from events where account_id = ${accountId} and type like 'reply.%' order by id`;
  expect(timeline.map((e) => [e.type, e.data.kind ?? null, e.data.action ?? null])).toEqual([
    ['reply.received', 'promise_to_pay', 'propose_promise'],
    ['reply.received', 'already_paid', 'to_person'],
    ['reply.received', 'already_paid', 'pause_and_verify'],
    ['reply.hold_ended', null, null],
  ]);
});
