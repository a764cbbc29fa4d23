/**
 * The API with the REAL Temporal gateway, the real worker (workflows + activities) on the
 * time-skipping test server, and a real PostgreSQL: a fact written through the API starts the
 * account's workflow, its draft reaches the queue, a clerk's decision travels as an Update and the
 * message is sent; a payment webhook withdraws a waiting draft, and a late click is answered 409.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { defaultApiConfig } from '../../api/config';
import { createTemporalGateway, WorkflowRejectedError, type WorkflowGateway } from '../../api/gateway';
import { signWebhook } from '../../api/routes/ingestion';
import * as t from '../../db/schema';
import { Errors, accountWorkflowId } from '../../workflows/account/definitions';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createTestWorker, tempOutbox } from '../support/engine';
import { addDaysIso, isoDate, waitFor } from '../support/fixtures';
import { createTimeSkippingEnv } from '../support/temporal';
import { createUser, login, startApi, type Client, type TestApi } from './support';

const SECRET = 'test-webhook-secret-0123456789';

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let worker: Worker;
let running: Promise<void>;
let gateway: WorkflowGateway & { close(): Promise<void> };
let api: TestApi;
let clerk: Client;
let manager: Client;
const outbox = tempOutbox();

/** The API's clock follows the test server's, so webhook timestamps and "days overdue" agree with the workflow. */
async function syncClock() {
  api.clock.now = new Date(await env.currentTimeMs());
}

beforeAll(async () => {
  [env, db] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
  let taskQueue: string;
  ({ worker, taskQueue } = await createTestWorker(env, db, { mailer: outbox.mailer }));
  running = worker.run();
  gateway = createTemporalGateway({ address: env.address, namespace: env.namespace ?? 'default', taskQueue, rpcTimeoutMs: 30_000 });
  // Sessions outlive the days the test server skips.
  const session = { ...defaultApiConfig().session, idleMs: 60 * 86_400_000, absoluteMs: 60 * 86_400_000 };
  api = await startApi(db, { gateway, config: { session } });
  await syncClock();
  clerk = await login(api, await createUser(db, 'clerk'));
  manager = await login(api, await createUser(db, 'manager'));
});

afterAll(async () => {
  await api?.close();
  await gateway?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.destroy();
});

const allWeek = { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] };

/** A copilot client with one invoice `daysLate` days past due, written through the API as an integration would. */
async function lateClient(daysLate: number, amountCents = 145_000) {
  const externalRef = `C-${randomUUID().slice(0, 8)}`;
  const client = await manager.json(
    'POST',
    '/api/clients',
    // Open all week, so the send is due whatever day and hour the test server starts on.
    { externalRef, name: `Bayside Vet ${externalRef}`, mode: 'copilot', businessHours: allWeek, contacts: [{ name: 'Robin Lee', email: 'ap@bayside.test', isPrimary: true }] },
    { 'idempotency-key': `k-${randomUUID()}` },
  );
  expect(client.status).toBe(201);
  const today = isoDate(api.clock.now.getTime());
  const number = `INV-${randomUUID().slice(0, 6)}`;
  const invoice = await clerk.json(
    'POST',
    '/api/invoices',
    { account: { externalRef }, number, issueDate: addDaysIso(today, -30 - daysLate), dueDate: addDaysIso(today, -daysLate), amountCents },
    { 'idempotency-key': `k-${randomUUID()}` },
  );
  expect(invoice.status).toBe(201);
  expect(invoice.body.workflow).toEqual({ signaled: true });
  return { accountId: client.body.accountId as string, externalRef, number };
}

const queueOf = async (accountId: string) => (await clerk.json('GET', `/api/queue?accountId=${accountId}`)).body.items as { id: string; stepId: string }[];
const waitForDraft = (accountId: string, stepId: string) =>
  waitFor(`a ${stepId} draft in the queue`, async () => (await queueOf(accountId)).find((i) => i.stepId === stepId), 30_000);
const timelineTypes = async (accountId: string) =>
  ((await clerk.json('GET', `/api/accounts/${accountId}/timeline`)).body.items as { type: string }[]).map((e) => e.type).reverse();

