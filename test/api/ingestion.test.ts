/**
 * Money facts arriving from integrations: idempotent POSTs, the signed webhook delivered twice or out
 * of order, oldest-first allocation and credit notes. Each ends with one payment and the right balance.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { signWebhook } from '../../api/routes/ingestion';
import * as t from '../../db/schema';
import type { TestDatabase } from '../support/db';
import { closeSuite, createAccount, createUser, eventsOfType, login, openSuite, type Client, type TestApi } from './support';

const SECRET = 'test-webhook-secret-0123456789';

describe('ingestion', () => {
  let db: TestDatabase;
  let api: TestApi;
  let clerk: Client;

  beforeAll(async () => {
    ({ db, api, as: { clerk: clerk } } = await openSuite(['clerk']));
  });
  afterAll(() => closeSuite({ db, api }));

  const webhook = async (event: object, opts: { secret?: string; at?: Date } = {}) => {
    const body = JSON.stringify(event);
    const ts = Math.floor((opts.at ?? api.clock.now).getTime() / 1000);
    const res = await fetch(`${api.url}/api/webhooks/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tactful-signature': signWebhook(opts.secret ?? SECRET, ts, body) },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const balances = async (accountId: string) => {
    const [a] = await db.db.select().from(t.accounts).where(eq(t.accounts.id, accountId));
    const inv = await db.db.select().from(t.invoices).where(eq(t.invoices.accountId, accountId)).orderBy(t.invoices.number);
    const pays = await db.db.select().from(t.payments).where(eq(t.payments.accountId, accountId));
    return { account: a.balanceCents, invoices: Object.fromEntries(inv.map((i) => [i.number, [i.balanceCents, i.status]])), payments: pays.length };
  };
  const invoice = (ref: string, number: string, amountCents: number, dueDate = '2026-02-01', extra: object = {}) => ({
    account: { externalRef: ref },
    number,
    issueDate: '2026-01-02',
    dueDate,
    amountCents,
    ...extra,
  });

  it('an invoice may carry its lines (what it charges for); lines that do not add up to its amount are refused and nothing is written', async () => {
    const acc = await createAccount(db);
    const lines = [
      { description: 'Managed endpoints', quantity: 20, amountCents: 55_000 },
      { description: 'Discount: annual prepay', amountCents: -5_000 },
    ];
    const bad = await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'L-1', 60_000, '2026-02-01', { lines }), { 'idempotency-key': `i-${randomUUID()}` });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('the lines do not add up to the invoice amount');
    expect(await db.db.select().from(t.invoices).where(eq(t.invoices.accountId, acc.id))).toHaveLength(0);
    const ok = await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'L-1', 50_000, '2026-02-01', { lines }), { 'idempotency-key': `i-${randomUUID()}` });
    expect(ok.status).toBe(201);
    const [row] = await db.db.select().from(t.invoices).where(eq(t.invoices.accountId, acc.id));
    expect(row.lines).toEqual([
      { description: 'Managed endpoints', quantity: 20, amountCents: 55_000 },
      { description: 'Discount: annual prepay', quantity: null, amountCents: -5_000 },
    ]);
    // An update without lines keeps them; one with other lines replaces them and is a change.
    expect((await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'L-1', 50_000), { 'idempotency-key': `i-${randomUUID()}` })).body.changed).toBe(false);
    const changed = await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'L-1', 50_000, '2026-02-01', { lines: [{ description: 'Managed endpoints', quantity: 20, amountCents: 50_000 }] }), { 'idempotency-key': `i-${randomUUID()}` });
    expect(changed.body.changed).toBe(true);
    expect((await db.db.select().from(t.invoices).where(eq(t.invoices.accountId, acc.id)))[0].lines).toHaveLength(1);
  });

  it('records a payment once when the same key is sent twice, and replays the first answer', async () => {
    const acc = await createAccount(db);
    const key = `pay-${randomUUID()}`;
    expect((await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'INV-1', 50_000), { 'idempotency-key': `inv-${randomUUID()}` })).status).toBe(201);
    const body = { account: { accountId: acc.id }, amountCents: 20_000, receivedAt: '2026-03-01T10:00:00Z', method: 'ach' };
    const first = await clerk.json('POST', '/api/payments', body, { 'idempotency-key': key });
    const second = await clerk.json('POST', '/api/payments', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.paymentId).toBe(first.body.paymentId);
    expect(await balances(acc.id)).toEqual({ account: 30_000, invoices: { 'INV-1': [30_000, 'open'] }, payments: 1 });
    const reused = await clerk.json('POST', '/api/payments', { ...body, amountCents: 1 }, { 'idempotency-key': key });
    expect(reused).toMatchObject({ status: 422, body: { type: '/problems/idempotency-key-reused' } });
    const missing = await clerk.json('POST', '/api/payments', body);
    expect(missing).toMatchObject({ status: 400, body: { type: '/problems/idempotency-key-missing' } });
  });

  it('applies a payment to the named invoice first, then oldest first; a credit note the same way', async () => {
    const acc = await createAccount(db);
    for (const [n, due] of [['A-2', '2026-02-15'], ['A-1', '2026-01-15'], ['A-3', '2026-03-15']] as const)
      await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, n, 10_000, due), { 'idempotency-key': `i-${randomUUID()}` });
    const p = await clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 15_000, receivedAt: '2026-03-01T10:00:00Z', method: 'check', invoiceNumber: 'A-3' }, { 'idempotency-key': `p-${randomUUID()}` });
    expect(p.body.allocations.map((a: { invoiceNumber: string; amountCents: number }) => [a.invoiceNumber, a.amountCents])).toEqual([['A-3', 10_000], ['A-1', 5_000]]);
    await clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, kind: 'credit_note', amountCents: 7_000, receivedAt: '2026-03-02T10:00:00Z', method: 'other' }, { 'idempotency-key': `c-${randomUUID()}` });
    expect(await balances(acc.id)).toEqual({ account: 8_000, invoices: { 'A-1': [0, 'paid'], 'A-2': [8_000, 'open'], 'A-3': [0, 'paid'] }, payments: 2 });
    expect(api.gateway.signals.filter((s) => s.accountId === acc.id).map((s) => s.signal.change)).toEqual(['invoice_upserted', 'invoice_upserted', 'invoice_upserted', 'payment_recorded', 'payment_recorded']);
  });

  it('the same payment webhook delivered twice (and concurrently) leaves one payment', async () => {
    const acc = await createAccount(db);
    await webhook({ id: `evt-${randomUUID()}`, type: 'invoice.upserted', occurredAt: '2026-01-02T00:00:00Z', data: invoice(acc.externalRef!, 'W-1', 90_000) });
    const ev = { id: `evt-${randomUUID()}`, type: 'payment.received', occurredAt: '2026-03-01T09:00:00Z', data: { account: { externalRef: acc.externalRef }, amountCents: 40_000, method: 'ach' } };
    const first = await webhook(ev);
    expect(first.status).toBe(200);
    expect(first.body.duplicate).toBe(false);
    const again = await Promise.all(Array.from({ length: 8 }, () => webhook(ev)));
    expect(again.every((r) => r.status === 200 && r.body.duplicate === true)).toBe(true);
    expect(await balances(acc.id)).toEqual({ account: 50_000, invoices: { 'W-1': [50_000, 'open'] }, payments: 1 });
  });

  it('a payment whose write fails records nothing and is not answered as recorded; the same delivery goes through later', async () => {
    const acc = await createAccount(db);
    await webhook({ id: `evt-${randomUUID()}`, type: 'invoice.upserted', occurredAt: '2026-01-02T00:00:00Z', data: invoice(acc.externalRef!, 'F-1', 30_000) });
    const ev = { id: `evt-${randomUUID()}`, type: 'payment.received', occurredAt: '2026-03-01T09:00:00Z', data: { account: { externalRef: acc.externalRef }, amountCents: 30_000, method: 'ach' } };
    // The allocation is among the writes sent together with the idempotency row and COMMIT; make it fail.
    await db.sql.unsafe(`create function test_refuse_allocation() returns trigger language plpgsql as $$ begin raise exception 'allocation refused by the test'; end $$`);
    await db.sql.unsafe(`create trigger test_refuse_allocation before insert on payment_allocations for each row execute function test_refuse_allocation()`);
    let failed: Awaited<ReturnType<typeof webhook>>;
    try {
      failed = await webhook(ev);
    } finally {
      await db.sql.unsafe('drop trigger test_refuse_allocation on payment_allocations; drop function test_refuse_allocation()');
    }
    expect(failed.status).toBe(500);
    expect(await balances(acc.id)).toEqual({ account: 30_000, invoices: { 'F-1': [30_000, 'open'] }, payments: 0 });
    expect(await db.db.select().from(t.idempotencyKeys).where(eq(t.idempotencyKeys.key, `webhook:${ev.id}`))).toEqual([]);
    expect((await eventsOfType(db, 'payment.recorded')).filter((e) => e.accountId === acc.id)).toEqual([]);
    expect(api.gateway.signals.filter((s) => s.accountId === acc.id).map((s) => s.signal.change)).toEqual(['invoice_upserted']);

    const retried = await webhook(ev);
    expect(retried).toMatchObject({ status: 200, body: { duplicate: false, result: { factsVersion: expect.any(Number) } } });
    expect(await balances(acc.id)).toEqual({ account: 0, invoices: { 'F-1': [0, 'paid'] }, payments: 1 });
    const [account] = await db.db.select().from(t.accounts).where(eq(t.accounts.id, acc.id));
    expect(retried.body.result.factsVersion).toBe(account.factsVersion);
    expect(api.gateway.signals.filter((s) => s.accountId === acc.id).map((s) => [s.signal.change, s.signal.factsVersion, s.signal.settled])).toEqual([
      ['invoice_upserted', account.factsVersion - 1, undefined],
      ['payment_recorded', account.factsVersion, true],
    ]);
  });

  it('events out of order: payment before its invoice, a stale invoice update after a newer one, a void before the invoice', async () => {
    const acc = await createAccount(db);
    const ref = acc.externalRef!;
    // The payment arrives first: stored unapplied, applied the moment its invoice arrives.
    const pay = await webhook({ id: `evt-${randomUUID()}`, type: 'payment.received', occurredAt: '2026-02-10T00:00:00Z', data: { account: { externalRef: ref }, amountCents: 30_000, method: 'card', invoiceNumber: 'O-1' } });
    expect(pay.body.result.unappliedCents).toBe(30_000);
    const v2 = { id: `evt-${randomUUID()}`, type: 'invoice.upserted', occurredAt: '2026-02-05T00:00:00Z', data: invoice(ref, 'O-1', 100_000) };
    const v1 = { id: `evt-${randomUUID()}`, type: 'invoice.upserted', occurredAt: '2026-01-03T00:00:00Z', data: invoice(ref, 'O-1', 80_000) };
    expect((await webhook(v2)).status).toBe(200);
    const stale = await webhook(v1);
    expect(stale.body.result.changed).toBe(false);
    expect(await balances(acc.id)).toEqual({ account: 70_000, invoices: { 'O-1': [70_000, 'open'] }, payments: 1 });

    // A void for an invoice not yet known is refused (the sender retries) and works once the invoice exists.
    const voidEv = { id: `evt-${randomUUID()}`, type: 'invoice.voided', occurredAt: '2026-02-20T00:00:00Z', data: { account: { externalRef: ref }, number: 'O-2' } };
    expect((await webhook(voidEv)).status).toBe(404);
    await webhook({ id: `evt-${randomUUID()}`, type: 'invoice.upserted', occurredAt: '2026-02-01T00:00:00Z', data: invoice(ref, 'O-2', 5_000, '2026-01-20') });
    expect((await webhook(voidEv)).status).toBe(200);
    // A late "upsert" of the voided invoice must not bring it back.
    await webhook({ id: `evt-${randomUUID()}`, type: 'invoice.upserted', occurredAt: '2026-02-02T00:00:00Z', data: invoice(ref, 'O-2', 5_000, '2026-01-20') });
    expect(await balances(acc.id)).toEqual({ account: 70_000, invoices: { 'O-1': [70_000, 'open'], 'O-2': [0, 'void'] }, payments: 1 });
  });

  it('voiding an invoice frees what was paid on it for the other open invoices', async () => {
    const acc = await createAccount(db);
    const i1 = await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'V-1', 10_000, '2026-01-10'), { 'idempotency-key': `i-${randomUUID()}` });
    await clerk.json('POST', '/api/invoices', invoice(acc.externalRef!, 'V-2', 10_000, '2026-01-20'), { 'idempotency-key': `i-${randomUUID()}` });
    await clerk.json('POST', '/api/payments', { account: { accountId: acc.id }, amountCents: 10_000, receivedAt: '2026-02-01T00:00:00Z', method: 'ach' }, { 'idempotency-key': `p-${randomUUID()}` });
    const v = await clerk.json('POST', `/api/invoices/${i1.body.invoiceId}/void`, { reason: 'billed twice' });
    expect(v.status).toBe(200);
    expect(await balances(acc.id)).toEqual({ account: 0, invoices: { 'V-1': [0, 'void'], 'V-2': [0, 'paid'] }, payments: 1 });
  });

  it('refuses unsigned, wrongly signed and stale webhooks, and audits them', async () => {
    const before = (await eventsOfType(db, 'authz.refused')).length;
    const ev = { id: 'evt-x', type: 'payment.received', occurredAt: '2026-03-01T00:00:00Z', data: {} };
    expect((await webhook(ev, { secret: 'wrong-secret-wrong-secret' })).body.type).toBe('/problems/invalid-signature');
    expect((await webhook(ev, { at: new Date(api.clock.now.getTime() - 3_600_000) })).status).toBe(401);
    const unsigned = await fetch(`${api.url}/api/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect((await eventsOfType(db, 'authz.refused')).length - before).toBe(3);
    const [{ n }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(t.payments).where(eq(t.payments.idempotencyKey, 'webhook:evt-x'));
    expect(n).toBe(0);
  });

  it('upserts clients with contacts through an integration token', async () => {
    const admin = await login(api, await createUser(db, 'admin'));
    const tok = (await admin.json('POST', '/api/tokens', { name: 'psa', scopes: ['invoices:write'] })).body.token;
    const send = (body: object) =>
      fetch(`${api.url}/api/clients`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json', 'idempotency-key': `cl-${randomUUID()}` }, body: JSON.stringify(body) });
    const r1 = await send({ externalRef: 'PSA-77', name: 'Northwind', paymentTermsDays: 15, contacts: [{ name: 'Ann', email: 'ann@nw.test' }] });
    expect(r1.status).toBe(201);
    const r2 = await send({ externalRef: 'PSA-77', name: 'Northwind Traders' });
    expect(r2.status).toBe(200);
    const [a] = await db.db.select().from(t.accounts).where(eq(t.accounts.externalRef, 'PSA-77'));
    expect(a).toMatchObject({ name: 'Northwind Traders', paymentTermsDays: 15 });
    const [c] = await db.db.select().from(t.contacts).where(eq(t.contacts.accountId, a.id));
    expect(c).toMatchObject({ email: 'ann@nw.test', isPrimary: true });
  });
});
