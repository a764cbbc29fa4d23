/**
 * Inbound-parse webhooks over HTTP against the real app and PostgreSQL: Postmark's JSON behind Basic
 * credentials, Mailgun's multipart and urlencoded posts signed with HMAC. A verified post becomes a
 * reply with its facts; a refused one changes nothing and leaves a trace; a retried post records once.
 */
import { createHmac } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { replyTokenFor } from '../../db/replies';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { insertAccount, insertInvoice } from '../support/fixtures';
import { createUser, login, startApi, type TestApi } from '../api/support';

let t: TestDatabase;
let api: TestApi;
let accountId: string;
let token: string;
const SIGNING_KEY = 'key-mailgun-signing-0123456789abcdef';
const POSTMARK = { user: 'postmark', pass: 'inbound-password-0123456789' };

beforeAll(async () => {
  t = await createTestDatabase();
  api = await startApi(t, { config: { inboundMail: { mailbox: 'ar@northwind.example', postmark: POSTMARK, mailgunSigningKey: SIGNING_KEY } } });
  accountId = await insertAccount(t);
  await insertInvoice(t, accountId, { number: 'INV-1042', issueDate: '2026-01-01', dueDate: '2026-01-31', amountCents: 125_000 });
  token = await replyTokenFor(t.db, accountId);
});
afterAll(async () => {
  await api?.close();
  await t?.destroy();
});

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** The shape Postmark documents for its inbound webhook (fields trimmed to those it always sends). */
const postmarkBody = (text: string, messageId: string) => ({
  FromName: 'Dana Whitfield',
  MessageStream: 'inbound',
  From: 'ap@northwind.test',
  FromFull: { Email: 'ap@northwind.test', Name: 'Dana Whitfield', MailboxHash: '' },
  To: `"Northwind AR" <ar+${token}@northwind.example>`,
  ToFull: [{ Email: `ar+${token}@northwind.example`, Name: 'Northwind AR', MailboxHash: token }],
  Cc: '',
  CcFull: [],
  OriginalRecipient: `ar+${token}@northwind.example`,
  Subject: 'Re: Invoice INV-1042 is overdue',
  MessageID: messageId,
  ReplyTo: '',
  MailboxHash: token,
  Date: 'Mon, 2 Mar 2026 09:58:12 -0500',
  TextBody: `${text}\n\nOn Fri, Feb 27, 2026 Northwind AR wrote:\n> Invoice INV-1042 for $1,250.00 is overdue.`,
  HtmlBody: `<p>${text}</p>`,
  StrippedTextReply: text,
  Tag: '',
  Headers: [
    { Name: 'X-Spam-Status', Value: 'No' },
    { Name: 'Message-ID', Value: `<${messageId}>` },
    { Name: 'In-Reply-To', Value: '<acct.first_reminder.2026-02@tactful>' },
  ],
  Attachments: [],
});

const post = (path: string, body: string | FormData, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { method: 'POST', body, headers });

describe('Postmark', () => {
  it('takes a reply behind the right credentials, once, and refuses the wrong ones without recording anything', async () => {
    const body = JSON.stringify(postmarkBody("We'll pay on the 20th.", 'pm-1@mail.northwind.test'));
    const refused = await post('/api/inbound/postmark', body, { 'content-type': 'application/json', authorization: basic('postmark', 'wrong-password') });
    expect(refused.status).toBe(401);
    expect(await t.sql`select * from replies`).toHaveLength(0);
    expect(await t.sql`select * from events where type = 'inbound_mail.refused'`).toHaveLength(1);

    const ok = await post('/api/inbound/postmark', body, { 'content-type': 'application/json', authorization: basic(POSTMARK.user, POSTMARK.pass) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ received: true, duplicate: false, status: 'proposed' });
    const again = await post('/api/inbound/postmark', body, { 'content-type': 'application/json', authorization: basic(POSTMARK.user, POSTMARK.pass) });
    expect(await again.json()).toMatchObject({ duplicate: true });
    const rows = await t.sql`select kind, details, match_quality, known_sender, account_id, source from replies`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'promise_to_pay', match_quality: 'token', known_sender: true, account_id: accountId, source: 'postmark' });
    expect(rows[0].details.promisedDate).toBe('2026-03-20');
  });

  it('refuses wrong credentials before reading the body: an anonymous post larger than any mail costs no parsing', async () => {
    const huge = 'x'.repeat(12 * 1024 * 1024);
    const r = await post('/api/inbound/postmark', huge, { 'content-type': 'application/json', authorization: basic('postmark', 'wrong-password') });
    expect(r.status).toBe(401);
  });

  it('answers 400 to a body that is not Postmark JSON', async () => {
    const r = await post('/api/inbound/postmark', 'not json', { 'content-type': 'application/json', authorization: basic(POSTMARK.user, POSTMARK.pass) });
    expect(r.status).toBe(400);
  });
});

