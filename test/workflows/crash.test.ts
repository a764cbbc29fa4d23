/**
 * Killing the worker in the middle of a send and restarting it sends exactly one email.
 *
 * The worker runs as a child process with the real SMTP mailer; the SMTP peer holds the first DATA
 * unanswered, so the child is inside the send activity when it is SIGKILLed. The held message was
 * never acknowledged, so it was not delivered; a fresh worker retries the activity after its
 * start-to-close timeout and that delivery is the only one.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { addDaysIso, insertAccount, insertInvoice, isoDate, signal, waitFor } from '../support/fixtures';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp';
import { createTimeSkippingEnv } from '../support/temporal';
import { bundleWorkflowsToFile, startWorkerProcess, type WorkerProcess } from '../support/worker-process';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
let peer: SmtpPeer;
let bundlePath: string;
const children: WorkerProcess[] = [];
const taskQueue = `crash-${process.pid}`;

beforeAll(async () => {
  [env, t, peer, bundlePath] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), startSmtpPeer(), bundleWorkflowsToFile()]);
});

afterAll(async () => {
  for (const c of children) await c.stop();
  await env?.teardown();
  await t?.destroy();
  await peer?.close();
});

function startWorker(): WorkerProcess {
  const w = startWorkerProcess({ temporalAddress: env.address, taskQueue, databaseUrl: t.url, smtpUrl: peer.url, workflowBundlePath: bundlePath });
  children.push(w);
  return w;
}

it('delivers exactly one email when the worker dies mid-send and a new one takes over', async () => {
  const first = startWorker();
  await first.ready;

  const accountId = await insertAccount(t, { mode: 'autonomous' });
  const due = addDaysIso(isoDate(await env.currentTimeMs()), 8);
  await insertInvoice(t, accountId, { number: 'INV-CRASH-1', issueDate: addDaysIso(due, -30), dueDate: due, amountCents: 125_000 });
  const [{ facts_version }] = await t.sql`select facts_version from accounts where id = ${accountId}`;

  await signal(env.client, taskQueue, accountId, Number(facts_version), 'invoice_upserted');
  const planned = await waitFor('the pre-due notice to be planned', async () => {
    const [row] = await t.sql`select next_action, next_action_at from accounts where id = ${accountId}`;
    return row?.next_action === 'wait:next_step' && row.next_action_at ? new Date(row.next_action_at).getTime() : undefined;
  });
  // Skip to a second before the send is due while nothing runs. From here on no env.sleep is pending
  // while an activity is outstanding: the server then holds its clock to real time, and a sleep call
  // held open that long does not come back on this test server.
  const held = peer.stallNextData();
  await env.sleep(planned - (await env.currentTimeMs()) - 1_000);
  const stalled = await held;
  expect(stalled.to).toEqual(['ap@northwind.test']);

  await first.kill();
  expect((await first.exited).signal).toBe('SIGKILL');
  await waitFor('the peer to see the connection drop', async () => peer.abandoned.length === 1);

  const second = startWorker();
  await second.ready;
  // The dead attempt's start-to-close timeout (1 minute, real time while it is outstanding) must pass
  // before the server hands the retry to the new worker.
  await waitFor('the retried send', async () => (await t.sql`select 1 from messages where account_id = ${accountId} and status = 'sent'`)[0], 100_000);
  await env.sleep('3 days');

  const delivered = peer.received.filter((m) => m.to.includes('ap@northwind.test'));
  expect(delivered).toHaveLength(1);
  // Both attempts carry the same Message-ID, so a receiving system could de-duplicate as well.
  expect(delivered[0].messageId).toBe(stalled.messageId);
  // One outbox row; both attempts are counted, the killed one included, so the trail shows the retry.
  const outbox = await t.sql`select status, attempts from outbox where account_id = ${accountId}`;
  expect([...outbox]).toEqual([{ status: 'sent', attempts: 2 }]);
  const msgs = await t.sql`select step_id, status from messages where account_id = ${accountId}`;
  expect(msgs).toEqual([{ step_id: 'prevention', status: 'sent' }]);
}, 240_000);
