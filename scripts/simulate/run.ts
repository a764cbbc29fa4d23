/**
 * Plays an accounts-receivable season through the real account workflows and activities on the
 * time-skipping Temporal server: invoices arrive, clients pay (or don't), a simulated clerk approves
 * whatever waits and a simulated caller logs outcomes, one day at a time. The summary is what a
 * manager would want to know before trusting the engine: what went out, when, in which tone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createOutboxMailer } from '../../activities/mail/mailer';
import { createSafeDrafter } from '../../activities/drafting/safe-drafter';
import { createTemplateDrafter } from '../../domain/drafting/templates';
import type { Mode } from '../../domain/facts';
import { createTactfulWorker } from '../../worker/create-worker';
import { accountWorkflowId, decideDraftUpdate, logCallOutcomeUpdate } from '../../workflows/account/definitions';
import { createTimeSkippingEnv } from '../../test/support/temporal';
import { insertAccount, insertInvoice, isoDay, recordPayment, signalFacts } from './facts';
import { createScratchDatabase, type ScratchDatabase } from './infrastructure';
import { generatePortfolio, type AccountPlan } from './portfolio';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The simulated back office works at noon UTC: morning in the Americas, evening in Sydney. */
const TICK_UTC_HOUR = 12;
const clerk = { type: 'user' as const, name: 'Simulated clerk' };

export interface SimulationOptions {
  accounts?: number;
  days?: number;
  seed?: number;
  mode?: Mode | 'mixed';
  /** Run this portfolio instead of generating one (the web app's preview passes real accounts). */
  portfolio?: AccountPlan[];
  /** A PostgreSQL server to create the scratch database on; an embedded one otherwise. */
  databaseServerUrl?: string;
  /** How long a waiting draft sits in the queue before the simulated clerk approves it. */
  approveAfterHours?: number;
  /** Log call outcomes: a promise when the client will in fact pay soon, no answer otherwise. */
  callOutcomes?: boolean;
  onProgress?: (p: { day: number; days: number; sent: number; elapsedMs: number }) => void;
}

export interface SentMessage {
  accountIndex: number;
  account: string;
  segment: string;
  mode: string;
  timeZone: string;
  stepId: string;
  tone: string;
  /** The client's own calendar: 'yyyy-MM-dd', weekday and wall-clock time of the send. */
  localDate: string;
  localWeekday: string;
  localTime: string;
  day: number;
  sentAt: string;
  amountCents: number;
}

export interface SimulationTotals {
  sent: number;
  perStep: Record<string, number>;
  perTone: Record<string, number>;
  perStepTone: Record<string, Record<string, number>>;
  /** Approved but stopped by the last-moment check in the send (paid, balance changed, dispute). */
  suppressed: number;
  /** Withdrawn while waiting because a payment or promise superseded them. */
  withdrawn: number;
  rejected: number;
  stillWaiting: number;
  approvals: number;
  callTasks: number;
  callOutcomes: Record<string, number>;
  promises: Record<string, number>;
  recommendations: Record<string, number>;
  stepsSkipped: number;
  payments: number;
  invoices: number;
  maxMessagesPerAccountIn3Days: number;
  sentOutsideBusinessHours: number;
  sentAfterPaid: number;
  workflowsNotRunning: number;
}

export interface SimulationSummary {
  accounts: number;
  days: number;
  seed: number;
  mode: Mode | 'mixed';
  startDate: string;
  sent: SentMessage[];
  totals: SimulationTotals;
  /** `skipMs`: the part of `simulateMs` spent inside env.sleep, where the workflows do their work. */
  timing: { setupMs: number; simulateMs: number; skipMs: number; totalMs: number; msPerSimulatedDay: number };
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  });
  await Promise.all(lanes);
}

/** The first Monday noon (UTC) after `ms`, so a seed always meets the same weekdays. */
function nextMondayTick(ms: number): number {
  const d = new Date(ms + DAY);
  d.setUTCHours(TICK_UTC_HOUR, 0, 0, 0);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.getTime();
}

