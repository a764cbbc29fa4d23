/**
 * Writes the simulated portfolio's money facts the way the API does — the fact first, the facts
 * version bumped in the same transaction, then a signal-with-start to the account's workflow — so
 * the workflows see exactly what production would show them.
 */
import type { Client } from '@temporalio/client';
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

/** Applies a payment to open invoices, oldest due first, as the ledger does. */
export async function recordPayment(sql: Sql, accountId: string, amountCents: number, receivedAt: Date, method: string): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`select id from accounts where id = ${accountId} for update`;
    const [payment] = await tx`
      insert into payments (account_id, amount_cents, received_at, method) values (${accountId}, ${amountCents}, ${receivedAt.toISOString()}, ${method})
      returning id`;
    let left = amountCents;
    const open = await tx`select id, balance_cents from invoices where account_id = ${accountId} and status = 'open' order by due_date, number`;
    for (const inv of open) {
      if (left <= 0) break;
      const applied = Math.min(left, Number(inv.balance_cents));
      left -= applied;
      await tx`insert into payment_allocations (payment_id, invoice_id, amount_cents) values (${payment.id}, ${inv.id}, ${applied})`;
      await tx`update invoices set balance_cents = balance_cents - ${applied},
                 status = case when balance_cents - ${applied} = 0 then 'paid'::invoice_status else status end,
                 paid_at = case when balance_cents - ${applied} = 0 then ${receivedAt.toISOString()}::timestamptz else paid_at end,
                 updated_at = ${receivedAt.toISOString()}
               where id = ${inv.id}`;
    }
    return bump(tx, accountId);
  });
}

export async function signalFacts(client: Client, taskQueue: string, accountId: string, factsVersion: number, change: FactsChanged['change']): Promise<void> {
  await client.workflow.signalWithStart('accountWorkflow', {
    workflowId: accountWorkflowId(accountId),
    taskQueue,
    args: [{ accountId }],
    signal: factsChangedSignal,
    signalArgs: [{ factsVersion, change, actor: { type: 'integration', name: 'simulator' } }],
  });
}
