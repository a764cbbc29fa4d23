/**
 * The crash tests' harness: a time-skipping server, a database, a real SMTP peer that counts what it
 * accepted, and workers as child processes that can be killed (at a named point of a send). Each test
 * file gets its own, so one file's workflows never hold another's clock.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, type TestDatabase } from './db';
import { addDaysIso, insertAccount, insertInvoice, isoDate, signal, waitFor } from './fixtures';
import { startSmtpPeer, type SmtpPeer } from './smtp';
import { createTimeSkippingEnv } from './temporal';
import { bundleWorkflowsToFile, startWorkerProcess, type WorkerProcess } from './worker-process';

export function useCrashHarness(name: string) {
  let env: TestWorkflowEnvironment;
  let t: TestDatabase;
  let peer: SmtpPeer;
  let bundlePath: string;
  const children: WorkerProcess[] = [];
  // One task queue per file: a workflow left by one test must not run its next steps on another's worker.
  const taskQueue = `crash-${process.pid}-${name}`;

  beforeAll(async () => {
    [env, t, peer, bundlePath] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), startSmtpPeer(), bundleWorkflowsToFile()]);
  });

  afterAll(async () => {
    for (const c of children) await c.stop();
    await env?.teardown();
    await t?.destroy();
    await peer?.close();
  });

  function startWorker(faultPoint?: 'before_smtp' | 'after_smtp' | 'before_record'): WorkerProcess {
    const w = startWorkerProcess({ temporalAddress: env.address, taskQueue, databaseUrl: t.url, smtpUrl: peer.url, workflowBundlePath: bundlePath, faultPoint });
    children.push(w);
    return w;
  }

  /** An autonomous account whose pre-due notice is planned; returns when it is a second from due. */
  async function accountAboutToSend(email: string): Promise<{ accountId: string; due: number }> {
    const accountId = await insertAccount(t, { mode: 'autonomous' });
    await t.sql`update contacts set email = ${email} where account_id = ${accountId}`;
    const due = addDaysIso(isoDate(await env.currentTimeMs()), 8);
    await insertInvoice(t, accountId, { number: `INV-${accountId.slice(0, 6)}`, issueDate: addDaysIso(due, -30), dueDate: due, amountCents: 125_000 });
    const [{ facts_version }] = await t.sql`select facts_version from accounts where id = ${accountId}`;
    await signal(env.client, taskQueue, accountId, Number(facts_version), 'invoice_upserted');
    const planned = await waitFor('the pre-due notice to be planned', async () => {
      const [row] = await t.sql`select next_action, next_action_at from accounts where id = ${accountId}`;
      return row?.next_action === 'wait:next_step' && row.next_action_at ? new Date(row.next_action_at).getTime() : undefined;
    });
    return { accountId, due: planned };
  }

  async function expectFlaggedForAPerson(accountId: string): Promise<void> {
    // The dead attempt's start-to-close timeout (1 minute, real time while it is outstanding) must pass
    // before the server hands the retry to the new worker.
    const msg = await waitFor(
      'the retry to mark the send unconfirmed',
      async () => (await t.sql`select status, send_note from messages where account_id = ${accountId} and status in ('unconfirmed', 'sent')`)[0],
      100_000,
    );
    expect(msg.status).toBe('unconfirmed');
    expect(msg.send_note).toMatch(/^may have been sent at \d{4}-\d\d-\d\dT/);
    const outbox = await t.sql`select status, attempts from outbox where account_id = ${accountId}`;
    expect([...outbox]).toEqual([{ status: 'unconfirmed', attempts: 1 }]);
    const flagged = await t.sql`select 1 from events where account_id = ${accountId} and type = 'message.send_unconfirmed'`;
    expect(flagged).toHaveLength(1);
  }

  return { env: () => env, t: () => t, peer: () => peer, startWorker, accountAboutToSend, expectFlaggedForAPerson };
}
