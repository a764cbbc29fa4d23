/**
 * The command center's numbers, computed in PostgreSQL from the ledger. The conventions (aging
 * buckets, countback DSO, best possible DSO, ADD, CEI) are written down in domain/api/metrics.ts.
 */
import { sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { ANSWER_STEP_ID } from '../../domain/messages';
import { AgingReport, ApprovalWait, AsOfQuery, ReplyStats, KpiQuery, KpiReport, NeedsPerson, PromiseStats, StageFunnel, StepEffectiveness, agingBuckets } from '../../domain/api/metrics';
import type { Db } from '../../db/client';
import { reachedStage } from './accounts';
import { route } from '../routing';
import { HttpProblem } from '../problems';
import { problemTypes } from '../../domain/api/problems';

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

function asOfDate(q: { asOf?: string }, now: Date): string {
  const d = q.asOf ?? now.toISOString().slice(0, 10);
  if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || d < '1990-01-01' || d > '2200-12-31')
    throw new HttpProblem(400, problemTypes.validation, 'Invalid request', 'asOf is not a real date between 1990 and 2200');
  return d;
}

/**
 * Open receivables at the end of `asOf`, per aging bucket: an invoice issued by then, not void, less
 * the payments received by then that were applied to it.
 */
async function agingAsOf(db: Db, asOf: string) {
  const end = `${addDays(asOf, 1)}T00:00:00Z`;
  const rows = await db.execute<{ bucket: string; balance: string; invoices: number; accounts: number }>(sql`
    with bal as (
      select i.id, i.account_id, i.due_date,
        greatest(i.amount_cents - coalesce((
          select sum(a.amount_cents) from ${t.paymentAllocations} a join ${t.payments} p on p.id = a.payment_id
          where a.invoice_id = i.id and p.received_at < ${end}::timestamptz), 0), 0) as balance
      from ${t.invoices} i
      where i.status <> 'void' and i.issue_date <= ${asOf}::date
    ), aged as (
      select *, case
        when ${asOf}::date - due_date <= 0 then 'current'
        when ${asOf}::date - due_date <= 30 then '1_30'
        when ${asOf}::date - due_date <= 60 then '31_60'
        when ${asOf}::date - due_date <= 90 then '61_90'
        else '90_plus' end as bucket
      from bal where balance > 0
    )
    select bucket, sum(balance)::text as balance, count(*)::int as invoices, count(distinct account_id)::int as accounts
    from aged group by bucket`);
  const by = new Map(rows.map((r) => [r.bucket, r]));
  const buckets = agingBuckets.map((b) => ({
    bucket: b,
    balanceCents: Number(by.get(b)?.balance ?? 0),
    invoices: by.get(b)?.invoices ?? 0,
    accounts: by.get(b)?.accounts ?? 0,
  }));
  const totalCents = buckets.reduce((s, b) => s + b.balanceCents, 0);
  return { buckets, totalCents, currentCents: buckets[0].balanceCents };
}

async function creditSales(db: Db, fromExclusive: string, toInclusive: string): Promise<number> {
  const [r] = await db.execute<{ s: string }>(sql`
    select coalesce(sum(amount_cents), 0)::text as s from ${t.invoices}
    where status <> 'void' and issue_date > ${fromExclusive}::date and issue_date <= ${toInclusive}::date`);
  return Number(r.s);
}

/** Countback: consume whole months of credit sales, newest first, until the receivables are used up. */
function countback(receivables: number, monthlySales: { days: number; sales: number }[]): number | null {
  if (receivables <= 0) return 0;
  if (monthlySales.every((m) => m.sales === 0)) return null;
  let left = receivables;
  let days = 0;
  for (const m of monthlySales) {
    if (left <= m.sales) return Math.round((days + (m.days * left) / m.sales) * 10) / 10;
    days += m.days;
    left -= m.sales;
  }
  // Older than the window we look back over: count the whole window.
  return Math.round(days * 10) / 10;
}

const COUNTBACK_MONTHS = 24;