describe('Mailgun', () => {
  const sign = (ts: number, tok: string, key = SIGNING_KEY) => createHmac('sha256', key).update(`${ts}${tok}`).digest('hex');

  it('takes a signed multipart post (parsed fields) and acts on it: a dispute opens and the workflow is told', async () => {
    const ts = Math.floor(api.clock.now.getTime() / 1000);
    const form = new FormData();
    const fields: Record<string, string> = {
      recipient: `ar+${token}@northwind.example`,
      sender: 'ap@northwind.test',
      from: 'Dana Whitfield <ap@northwind.test>',
      subject: 'Re: Invoice INV-1042 is overdue',
      'body-plain': 'The invoice is wrong - we only have 9 seats, not 12.\n\n> Invoice INV-1042 for $1,250.00 is overdue.',
      'stripped-text': 'The invoice is wrong - we only have 9 seats, not 12.',
      'message-headers': JSON.stringify([
        ['Message-Id', '<mg-1@mail.northwind.test>'],
        ['From', 'Dana Whitfield <ap@northwind.test>'],
        ['Subject', 'Re: Invoice INV-1042 is overdue'],
      ]),
      timestamp: String(ts),
      token: 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0',
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('signature', sign(ts, fields.token));
    form.append('attachment-1', new Blob([Buffer.from('%PDF-1.4 not really')], { type: 'application/pdf' }), 'invoice.pdf');
    const before = api.gateway.signals.length;
    const r = await post('/api/inbound/mailgun', form);
    expect(r.status).toBe(200);
    const [dispute] = await t.sql`select reason, status from disputes where account_id = ${accountId}`;
    expect(dispute).toMatchObject({ status: 'open', reason: expect.stringContaining('only have 9 seats') });
    expect(api.gateway.signals.slice(before).map((s) => s.signal.change)).toEqual(['dispute_opened']);
  });

  it('takes the raw MIME route (body-mime, urlencoded) and refuses a bad signature or a stale timestamp', async () => {
    const ts = Math.floor(api.clock.now.getTime() / 1000);
    const mime = (await new MailComposer({ from: 'ap@northwind.test', to: `ar+${token}@northwind.example`, subject: 'Re: reminder', text: 'Can we pay by credit card?', messageId: '<mg-2@mail.northwind.test>' }).compile().build()).toString();
    const body = (sig: string, when = ts) => new URLSearchParams({ recipient: `ar+${token}@northwind.example`, 'body-mime': mime, timestamp: String(when), token: 'tok-123456', signature: sig }).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post('/api/inbound/mailgun', body(sign(ts, 'tok-123456', 'some-other-key-0123456789')), form)).status).toBe(401);
    expect((await post('/api/inbound/mailgun', body(sign(ts - 3600, 'tok-123456'), ts - 3600), form)).status).toBe(401);
    expect(await t.sql`select * from replies where message_id = '<mg-2@mail.northwind.test>'`).toHaveLength(0);
    const ok = await post('/api/inbound/mailgun', body(sign(ts, 'tok-123456')), form);
    expect(ok.status).toBe(200);
    const [row] = await t.sql`select kind, details, status, answer_text from replies where message_id = '<mg-2@mail.northwind.test>'`;
    // A routine question: its answer is drafted by the account's workflow from the facts (the workflow
    // is told), and the text the facts gave on arrival is kept with the reply.
    expect(row).toMatchObject({ kind: 'question', status: 'answering' });
    expect(row.details.topic).toBe('payment_methods');
    expect(row.answer_text).toMatch(/You can pay on our secure payment page:\nhttps:\/\//);
    expect(api.gateway.signals.at(-1)?.signal.change).toBe('reply_question');
  });
});

