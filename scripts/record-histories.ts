/**
 * `npx tsx scripts/record-histories.ts` — runs each account-workflow path the replay test guards on
 * the time-skipping server (real activities, scratch PostgreSQL) and saves each workflow's history
 * under test/histories/account-<path>.json. Re-record when a workflow change is *meant* to be
 * incompatible (and version it); never to make a failing replay pass.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createOutboxMailer } from '../activities/mail/mailer';
import { createSafeDrafter } from '../activities/drafting/safe-drafter';
import { createTemplateDrafter } from '../domain/drafting/templates';
import { createTactfulWorker } from '../worker/create-worker';
import { accountWorkflowId, decideDraftUpdate, logCallOutcomeUpdate, type FactsChanged } from '../workflows/account/definitions';
import { historyToJson } from '../test/histories/history-json';
import { createTimeSkippingEnv } from '../test/support/temporal';
import { recordPayment, signalFacts, type Sql } from './simulate/facts';
import { createScratchDatabase, type ScratchDatabase } from './simulate/infrastructure';

const DAY = 86_400_000;
const historiesDir = path.join(__dirname, '..', 'test', 'histories');
const clerk = { type: 'user' as const, name: 'Recorder' };

interface Ctx {
  env: TestWorkflowEnvironment;
  client: Client;
  sql: Sql;
  taskQueue: string;
}

const today = async (ctx: Ctx) => new Date(await ctx.env.currentTimeMs()).toISOString().slice(0, 10);
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Moves the clock a day at a time until `probe` holds: weekends and holidays shift when things happen. */
async function daysUntil<T>(ctx: Ctx, what: string, probe: () => Promise<T | undefined | null | false>, maxDays = 10): Promise<T> {
  for (let day = 0; ; day++) {
    const value = await probe();
    if (value) return value;
    if (day === maxDays) throw new Error(`${what} did not happen within ${maxDays} days`);
    await ctx.env.sleep('1 day');
  }
}

async function bump(sql: Sql, accountId: string): Promise<number> {
  const [row] = await sql`
    update accounts set facts_version = facts_version + 1,
      balance_cents = (select coalesce(sum(balance_cents), 0) from invoices where account_id = ${accountId} and status = 'open')
    where id = ${accountId} returning facts_version`;
  return Number(row.facts_version);
}

async function signal(ctx: Ctx, accountId: string, change: FactsChanged['change']): Promise<void> {
  await signalFacts(ctx.client, ctx.taskQueue, accountId, await bump(ctx.sql, accountId), change);
}

/** A client with one open invoice `dueInDays` from today, and its workflow started. */
async function openAccount(ctx: Ctx, name: string, mode: 'copilot' | 'autonomous', dueInDays: number): Promise<string> {
  const [row] = await ctx.sql`
    insert into accounts (name, segment, mode, time_zone, payment_method, client_since)
    values (${name}, 'standard', ${mode}, 'America/New_York', 'ach', '2023-01-15') returning id`;
  const accountId = row.id as string;
  await ctx.sql`insert into contacts (account_id, name, email, is_primary) values (${accountId}, 'Dana Whitfield', ${`ap@${accountId.slice(0, 8)}.test`}, true)`;
  const due = plusDays(await today(ctx), dueInDays);
  await ctx.sql`
    insert into invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status)
    values (${accountId}, ${`INV-${name.replace(/\W/g, '').slice(0, 12)}`}, ${plusDays(due, -30)}, ${due}, 125000, 125000, 'open')`;
  await signal(ctx, accountId, 'invoice_upserted');
  return accountId;
}

const messages = (ctx: Ctx, accountId: string) =>
  ctx.sql`select id, step_id, status from messages where account_id = ${accountId} order by created_at`;
const withStatus = (ctx: Ctx, accountId: string, status: string) => async () =>
  (await messages(ctx, accountId)).find((m) => m.status === status);

async function approve(ctx: Ctx, accountId: string, messageId: string): Promise<void> {
  await ctx.client.workflow
    .getHandle(accountWorkflowId(accountId))
    .executeUpdate(decideDraftUpdate, { args: [{ messageId, decision: 'approve', actor: clerk }] });
}