async function webhook(event: object) {
  const body = JSON.stringify(event);
  const res = await fetch(`${api.url}/api/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tactful-signature': signWebhook(SECRET, Math.floor(api.clock.now.getTime() / 1000), body) },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

it('an invoice 4 days overdue becomes a draft in the queue; approving it sends the message and the timeline shows each step', async () => {
  const { accountId } = await lateClient(4);
  const draft = await waitForDraft(accountId, 'first_reminder');

  const decided = await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' });
  expect(decided).toMatchObject({ status: 200, body: { messageId: draft.id, status: 'approved' } });

  const sent = await waitFor('the outbox row', async () => {
    const [row] = await db.db.select().from(t.outbox).where(eq(t.outbox.accountId, accountId));
    return row?.status === 'sent' ? row : undefined;
  });
  expect(sent).toMatchObject({ messageId: draft.id, toEmail: 'ap@bayside.test' });
  expect(await queueOf(accountId)).toEqual([]);
  const types = await timelineTypes(accountId);
  expect(types.filter((x) => ['draft.created', 'draft.approved', 'message.sent'].includes(x))).toEqual(['draft.created', 'draft.approved', 'message.sent']);
  expect(await clerk.json('GET', `/api/queue/${draft.id}`)).toMatchObject({ body: { message: { status: 'sent' } } });

  // A second click on the sent draft: already decided (the database answers before the workflow is asked).
  const again = await clerk.json('POST', `/api/queue/${draft.id}/decision`, { decision: 'approve' });
  expect(again).toMatchObject({ status: 409, body: { type: '/problems/already-decided' } });
});

it('a payment webhook withdraws the second draft while it waits; a decision on it answers 409 superseded', async () => {
  const { accountId, externalRef, number } = await lateClient(4, 98_000);
  const first = await waitForDraft(accountId, 'first_reminder');
  expect((await clerk.json('POST', `/api/queue/${first.id}/decision`, { decision: 'approve' })).status).toBe(200);
  await waitFor('the first send', async () => (await db.db.select().from(t.outbox).where(eq(t.outbox.accountId, accountId))).length > 0);

  // A week later (day 11) the second reminder is drafted and waits for a person.
  await env.sleep('7 days');
  await syncClock();
  const second = await waitForDraft(accountId, 'second_reminder');

  const paid = await webhook({
    id: `evt-${randomUUID()}`,
    type: 'payment.received',
    occurredAt: api.clock.now.toISOString(),
    data: { account: { externalRef }, amountCents: 98_000, method: 'ach', invoiceNumber: number },
  });
  expect(paid.status).toBe(200);

  await waitFor('the draft to leave the queue', async () => (await queueOf(accountId)).length === 0, 30_000);
  const detail = await clerk.json('GET', `/api/queue/${second.id}`);
  expect(detail.body.message).toMatchObject({ status: 'superseded', decisionReason: expect.stringMatching(/\S/) });
  expect(await timelineTypes(accountId)).toContain('draft.withdrawn');

  const late = await clerk.json('POST', `/api/queue/${second.id}/decision`, { decision: 'approve' });
  expect(late).toMatchObject({ status: 409, body: { type: '/problems/superseded', detail: expect.stringContaining(detail.body.message.decisionReason) } });

  // The workflow gives the same answer when asked directly through the gateway (a click that raced the withdrawal).
  const direct = gateway.decideDraft(accountId, { messageId: second.id, decision: 'approve', actor: { type: 'user', id: clerk.user.id, name: clerk.user.name } });
  await expect(direct).rejects.toBeInstanceOf(WorkflowRejectedError);
  await expect(direct).rejects.toMatchObject({ errorType: Errors.Superseded });
  expect((await db.db.select().from(t.outbox).where(eq(t.outbox.accountId, accountId))).length).toBe(1);
});

it('answers what the workflow engine says about accounts it does not know, and its live state for those it does', async () => {
  const unknown = randomUUID();
  await expect(gateway.decideDraft(unknown, { messageId: randomUUID(), decision: 'approve', actor: { type: 'system' } })).rejects.toMatchObject({ errorType: Errors.AccountNotFound });
  expect(await gateway.state(unknown)).toBeNull();
  const { accountId } = await lateClient(4);
  await waitForDraft(accountId, 'first_reminder');
  const live = await clerk.json('GET', `/api/accounts/${accountId}/state`);
  expect(live.body).toMatchObject({ available: true, state: { accountId, pendingDraft: { stepId: 'first_reminder' } } });
  await gateway.ping();
});

it('a fact for an account whose workflow was ended (by an operator, say) starts a fresh one that plans from the account facts', async () => {
  const { accountId, externalRef } = await lateClient(4);
  await waitForDraft(accountId, 'first_reminder');
  const handle = env.client.workflow.getHandle(accountWorkflowId(accountId));
  const ended = (await handle.describe()).runId;
  await handle.terminate('ended by the test');

  const invoice = await clerk.json(
    'POST',
    '/api/invoices',
    { account: { externalRef }, number: `INV-${randomUUID().slice(0, 6)}`, issueDate: isoDate(api.clock.now.getTime()), dueDate: addDaysIso(isoDate(api.clock.now.getTime()), 30), amountCents: 10_000 },
    { 'idempotency-key': `k-${randomUUID()}` },
  );
  expect(invoice).toMatchObject({ status: 201, body: { workflow: { signaled: true } } });
  const fresh = await env.client.workflow.getHandle(accountWorkflowId(accountId)).describe();
  expect(fresh.runId).not.toBe(ended);
  expect(fresh.status.name).toBe('RUNNING');
  const live = await waitFor('the new run to have read the facts', async () => {
    const s = await gateway.state(accountId);
    return s?.balanceCents && s.balanceCents > 0 ? s : undefined;
  });
  expect(live.seenFactsVersion).toBeGreaterThan(0);
});
