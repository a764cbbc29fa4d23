/**
 * Writes the simulated portfolio's money facts the way the API does — the fact first, the facts
 * version bumped in the same transaction, then a signal-with-start to the account's workflow — so
 * the workflows see exactly what production would show them.
 */
import type { Client } from '@temporalio/client';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as ledger from '../../db/ledger';
import * as schema from '../../db/schema';
import { PaymentMethod } from '../../domain/facts';
import type postgres from 'postgres';
import { accountWorkflowId, factsChangedSignal, type FactsChanged } from '../../workflows/account/definitions';
import type { AccountPlan, PlannedInvoice } from './portfolio';

export type Sql = postgres.Sql;

const DAY = 86_400_000;
export const isoDay = (startMs: number, day: number) => new Date(startMs + day * DAY).toISOString().slice(0, 10);

async function bump(tx: postgres.TransactionSql, accountId: string): Promise<number> {
  const [row] = await tx`
    update accounts set facts_version = facts_version + 1, updated_at = now(),
      balance_cents = (select coalesce(sum(balance_cents), 0) from invoices where account_id = ${accountId} and status = 'open')
    where id = ${accountId} returning facts_version`;
  return Number(row.facts_version);
}

/** The client, its contact and a year of paid invoices (what tone calibration reads habits from). */
export async function insertAccount(sql: Sql, plan: AccountPlan, startMs: number): Promise<string> {
  return sql.begin(async (tx) => {
    const clientSince = isoDay(startMs, -Math.round(plan.tenureMonths * 30.4));
    const holidays = `{${plan.holidays.map((d) => isoDay(startMs, d)).join(',')}}`;
    const [row] = await tx`
      insert into accounts (name, external_ref, segment, mode, time_zone, payment_method, client_since, holidays)
      values (${plan.name}, ${`SIM-${plan.index + 1}`}, ${plan.segment}, ${plan.mode}, ${plan.timeZone}, ${plan.paymentMethod},
              ${clientSince}, ${holidays}::date[])
      returning id`;
    const accountId = row.id as string;
    await tx`insert into contacts (account_id, name, email, phone, is_primary)
             values (${accountId}, 'Accounts Payable', ${plan.email}, '+1 555 0100', true)`;
    for (const h of plan.history) {
      const paidAt = new Date(startMs + (h.dueDay + h.daysLate) * 86_400_000).toISOString();
      await tx`
        insert into invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status, paid_at)
        values (${accountId}, ${h.number}, ${isoDay(startMs, h.dueDay - 30)}, ${isoDay(startMs, h.dueDay)}, ${h.amountCents}, 0, 'paid', ${paidAt})`;
    }
    await bump(tx, accountId);
    return accountId;
  });
}

export async function insertInvoice(sql: Sql, accountId: string, inv: PlannedInvoice, startMs: number): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`
      insert into invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status)
      values (${accountId}, ${inv.number}, ${isoDay(startMs, inv.issueDay)}, ${isoDay(startMs, inv.dueDay)}, ${inv.amountCents}, ${inv.amountCents}, 'open')`;
    return bump(tx, accountId);
  });
}

/** Records a payment through the ledger, exactly as the API does. */
export async function recordPayment(sql: Sql, accountId: string, amountCents: number, receivedAt: Date, method: string): Promise<number> {
  const db = drizzle(sql, { schema });
  const written = await ledger.recordPayment(db, { accountId, amountCents, receivedAt, method: PaymentMethod.parse(method) }, { type: 'integration', name: 'simulator' });
  return written.factsVersion;
}

/** Signal-with-start as the API sends it, `settled` when the account owes nothing any more. */
export async function signalFacts(client: Client, taskQueue: string, accountId: string, factsVersion: number, change: FactsChanged['change'], sql?: Sql): Promise<void> {
  const settled = sql ? Number((await sql`select balance_cents from accounts where id = ${accountId}`)[0]?.balance_cents) === 0 : false;
  await client.workflow.signalWithStart('accountWorkflow', {
    workflowId: accountWorkflowId(accountId),
    taskQueue,
    args: [{ accountId }],
    signal: factsChangedSignal,
    signalArgs: [{ factsVersion, change, actor: { type: 'integration', name: 'simulator' }, ...(settled ? { settled } : {}) }],
  });
}