describe('the Replies view', () => {
  it('lists replies with their evidence, counts those waiting, and a clerk confirms a proposed promise in one click, once', async () => {
    const clerk = await login(api, await createUser(t, 'clerk'));
    const viewer = await login(api, await createUser(t, 'viewer'));
    const list = await clerk.json('GET', '/api/replies?status=proposed');
    expect(list.status).toBe(200);
    const [proposed] = list.body.items;
    expect(proposed).toMatchObject({ kind: 'promise_to_pay', status: 'proposed', evidence: "We'll pay on the 20th.", knownSender: true, match: 'token', accountId });
    expect(list.body.waiting).toBe(2); // the proposed promise and the dispute; the payment-methods question is being answered
    const answering = await clerk.json('GET', '/api/replies?status=answering');
    expect(answering.body.items.map((r: { kind: string }) => r.kind)).toEqual(['question']);

    expect((await viewer.json('POST', `/api/replies/${proposed.id}/confirm-promise`)).status).toBe(403);
    const before = api.gateway.signals.length;
    const confirmed = await clerk.json('POST', `/api/replies/${proposed.id}/confirm-promise`);
    expect(confirmed.status).toBe(200);
    expect(api.gateway.signals.slice(before).map((s) => s.signal.change)).toEqual(['promise_recorded']);
    expect((await t.sql`select promised_date, status from promises where account_id = ${accountId}`)[0]).toMatchObject({ promised_date: '2026-03-20', status: 'open' });
    expect((await t.sql`select paused from accounts where id = ${accountId}`)[0].paused).toBe(false);
    const again = await clerk.json('POST', `/api/replies/${proposed.id}/confirm-promise`);
    expect(again.status).toBe(409);
    expect(await t.sql`select * from promises where account_id = ${accountId}`).toHaveLength(1);
  });

  it('a person marks a waiting reply handled with a note: it is done, the paper trail says who and what, and the command center counts the time to first answer', async () => {
    const clerk = await login(api, await createUser(t, 'clerk'));
    const viewer = await login(api, await createUser(t, 'viewer'));
    const manager = await login(api, await createUser(t, 'manager'));
    const body = JSON.stringify(postmarkBody('Please call me about our account when you have a moment.', 'pm-handled@mail.northwind.test'));
    const ok = await post('/api/inbound/postmark', body, { 'content-type': 'application/json', authorization: basic(POSTMARK.user, POSTMARK.pass) });
    expect(await ok.json()).toMatchObject({ status: 'waiting' });
    const [reply] = await t.sql`select id from replies where message_id = 'pm-handled@mail.northwind.test' or message_id = '<pm-handled@mail.northwind.test>'`;

    const before = (await manager.json('GET', '/api/metrics/replies')).body;
    expect(before).toMatchObject({ days: 30, answersInQueue: 1 });

    expect((await clerk.json('POST', `/api/replies/${reply.id}/handled`, { note: '  ' })).status).toBe(400);
    expect((await viewer.json('POST', `/api/replies/${reply.id}/handled`, { note: 'called' })).status).toBe(403);
    api.clock.now = new Date(api.clock.now.getTime() + 20 * 60_000);
    const done = await clerk.json('POST', `/api/replies/${reply.id}/handled`, { note: 'Called Dana; she has what she needs.' });
    expect(done.status).toBe(200);
    expect(done.body.outcome).toBe('handled by Clerk Person: Called Dana; she has what she needs.');
    expect((await clerk.json('POST', `/api/replies/${reply.id}/handled`, { note: 'again' })).status).toBe(409);
    const [ev] = await t.sql`select actor_name, data from events where type = 'reply.handled'`;
    expect(ev).toMatchObject({ actor_name: 'Clerk Person', data: { replyId: reply.id, note: 'Called Dana; she has what she needs.' } });

    // The account's timeline shows the reply with what it was understood as and what was done.
    const feed = (await manager.json('GET', `/api/accounts/${accountId}/feed`)).body;
    const item = feed.items.find((i: { id: string }) => i.id === `reply:${reply.id}`);
    expect(item.body).toMatch(/^Please call me about our account when you have a moment\.\n\nUnderstood as other \(\d+% sure\)/);
    expect(item.body).toContain('What Tactful did: handled by Clerk Person: Called Dana; she has what she needs.');

    const after = (await manager.json('GET', '/api/metrics/replies')).body;
    expect(after).toMatchObject({ waiting: before.waiting - 1, answered: before.answered + 1 });
    expect(after.medianFirstAnswerMinutes).toEqual(expect.any(Number));
  });
});
