/**
 * A call comes after something was written in the cycle: a cycle's first contact is a written firm
 * reminder, never a call (issue 14). The demo portfolio has no messages yet, so a browser test that
 * needs a call gives one account 35-80 days late the reminder it was sent 12 days ago, in its current
 * cycle, and tells its workflow; the call is then that account's next step.
 */
import { accountWorkflowId, factsChangedSignal } from '../../../workflows/account/definitions';
import { until } from './page-api';
import type { Stack } from './stack';

export async function accountWrittenToEarlier(stack: Stack): Promise<string> {
  const [late] = await stack.db.sql`
    with owed as (
      select a.id, i.id as invoice_id, i.due_date, min(i.due_date) over (partition by a.id) as first_due,
        count(*) over (partition by a.id, i.due_date) as same_day
      from accounts a join invoices i on i.account_id = a.id and i.status = 'open' and i.balance_cents > 0
      where not a.paused and a.segment = 'standard'
        and not exists (select 1 from disputes d where d.account_id = a.id and d.status = 'open')
        and not exists (select 1 from promises p where p.account_id = a.id and p.status = 'open')
        and not exists (select 1 from messages m where m.account_id = a.id and m.status = 'sent'))
    select o.id, o.invoice_id, o.due_date::text as due,
      (select sum(balance_cents) from invoices x where x.account_id = o.id and x.status = 'open')::bigint as owed,
      (select email from contacts c where c.account_id = o.id order by c.is_primary desc limit 1) as email
    from owed o where o.due_date = o.first_due and o.same_day = 1 and current_date - o.due_date between 35 and 80
      and exists (select 1 from contacts c where c.account_id = o.id)
    order by o.id limit 1`;
  if (!late) throw new Error('the demo portfolio has no account 35-80 days late to call');
  await stack.db.sql`
    insert into messages (account_id, step_id, cycle_key, status, to_email, subject, body_text, draft_subject, draft_body_text,
      tone, source, fact_check, requires_approval, amount_cents, days_overdue, invoice_ids, sent_at, created_at)
    values (${late.id}, 'first_reminder', ${`${late.invoice_id}:${late.due}`}, 'sent', ${late.email}, 'Payment reminder', 'Payment reminder',
      'Payment reminder', 'Payment reminder', 'neutral', 'template', ${JSON.stringify({ passed: true, failures: [] })}::jsonb, false, ${late.owed}, 20,
      ${`{${late.invoice_id}}`}::uuid[], now() - interval '12 days', now() - interval '12 days')`;
  const [{ v }] = await stack.db.sql`update accounts set facts_version = facts_version + 1 where id = ${late.id} returning facts_version as v`;
  await stack.env.client.workflow.getHandle(accountWorkflowId(late.id)).signal(factsChangedSignal, { factsVersion: Number(v), change: 'reconcile' });
  return late.id as string;
}

/** An open call task, made as above when the portfolio has none yet. */
export async function openCallTask(stack: Stack): Promise<{ id: string; accountId: string }> {
  const [existing] = await stack.db.sql`select id, account_id from call_tasks where status = 'open' order by created_at limit 1`;
  if (existing) return { id: existing.id, accountId: existing.account_id };
  const accountId = await accountWrittenToEarlier(stack);
  const task = await until('a call task for the account written to earlier', async () => {
    const [row] = await stack.db.sql<{ id: string }[]>`select id from call_tasks where account_id = ${accountId} and status = 'open'`;
    return row;
  }, 90_000);
  return { id: task.id, accountId };
}
