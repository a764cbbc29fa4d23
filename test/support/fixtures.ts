/** Small builders for account facts in a test database, written the way the API writes them. */
import { sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import { accountWorkflowId, factsChangedSignal, type FactsChanged } from '../../workflows/account/definitions';
import * as ledger from '../../db/ledger';
import type { TestDatabase } from './db';

export interface AccountSpec {
  name?: string;
  segment?: string;
  mode?: 'copilot' | 'autonomous';
  timeZone?: string;
  paymentMethod?: string;
  clientSince?: string;
  holidays?: string[];
}

export async function insertAccount(t: TestDatabase, spec: AccountSpec = {}): Promise<string> {
  const [row] = await t.sql`
    insert into accounts (name, segment, mode, time_zone, payment_method, client_since, holidays, facts_version)
    values (${spec.name ?? 'Northwind Dental'}, ${spec.segment ?? 'standard'}, ${spec.mode ?? 'copilot'},
            ${spec.timeZone ?? 'America/New_York'}, ${spec.paymentMethod ?? 'ach'}, ${spec.clientSince ?? '2023-01-15'},
            ${`{${(spec.holidays ?? []).join(",")}}`}::date[], 1)
    returning id`;
  await t.sql`insert into contacts (account_id, name, email, phone, is_primary)
              values (${row.id}, 'Dana Whitfield', 'ap@northwind.test', '+1 555 0100', true)`;
  return row.id;
}

export async function insertInvoice(
  t: TestDatabase,
  accountId: string,
  inv: { number: string; issueDate: string; dueDate: string; amountCents: number; balanceCents?: number },
): Promise<string> {
  const balance = inv.balanceCents ?? inv.amountCents;
  const [row] = await t.sql`
    insert into invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status)
    values (${accountId}, ${inv.number}, ${inv.issueDate}, ${inv.dueDate}, ${inv.amountCents}, ${balance},
            ${balance === 0 ? 'paid' : 'open'})
    returning id`;
  await bumpFacts(t, accountId);
  return row.id;
}

/** Records a payment through the ledger, exactly as the API and the import do. */
export async function recordPayment(t: TestDatabase, accountId: string, amountCents: number, receivedAt: Date): Promise<number> {
  const written = await ledger.recordPayment(t.db, { accountId, amountCents, receivedAt, method: 'ach' }, { type: 'integration', name: 'test bank feed' });
  return written.factsVersion;
}

export async function bumpFacts(t: TestDatabase, accountId: string): Promise<number> {
  const rows = await t.db.execute(
    sql`update accounts set facts_version = facts_version + 1, updated_at = now(),
          balance_cents = (select coalesce(sum(balance_cents), 0) from invoices where account_id = ${accountId} and status = 'open')
        where id = ${accountId} returning facts_version`,
  );
  return Number((rows as unknown as { facts_version: number }[])[0].facts_version);
}

/** Signal-with-start as the API sends it: `settled` when the account owes nothing any more. */
export async function signal(client: Client, taskQueue: string, accountId: string, factsVersion: number, change: FactsChanged['change'], t?: TestDatabase): Promise<void> {
  const settled = t ? Number((await t.sql`select balance_cents from accounts where id = ${accountId}`)[0]?.balance_cents) === 0 : false;
  await client.workflow.signalWithStart('accountWorkflow', {
    workflowId: accountWorkflowId(accountId),
    taskQueue,
    args: [{ accountId }],
    signal: factsChangedSignal,
    signalArgs: [{ factsVersion, change, ...(settled ? { settled } : {}) }],
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDaysIso = (date: string, days: number) => isoDate(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000);