export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationSummary> {
  const started = Date.now();
  const days = options.days ?? 120;
  const seed = options.seed ?? 1;
  const mode = options.mode ?? 'mixed';
  const portfolio = options.portfolio ?? generatePortfolio({ accounts: options.accounts ?? 200, days, seed, mode });
  const approveAfterMs = (options.approveAfterHours ?? 0) * HOUR;
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-sim-outbox-'));
  const taskQueue = `simulate-${seed}`;

  let env: TestWorkflowEnvironment | undefined;
  let database: ScratchDatabase | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    [env, database] = await Promise.all([createTimeSkippingEnv(), createScratchDatabase(options.databaseServerUrl)]);
    const { sql } = database;
    const client = env.client;
    worker = await createTactfulWorker({
      connection: env.nativeConnection,
      client,
      namespace: env.namespace ?? 'default',
      taskQueue,
      db: database.db,
      drafter: createSafeDrafter({ primary: createTemplateDrafter() }),
      mailer: createOutboxMailer(outboxDir),
      options: { maxConcurrentActivityTaskExecutions: 40, maxConcurrentWorkflowTaskExecutions: 40 },
    });
    running = worker.run();

    const startMs = nextMondayTick(await env.currentTimeMs());
    await env.sleep(startMs - (await env.currentTimeMs()));
    const setupMs = Date.now() - started;

    const accountIds = new Map<number, string>();
    let approvals = 0;
    let payments = 0;
    let invoices = 0;
    const callOutcomes: Record<string, number> = {};

    let skipMs = 0;
    for (let day = 0; day < days; day++) {
      const tick = startMs + day * DAY;
      const now = await env.currentTimeMs();
      const skipStarted = Date.now();
      if (tick > now) await env.sleep(tick - now);
      skipMs += Date.now() - skipStarted;

      if (day === 0) {
        await mapLimit(portfolio, 10, async (plan) => {
          accountIds.set(plan.index, await insertAccount(sql, plan, startMs));
        });
      }
      await mapLimit(portfolio, 10, async (plan) => {
        const accountId = accountIds.get(plan.index)!;
        const arriving = plan.invoices.filter((inv) => (day === 0 ? inv.issueDay <= 0 : inv.issueDay === day));
        for (const inv of arriving) {
          const version = await insertInvoice(sql, accountId, inv, startMs);
          invoices++;
          await signalFacts(client, taskQueue, accountId, version, 'invoice_upserted');
        }
        const paying = plan.invoices.flatMap((inv) => (inv.issueDay <= day ? inv.payments.filter((p) => p.day === day) : []));
        for (const p of paying) {
          const version = await recordPayment(sql, accountId, p.amountCents, new Date(tick), plan.paymentMethod);
          payments++;
          await signalFacts(client, taskQueue, accountId, version, 'payment_recorded', sql);
        }
      });

      const waiting = await sql`
        select id, account_id from messages
        where status = 'pending_approval' and created_at <= ${new Date(tick - approveAfterMs).toISOString()} order by created_at`;
      await mapLimit(waiting, 10, async (m) => {
        try {
          await client.workflow
            .getHandle(accountWorkflowId(m.account_id))
            .executeUpdate(decideDraftUpdate, { args: [{ messageId: m.id, decision: 'approve', actor: clerk }] });
          approvals++;
        } catch {
          // Withdrawn or not yet handed to the workflow: the next tick sees the truth.
        }
      });

      if (options.callOutcomes ?? true) {
        const open = await sql`select id, account_id from call_tasks where status = 'open' and outcome is null and created_at <= ${new Date(tick).toISOString()}`;
        await mapLimit(open, 10, async (task) => {
          const plan = portfolio.find((p) => accountIds.get(p.index) === task.account_id)!;
          const upcoming = plan.invoices
            .flatMap((inv) => inv.payments)
            .filter((p) => p.day > day && p.day <= day + 21)
            .sort((a, b) => a.day - b.day)[0];
          const outcome = upcoming
            ? { callTaskId: task.id, outcome: 'promise' as const, promisedDate: isoDay(startMs, upcoming.day), amountCents: upcoming.amountCents, actor: clerk }
            : { callTaskId: task.id, outcome: 'no_answer' as const, actor: clerk };
          try {
            await client.workflow.getHandle(accountWorkflowId(task.account_id)).executeUpdate(logCallOutcomeUpdate, { args: [outcome] });
            callOutcomes[outcome.outcome] = (callOutcomes[outcome.outcome] ?? 0) + 1;
          } catch {
            // The workflow has not recorded the task as open yet; the next tick tries again.
          }
        });
      }

      if (options.onProgress) {
        const [{ n }] = await sql`select count(*)::int as n from messages where status = 'sent'`;
        options.onProgress({ day: day + 1, days, sent: n, elapsedMs: Date.now() - started });
      }
    }
    const end = startMs + days * DAY;
    const now = await env.currentTimeMs();
    const skipStarted = Date.now();
    if (end > now) await env.sleep(end - now);
    skipMs += Date.now() - skipStarted;
    const simulateMs = Date.now() - started - setupMs;

    let workflowsNotRunning = 0;
    await mapLimit([...accountIds.values()], 20, async (id) => {
      const d = await client.workflow.getHandle(accountWorkflowId(id)).describe();
      if (d.status.name !== 'RUNNING') workflowsNotRunning++;
    });

    const summary = await summarise(database, portfolio, accountIds, startMs, {
      approvals,
      payments,
      invoices,
      callOutcomes,
      workflowsNotRunning,
    });
    const totalMs = Date.now() - started;
    return {
      accounts: portfolio.length,
      days,
      seed,
      mode,
      startDate: isoDay(startMs, 0),
      ...summary,
      timing: { setupMs, simulateMs, skipMs, totalMs, msPerSimulatedDay: Math.round(simulateMs / days) },
    };
  } finally {
    worker?.shutdown();
    await running?.catch(() => {});
    await env?.teardown();
    await database?.dispose();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  }
}