const paths: Record<string, (ctx: Ctx) => Promise<string>> = {
  async 'copilot-approve-send'(ctx) {
    const id = await openAccount(ctx, 'Copilot Approve', 'copilot', 12);
    await ctx.env.sleep('8 days');
    const draft = await daysUntil(ctx, 'a draft', withStatus(ctx, id, 'pending_approval'));
    await approve(ctx, id, draft.id);
    await daysUntil(ctx, 'the send', withStatus(ctx, id, 'sent'));
    return id;
  },
  async 'autonomous-routine-send'(ctx) {
    const id = await openAccount(ctx, 'Autonomous Routine', 'autonomous', 8);
    await ctx.env.sleep('4 days');
    await daysUntil(ctx, 'the send', withStatus(ctx, id, 'sent'));
    return id;
  },
  async 'payment-withdraws-draft'(ctx) {
    const id = await openAccount(ctx, 'Paid While Waiting', 'copilot', 12);
    await ctx.env.sleep('8 days');
    await daysUntil(ctx, 'a draft', withStatus(ctx, id, 'pending_approval'));
    const version = await recordPayment(ctx.sql, id, 125000, new Date(await ctx.env.currentTimeMs()), 'ach');
    await signalFacts(ctx.client, ctx.taskQueue, id, version, 'payment_recorded');
    await waitFor('the withdrawal', withStatus(ctx, id, 'superseded'));
    await ctx.env.sleep('5 days');
    return id;
  },
  async 'dispute-halts'(ctx) {
    const id = await openAccount(ctx, 'Disputed', 'copilot', 12);
    await ctx.env.sleep('8 days');
    await daysUntil(ctx, 'a draft', withStatus(ctx, id, 'pending_approval'));
    await ctx.sql`insert into disputes (account_id, reason, opened_at) values (${id}, 'Invoice covers a cancelled seat', ${new Date(await ctx.env.currentTimeMs()).toISOString()})`;
    await signal(ctx, id, 'dispute_opened');
    await waitFor('the withdrawal', withStatus(ctx, id, 'superseded'));
    await ctx.env.sleep('10 days');
    await ctx.sql`update disputes set status = 'resolved', resolved_at = ${new Date(await ctx.env.currentTimeMs()).toISOString()} where account_id = ${id}`;
    await signal(ctx, id, 'dispute_resolved');
    await daysUntil(ctx, 'a fresh draft after the dispute', withStatus(ctx, id, 'pending_approval'));
    return id;
  },
  async 'import-late'(ctx) {
    const id = await openAccount(ctx, 'Imported Late', 'autonomous', -20);
    await daysUntil(ctx, 'the catch-up send', withStatus(ctx, id, 'sent'));
    await ctx.env.sleep('2 days');
    const sent = (await messages(ctx, id)).filter((m) => m.status === 'sent');
    if (sent.length !== 1) throw new Error(`import-late sent ${sent.length} messages, expected 1`);
    return id;
  },
  async 'call-promise'(ctx) {
    const id = await openAccount(ctx, 'Call Promise', 'autonomous', -30);
    const task = await daysUntil(ctx, 'a call task', async () => (await ctx.sql`select id from call_tasks where account_id = ${id}`)[0]);
    await ctx.env.sleep('1 day');
    const promisedDate = plusDays(await today(ctx), 7);
    await ctx.client.workflow
      .getHandle(accountWorkflowId(id))
      .executeUpdate(logCallOutcomeUpdate, { args: [{ callTaskId: task.id, outcome: 'promise', promisedDate, actor: clerk }] });
    await ctx.env.sleep('4 days');
    const version = await recordPayment(ctx.sql, id, 125000, new Date(await ctx.env.currentTimeMs()), 'ach');
    await signalFacts(ctx.client, ctx.taskQueue, id, version, 'payment_recorded');
    await daysUntil(ctx, 'the kept promise', async () => (await ctx.sql`select 1 from promises where account_id = ${id} and status = 'kept'`)[0]);
    return id;
  },
};

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-histories-outbox-'));
  let env: TestWorkflowEnvironment | undefined;
  let database: ScratchDatabase | undefined;
  try {
    [env, database] = await Promise.all([createTimeSkippingEnv(), createScratchDatabase(process.env.DATABASE_URL)]);
    const taskQueue = 'record-histories';
    const worker = await createTactfulWorker({
      connection: env.nativeConnection,
      client: env.client,
      taskQueue,
      db: database.db,
      drafter: createSafeDrafter({ primary: createTemplateDrafter() }),
      mailer: createOutboxMailer(outboxDir),
    });
    const ctx: Ctx = { env, client: env.client, sql: database.sql, taskQueue };
    await worker.runUntil(async () => {
      for (const [name, run] of Object.entries(paths)) {
        if (only.length && !only.includes(name)) continue;
        const accountId = await run(ctx);
        const history = await ctx.client.workflow.getHandle(accountWorkflowId(accountId)).fetchHistory();
        const file = path.join(historiesDir, `account-${name}.json`);
        fs.writeFileSync(file, `${JSON.stringify(historyToJson(history), null, 1)}\n`);
        console.log(`${path.relative(process.cwd(), file)}: ${history.events?.length ?? 0} events`);
      }
    });
  } finally {
    await env?.teardown();
    await database?.dispose();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
