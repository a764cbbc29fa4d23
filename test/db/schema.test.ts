/** The database itself refuses data a finance user could never have: these are the last line of defence. */
import postgres from 'postgres';
import { migrateDatabase } from '../../db/migrate';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/db';

describe('migrations', () => {
  it('apply to an empty database, and a second run changes nothing', async () => {
    const empty = await createEmptyDatabase();
    const sql = postgres(empty.url, { max: 1, onnotice: () => {} });
    try {
      await migrateDatabase(empty.url);
      const tables = await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      const names = tables.map((r) => r.table_name);
      for (const t of ['accounts', 'invoices', 'payments', 'messages', 'outbox', 'events', 'policies', 'users', 'sessions', 'api_tokens', 'call_tasks', 'call_sheets', 'promises', 'disputes', 'contacts', 'settings']) {
        expect(names).toContain(t);
      }
      const schemaOf = () => sql`
        select table_name, column_name, data_type, is_nullable from information_schema.columns
        where table_schema in ('public', 'drizzle') order by 1, 2`;
      const before = await schemaOf();
      const [{ count: appliedBefore }] = await sql`select count(*)::int as count from drizzle.__drizzle_migrations`;
      await migrateDatabase(empty.url);
      expect(await schemaOf()).toEqual(before);
      const [{ count: appliedAfter }] = await sql`select count(*)::int as count from drizzle.__drizzle_migrations`;
      expect(appliedAfter).toBe(appliedBefore);
      expect(appliedBefore).toBeGreaterThanOrEqual(2);
    } finally {
      await sql.end();
      await empty.drop();
    }
  });
});

describe('constraints', () => {
  let t: TestDatabase;
  let accountId: string;
  let messageId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: accountId }] = await t.sql`insert into accounts (name, client_since) values ('Acme IT', '2022-01-01') returning id`;
    [{ id: messageId }] = await t.sql`
      insert into messages (account_id, step_id, cycle_key, status, to_email, subject, body_text, draft_subject,
        draft_body_text, tone, source, fact_check, requires_approval, amount_cents, days_overdue, invoice_ids)
      values (${accountId}, 'first_reminder', 'c1', 'approved', 'ap@acme.test', 's', 'b', 's', 'b', 'warm', 'template',
        '{}', false, 100, 3, '{}') returning id`;
  });
  afterAll(() => t.destroy());

  const invoice = (over: Record<string, unknown> = {}) => ({
    account_id: accountId,
    number: `INV-${Math.random().toString(36).slice(2, 8)}`,
    issue_date: '2026-01-01',
    due_date: '2026-01-31',
    amount_cents: 10_000,
    balance_cents: 10_000,
    ...over,
  });
  const insertInvoice = (row: Record<string, unknown>) => t.sql`insert into invoices ${t.sql(row)}`;

  it('accepts a sound invoice', async () => {
    await expect(insertInvoice(invoice())).resolves.toBeDefined();
  });

  it('rejects a negative invoice amount', async () => {
    await expect(insertInvoice(invoice({ amount_cents: -1, balance_cents: 0 }))).rejects.toThrow(/invoices_amount_check/);
  });

  it('rejects a due date before the issue date', async () => {
    await expect(insertInvoice(invoice({ issue_date: '2026-02-01', due_date: '2026-01-15' }))).rejects.toThrow(/invoices_dates_check/);
  });

  it('rejects a balance above the invoice amount', async () => {
    await expect(insertInvoice(invoice({ balance_cents: 10_001 }))).rejects.toThrow(/invoices_balance_check/);
  });

  it('rejects a duplicate invoice number for one account, but not for another', async () => {
    await insertInvoice(invoice({ number: 'INV-1001' }));
    await expect(insertInvoice(invoice({ number: 'INV-1001' }))).rejects.toThrow(/invoices_account_number_key/);
    const [{ id: other }] = await t.sql`insert into accounts (name, client_since) values ('Other', '2023-01-01') returning id`;
    await expect(insertInvoice(invoice({ account_id: other, number: 'INV-1001' }))).resolves.toBeDefined();
  });

  it('rejects a second outbox row for the same idempotency key', async () => {
    const row = { idempotency_key: `${accountId}:first_reminder:c1`, message_id: messageId, account_id: accountId, to_email: 'ap@acme.test', subject: 's', transport: 'outbox' };
    await t.sql`insert into outbox ${t.sql(row)}`;
    await expect(t.sql`insert into outbox ${t.sql(row)}`).rejects.toThrow(/outbox_idempotency_key_unique/);
  });

  it('rejects a zero or negative payment', async () => {
    await expect(t.sql`insert into payments (account_id, amount_cents, received_at, method) values (${accountId}, 0, now(), 'ach')`).rejects.toThrow(/payments_amount_check/);
  });

  it('keeps events append-only: no update, no delete, no truncate', async () => {
    const [{ id }] = await t.sql`insert into events (account_id, type, actor_type, data) values (${accountId}, 'draft.created', 'system', '{"a":1}') returning id`;
    await expect(t.sql`update events set data = '{"a":2}' where id = ${id}`).rejects.toThrow(/append-only/);
    await expect(t.sql`delete from events where id = ${id}`).rejects.toThrow(/append-only/);
    await expect(t.sql`truncate events`).rejects.toThrow(/append-only/);
    const [row] = await t.sql`select data from events where id = ${id}`;
    expect(row.data).toEqual({ a: 1 });
  });
});