const count = (into: Record<string, number>, key: string, n = 1) => {
  into[key] = (into[key] ?? 0) + n;
};

async function summarise(
  database: ScratchDatabase,
  portfolio: AccountPlan[],
  accountIds: Map<number, string>,
  startMs: number,
  tallies: Pick<SimulationTotals, 'approvals' | 'payments' | 'invoices' | 'callOutcomes' | 'workflowsNotRunning'>,
): Promise<Pick<SimulationSummary, 'sent' | 'totals'>> {
  const { sql } = database;
  const planOf = new Map(portfolio.map((p) => [accountIds.get(p.index)!, p]));
  const rows = await sql`
    select m.account_id, m.step_id, m.tone::text as tone, m.status::text as status, m.sent_at, m.amount_cents,
           a.holidays::text[] as holidays, a.business_hours,
           (select bool_and(i.paid_at is not null and i.paid_at <= m.sent_at) from invoices i where i.id = any(m.invoice_ids)) as paid_before
    from messages m join accounts a on a.id = m.account_id
    order by m.sent_at nulls last, m.created_at`;

  const sent: SentMessage[] = [];
  const totals: SimulationTotals = {
    sent: 0,
    perStep: {},
    perTone: {},
    perStepTone: {},
    suppressed: 0,
    withdrawn: 0,
    rejected: 0,
    stillWaiting: 0,
    callTasks: 0,
    promises: {},
    recommendations: {},
    stepsSkipped: 0,
    maxMessagesPerAccountIn3Days: 0,
    sentOutsideBusinessHours: 0,
    sentAfterPaid: 0,
    ...tallies,
  };
  const sendDaysByAccount = new Map<string, string[]>();
  for (const r of rows) {
    if (r.status === 'suppressed') totals.suppressed++;
    if (r.status === 'superseded') totals.withdrawn++;
    if (r.status === 'rejected') totals.rejected++;
    if (r.status === 'pending_approval' || r.status === 'approved') totals.stillWaiting++;
    if (r.status !== 'sent') continue;
    const plan = planOf.get(r.account_id)!;
    // drizzle's driver setup hands timestamps back as text.
    const sentAt = new Date(r.sent_at);
    const local = DateTime.fromJSDate(sentAt, { zone: plan.timeZone });
    const localDate = local.toISODate()!;
    const hours = r.business_hours as { start: string; end: string; days: number[] };
    const hhmm = local.toFormat('HH:mm');
    if (!hours.days.includes(local.weekday) || hhmm < hours.start || hhmm >= hours.end || (r.holidays as string[]).includes(localDate)) {
      totals.sentOutsideBusinessHours++;
    }
    if (r.paid_before) totals.sentAfterPaid++;
    sent.push({
      accountIndex: plan.index,
      account: plan.name,
      segment: plan.segment,
      mode: plan.mode,
      timeZone: plan.timeZone,
      stepId: r.step_id,
      tone: r.tone,
      localDate,
      localWeekday: local.toFormat('ccc'),
      localTime: hhmm,
      day: Math.floor((sentAt.getTime() - startMs) / DAY),
      sentAt: sentAt.toISOString(),
      amountCents: Number(r.amount_cents),
    });
    totals.sent++;
    count(totals.perStep, r.step_id);
    count(totals.perTone, r.tone);
    count((totals.perStepTone[r.step_id] ??= {}), r.tone);
    sendDaysByAccount.set(r.account_id, [...(sendDaysByAccount.get(r.account_id) ?? []), localDate]);
  }
  // Any three consecutive calendar days in the client's own calendar.
  for (const dates of sendDaysByAccount.values()) {
    const ms = dates.map((d) => Date.parse(`${d}T00:00:00Z`)).sort((a, b) => a - b);
    for (let i = 0; i < ms.length; i++) {
      const inWindow = ms.filter((x) => x >= ms[i] && x < ms[i] + 3 * DAY).length;
      totals.maxMessagesPerAccountIn3Days = Math.max(totals.maxMessagesPerAccountIn3Days, inWindow);
    }
  }

  const [calls] = await sql`select count(*)::int as n from call_tasks`;
  totals.callTasks = calls.n;
  for (const r of await sql`select status::text as status, count(*)::int as n from promises group by 1`) totals.promises[r.status] = r.n;
  for (const r of await sql`select kind::text as kind, count(*)::int as n from recommendations group by 1`) totals.recommendations[r.kind] = r.n;
  const [skips] = await sql`select count(*)::int as n from events where type = 'step.skipped'`;
  totals.stepsSkipped = skips.n;
  return { sent, totals };
}