export const metricRoutes = [
  route({
    method: 'get',
    path: '/api/metrics/aging',
    summary: 'Aging buckets as of a date (current, 1–30, 31–60, 61–90, 90+)',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    query: AsOfQuery,
    response: AgingReport,
    async handler({ deps, query, now }) {
      const asOf = asOfDate(query, now);
      const a = await agingAsOf(deps.db.db, asOf);
      return { asOf, buckets: a.buckets, totalCents: a.totalCents };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/kpis',
    summary: 'DSO (countback), best possible DSO, ADD and CEI as of a date',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    query: KpiQuery,
    response: KpiReport,
    async handler({ deps, query, now }) {
      const db = deps.db.db;
      const asOf = asOfDate(query, now);
      const start = addDays(asOf, -query.periodDays);
      const [closing, opening, sales] = await Promise.all([agingAsOf(db, asOf), agingAsOf(db, start), creditSales(db, start, asOf)]);
      const months: { days: number; sales: number }[] = [];
      for (let i = 1; i <= COUNTBACK_MONTHS; i++) {
        const to = addMonths(asOf, -(i - 1));
        const from = addMonths(asOf, -i);
        months.push({ days: daysBetween(from, to), sales: await creditSales(db, from, to) });
      }
      const dso = countback(closing.totalCents, months);
      const bestPossibleDso = countback(closing.currentCents, months);
      const denominator = opening.totalCents + sales - closing.currentCents;
      const cei = denominator > 0 ? Math.round(((opening.totalCents + sales - closing.totalCents) / denominator) * 1000) / 10 : null;
      return {
        asOf,
        periodDays: query.periodDays,
        receivablesCents: closing.totalCents,
        currentCents: closing.currentCents,
        creditSalesCents: sales,
        dso,
        bestPossibleDso,
        add: dso !== null && bestPossibleDso !== null ? Math.round((dso - bestPossibleDso) * 10) / 10 : null,
        cei,
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/steps',
    summary: 'Per-step effectiveness: share of sends followed by a payment within 7 days',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    response: StepEffectiveness,
    async handler({ deps }) {
      const rows = await deps.db.db.execute<{ step_id: string; sent: number; paid: number }>(sql`
        select m.step_id, count(*)::int as sent,
          count(*) filter (where exists (
            select 1 from ${t.payments} p where p.account_id = m.account_id and p.kind = 'payment' and p.dated
              and p.received_at > m.sent_at and p.received_at <= m.sent_at + interval '7 days'))::int as paid
        from ${t.messages} m where m.status = 'sent' and m.sent_at is not null and m.step_id <> ${ANSWER_STEP_ID}
        group by m.step_id order by m.step_id`);
      return { items: rows.map((r) => ({ stepId: r.step_id, sent: r.sent, paidWithin7Days: r.sent ? Math.round((r.paid / r.sent) * 1000) / 1000 : 0 })) };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/promises',
    summary: 'Promises to pay: open, kept, broken, and the kept rate',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    response: PromiseStats,
    async handler({ deps }) {
      const rows = await deps.db.db.execute<{ status: string; n: number }>(sql`select status::text, count(*)::int as n from ${t.promises} group by status`);
      const n = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
      const kept = n('kept');
      const broken = n('broken');
      return { open: n('open'), kept, broken, cancelled: n('cancelled'), keptRate: kept + broken ? Math.round((kept / (kept + broken)) * 1000) / 1000 : null };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/approval-wait',
    summary: 'How long drafts wait for a person: median and 90th percentile, and the oldest still waiting',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    response: ApprovalWait,
    async handler({ deps, now }) {
      const [decided] = await deps.db.db.execute<{ n: number; p50: number | null; p90: number | null }>(sql`
        select count(*)::int as n,
          percentile_cont(0.5) within group (order by extract(epoch from decided_at - created_at) / 60) as p50,
          percentile_cont(0.9) within group (order by extract(epoch from decided_at - created_at) / 60) as p90
        from ${t.messages} where decided_by is not null and decided_at is not null and status in ('approved', 'rejected', 'sent')`);
      const [pending] = await deps.db.db.execute<{ n: number; oldest: string | null }>(sql`
        select count(*)::int as n, min(created_at)::text as oldest from ${t.messages} where status = 'pending_approval'`);
      const round = (v: number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
      return {
        decided: decided.n,
        medianMinutes: round(decided.p50),
        p90Minutes: round(decided.p90),
        pending: pending.n,
        oldestPendingMinutes: pending.oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(pending.oldest)) / 60_000)) : null,
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/replies',
    summary: 'Client replies: waiting for a person, answers in the queue, and the time to first answer (median and 90th percentile) over the last 30 days',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    response: ReplyStats,
    async handler({ deps, now }) {
      const days = 30;
      const since = new Date(now.getTime() - days * 86_400_000);
      const [r] = await deps.db.db.execute<{ received: number; answered: number; p50: number | null; p90: number | null }>(sql`
        select count(*)::int as received, count(resolved_at)::int as answered,
          percentile_cont(0.5) within group (order by extract(epoch from resolved_at - received_at) / 60) filter (where resolved_at is not null) as p50,
          percentile_cont(0.9) within group (order by extract(epoch from resolved_at - received_at) / 60) filter (where resolved_at is not null) as p90
        from ${t.replies} where received_at >= ${since.toISOString()}::timestamptz`);
      const [w] = await deps.db.db.execute<{ waiting: number; answering: number; oldest: string | null }>(sql`
        select count(*) filter (where status in ('waiting', 'proposed'))::int as waiting,
          count(*) filter (where status = 'answering')::int as answering,
          min(received_at) filter (where status in ('waiting', 'proposed', 'answering'))::text as oldest
        from ${t.replies}`);
      const round = (v: number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
      return {
        days,
        received: r.received,
        waiting: w.waiting,
        answersInQueue: w.answering,
        answered: r.answered,
        medianFirstAnswerMinutes: round(r.p50),
        p90FirstAnswerMinutes: round(r.p90),
        oldestWaitingMinutes: w.oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(w.oldest)) / 60_000)) : null,
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/stages',
    summary: 'Accounts and balance per escalation stage (the funnel)',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    response: StageFunnel,
    async handler({ deps }) {
      // Each account counts at the furthest step it has reached for what it owes now.
      const rows = await deps.db.db.execute<{ stage: string | null; n: number; balance: string }>(sql`
        select r.stage, count(*)::int as n, coalesce(sum(r.balance_cents), 0)::text as balance
        from (select ${reachedStage} as stage, ${t.accounts.balanceCents} as balance_cents from ${t.accounts} where ${t.accounts.balanceCents} > 0) r
        group by r.stage order by sum(r.balance_cents) desc`);
      return { items: rows.map((r) => ({ stage: r.stage, accounts: r.n, balanceCents: Number(r.balance) })) };
    },
  }),
  route({
    method: 'get',
    path: '/api/metrics/needs-person',
    summary: 'Everything waiting on a person: open disputes, broken promises, blocked steps, drafts past their approval deadline, sensitive drafts, calls due, possible duplicate payments, client replies and sends that may have gone out',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'metrics:read' },
    response: NeedsPerson,
    async handler({ deps, now }) {
      type Row = { kind: NeedsPerson['items'][number]['kind']; account_id: string; account_name: string; balance_cents: string; since: Date | string | null; detail: string | null; ref: string | null };
      const rows = await deps.db.db.execute<Row>(sql`
        select * from (
          (select 'dispute' as kind, a.id as account_id, a.name as account_name, a.balance_cents, d.opened_at as since, d.reason as detail, d.id::text as ref
           from ${t.disputes} d join ${t.accounts} a on a.id = d.account_id where d.status = 'open' order by d.opened_at limit 25)
          union all
          (select 'broken_promise', a.id, a.name, a.balance_cents, coalesce(p.resolved_at, p.created_at), p.promised_date::text, p.id::text
           from ${t.promises} p join ${t.accounts} a on a.id = p.account_id
           where p.status = 'broken' and a.balance_cents > 0
             and not exists (select 1 from ${t.promises} q where q.account_id = p.account_id and q.created_at > p.created_at)
           order by p.resolved_at limit 25)
          union all
          (select 'blocked_step', a.id, a.name, a.balance_cents, a.updated_at, substr(a.next_action, 9), null
           from ${t.accounts} a where a.next_action like 'blocked:%' order by a.updated_at limit 25)
          union all
          (select case when m.escalated_at is not null then 'approval_overdue' else 'sensitive_draft' end, a.id, a.name, m.amount_cents, coalesce(m.escalated_at, m.created_at), m.step_id, m.id::text
           from ${t.messages} m join ${t.accounts} a on a.id = m.account_id
           where m.status = 'pending_approval' and (m.escalated_at is not null or cardinality(m.sensitive_reasons) > 0)
           order by m.escalated_at nulls last, m.created_at limit 50)
          union all
          (select 'call_due', a.id, a.name, a.balance_cents, c.due_at, c.step_id, c.id::text
           from ${t.callTasks} c join ${t.accounts} a on a.id = c.account_id where c.status = 'open' and c.due_at <= ${now.toISOString()}::timestamptz order by c.due_at limit 25)
          union all
          (select 'possible_duplicate_payment', a.id, a.name, h.amount_cents, h.created_at, h.reference, h.id::text
           from ${t.paymentHolds} h join ${t.accounts} a on a.id = h.account_id where h.status = 'held' order by h.created_at limit 25)
          union all
          (select 'reply_waiting', a.id, a.name, a.balance_cents, r.received_at, r.subject, r.id::text
           from ${t.replies} r join ${t.accounts} a on a.id = r.account_id where r.status = 'waiting' order by r.received_at limit 25)
          union all
          (select 'send_unconfirmed', a.id, a.name, m.amount_cents, m.created_at, m.step_id, m.id::text
           from ${t.messages} m join ${t.accounts} a on a.id = m.account_id where m.status = 'unconfirmed' order by m.created_at limit 25)
        ) x`);
      return {
        items: rows.map((r) => ({
          kind: r.kind,
          accountId: r.account_id,
          accountName: r.account_name,
          balanceCents: Number(r.balance_cents),
          since: r.since ? new Date(r.since).toISOString() : null,
          detail: r.detail ?? '',
          ref: r.ref,
        })),
      };
    },
  }),
];
