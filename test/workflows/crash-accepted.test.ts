/**
 * Killing the worker after the SMTP server accepted a message never delivers it twice. (Its own file,
 * so it gets a fresh time-skipping server: crash.test.ts's workflows would hold this one's clock.)
 *
 * Killing the worker in the middle of a send never delivers an email twice.
 *
 * The worker runs as a child process with the real SMTP mailer and a real SMTP peer that counts what
 * it accepted. Once the message is handed to SMTP, the worker cannot know from its own state whether
 * the server accepted it; SMTP cannot be asked afterwards. So the retry, finding the send left in
 * `sending`, does not deliver again: it marks the message "may have been sent at …" for a person.
 * Before this, a worker killed after the server accepted delivered the same email twice.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { addDaysIso, insertAccount, insertInvoice, isoDate, signal, waitFor } from '../support/fixtures';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp';
import { accountWorkflowId } from '../../workflows/account/definitions';
import { createTimeSkippingEnv } from '../support/temporal';
import { bundleWorkflowsToFile, startWorkerProcess, type WorkerProcess } from '../support/worker-process';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let peer: SmtpPeer;
let bundlePath: string;
const children: WorkerProcess[] = [];
// One task queue per test: a workflow left by one test must not run its next steps on the next test's worker.
let taskQueue = `crash-${process.pid}`;

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

it('a worker killed after the SMTP server accepted the message: delivered once, never twice, and flagged', async () => {
  taskQueue = `crash-${process.pid}-accepted`;
  const first = startWorker('after_smtp');
  await first.ready;
  const { accountId, due } = await accountAboutToSend('ap@accepted.test');
  await env.sleep(due - (await env.currentTimeMs()) - 1_000);
  await waitFor('the SMTP server to accept the message', async () => first.output().includes('fault:after_smtp'), 30_000);
  expect(peer.received.filter((m) => m.to.includes('ap@accepted.test'))).toHaveLength(1);

  await first.kill();
  const second = startWorker();
  await second.ready;
  await expectFlaggedForAPerson(accountId);
  await env.sleep('3 days');
  const delivered = peer.received.filter((m) => m.to.includes('ap@accepted.test'));
  expect(delivered).toHaveLength(1);
  await second.stop();
  await env.client.workflow.getHandle(accountWorkflowId(accountId)).terminate('test over');
}, 240_000);
