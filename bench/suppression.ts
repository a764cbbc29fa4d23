/**
 * Figure 3: a payment webhook, as an accounting tool sends it (signed, naming the client by its own
 * reference), until the account's workflow shows it paid and its waiting draft withdrawn; against a
 * no-op signal round trip to a sleeping workflow on the same server, sent by the same number of senders.
 *
 * The webhook is an HTTP POST to the API (in this process): signature check, the idempotency key, the
 * ledger write (which withdraws the account's waiting drafts in the same transaction when it settles
 * the account), then the factsChanged signal, which says `settled` so the workflow drops its draft in
 * the signal handler. Each latency runs from the moment the sender starts the request to the
 * completion of the workflow task that handled the
 * factsChanged signal — or, if the workflow still withdrew the draft through the withdrawDraft
 * activity, the task after that activity, whichever is later: from then on the state query answers
 * "paid, nothing pending" and the draft's row reads superseded. For the baseline, to the completion of
 * the workflow task that handled the signal. Before the measurement, 50 more accounts are paid the same
 * way (not measured), so the API and the workers are warm, as a running product's are.
 */
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp } from '../api/app';
import { defaultApiConfig } from '../api/config';
import { createTemporalGateway } from '../api/gateway';
import { signWebhook } from '../api/routes/ingestion';
import { accountWorkflowId, factsChangedSignal, stateQuery } from '../workflows/account/definitions';
import { insertPortfolio } from './fixtures';
import { EventType, eventMs, histories, untilEveryTimerStarted, type HistoryEvent } from './history';
import type { PgServer } from './infra';
import { forkWorker } from './worker-process';
import { startStack } from './stack';
import { mapLimit, percentile, waitUntil } from './stats';
import { helloWorkflow, pingSignal } from './workflows';

export interface LatencySample {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SuppressionRun {
  accounts: number;
  senders: number;
  payment: LatencySample;
  signal: LatencySample;
  /**
   * Where the time goes: until the webhook is answered (written and signalled) and the no-op signal's RPC
   * alone; then, for each, from the signal in the history to the completion of the task that handled it,
   * and of that the part from the task's start (a worker took it) to its completion.
   */
  parts: { webhookAnswered: LatencySample; pingSignal: LatencySample; paymentSignalToTask: LatencySample; pingSignalToTask: LatencySample; paymentTaskStartedToDone: LatencySample; pingTaskStartedToDone: LatencySample };
  /** Checked after the run: every account answers paid with nothing pending, every draft superseded, nothing sent. */
  verified: boolean;
  /** Activities the server handed back with the workflow task that scheduled them (worker/temporal-dynamic-config.yaml). */
  eagerActivities: number;
}

function afterFirst(events: readonly HistoryEvent[], isStart: (e: HistoryEvent) => boolean): number | undefined {
  const i = events.findIndex(isStart);
  if (i < 0) return undefined;
  const done = events.slice(i + 1).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  return done ? eventMs(done) : undefined;
}

const settledSignalIndex = (events: readonly HistoryEvent[]) =>
  events.findIndex(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && e.workflowExecutionSignaledEventAttributes?.signalName === factsChangedSignal.name && settledSignal(e),
  );

/** From the signal in the history to the completion of the workflow task that handled it. */
function signalToTask(events: readonly HistoryEvent[], signalled: number): number {
  return afterFirst(events.slice(signalled), () => true)! - eventMs(events[signalled]);
}

/** Of that, the part after a worker picked the task up (started → completed). */
function taskStartToDone(events: readonly HistoryEvent[], signalled: number): number {
  const after = events.slice(signalled);
  const started = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)!;
  const done = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!;
  return eventMs(done) - eventMs(started);
}

function withdrawnAt(events: readonly HistoryEvent[]): number | undefined {
  const signalled = settledSignalIndex(events);
  const handled = signalled < 0 ? undefined : afterFirst(events.slice(signalled), () => true);
  const viaActivity = withdrawActivityAt(events);
  if (handled === undefined) return viaActivity;
  return viaActivity === undefined ? handled : Math.max(handled, viaActivity);
}

/** The payment's signal carries `settled: true`; earlier factsChanged signals (the first invoice) do not. */
function settledSignal(e: HistoryEvent): boolean {
  const p = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
  if (!p) return false;
  try {
    return JSON.parse(Buffer.from(p).toString('utf8')).settled === true;
  } catch {
    return false;
  }
}

function withdrawActivityAt(events: readonly HistoryEvent[]): number | undefined {
  const scheduled = events.find(
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'withdrawDraft',
  );
  if (!scheduled) return undefined;
  return afterFirst(
    events,
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
  );
}

/** No workflow task or activity outstanding: the workflow waits for its next change. */
function quiet(events: readonly HistoryEvent[]): boolean {
  const last = (type: number) => events.map((e) => e.eventType).lastIndexOf(type);
  const activities = (type: number) => events.filter((e) => e.eventType === type).length;
  return (
    last(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) > last(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) &&
    activities(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) === activities(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
  );
}

/** Accounts paid before the measurement, to warm the API's connections and code and the workers'. */
const WARM_UP = 50;

const summarize = (ms: number[]): LatencySample => ({ n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms) });

export async function suppressionRun(pg: PgServer, accounts: number, senders: number): Promise<SuppressionRun> {
  const stack = await startStack(pg, { dbConnections: 30 });
  const gateway = createTemporalGateway({ address: stack.server.address, namespace: 'default', rpcTimeoutMs: 30_000 });
  const client = stack.temporal.client;
  const secret = 'bench-webhook-secret';
  const app = createApp({ db: stack.db, temporal: gateway, clock: () => new Date(), logger: pino({ level: 'silent' }), config: { ...defaultApiConfig(), webhookSecret: secret } });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const webhookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/webhooks/payments`;
  try {
    // A few more accounts than measured: their payments warm the API and the workers first (below).
    const warm = Math.min(WARM_UP, accounts);
    const all = await insertPortfolio(stack.db.sql, { accounts: accounts + warm, invoicesPerAccount: 1, mode: 'copilot' });
    // Each worker in a process of its own, as in production; the API (and the senders) stay here.
    const [worker, base] = await Promise.all([
      forkWorker({ kind: 'tactful', address: stack.server.address, databaseUrl: stack.db.url, outboxDir: stack.outbox.dir, maxCachedWorkflows: (accounts + warm) * 3 }),
      forkWorker({ kind: 'baseline', address: stack.server.address, maxCachedWorkflows: (accounts + warm) * 3 }),
    ]);
    await mapLimit(all, 50, (id) => gateway.factsChanged(id, { factsVersion: 1, change: 'invoice_upserted' }));
    const allHello = await mapLimit(all, 50, (_, i) => client.workflow.start(helloWorkflow, { taskQueue: base.taskQueue, workflowId: `hello-${i}` }));
    await waitUntil(
      'every account to have a draft waiting for approval',
      async () => Number((await stack.db.sql`select count(*) n from messages where status = 'pending_approval'`)[0].n) >= all.length,
      15 * 60_000,
      500,
    );
    const allWfIds = all.map(accountWorkflowId);
    // Quiet first: the workflow's last planning round after the draft must not overlap the measurement.
    await untilEveryTimerStarted(client, allWfIds, 'every account workflow to wait for a decision', 10 * 60_000, 1000);

    const refs = new Map((await stack.db.sql`select id, external_ref from accounts`).map((r) => [String(r.id), String(r.external_ref)]));
    // Interleaved, so both figures see the same background load.
    const paymentStart = new Map<string, number>();
    const signalStart = new Map<string, number>();
    const answeredMs: number[] = [];
    const pingMs: number[] = [];
    const payAndPing = (accountIds: readonly string[], from: number) =>
      mapLimit(accountIds, senders, async (accountId, j) => {
        const i = from + j;
        const now = new Date();
        const body = JSON.stringify({
          id: `evt-bench-${i}`,
          type: 'payment.received',
          occurredAt: now.toISOString(),
          data: { account: { externalRef: refs.get(accountId) }, amountCents: 50_000, method: 'ach', reference: `bench-${i}` },
        });
        paymentStart.set(accountId, Date.now());
        const res = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tactful-signature': signWebhook(secret, Math.floor(now.getTime() / 1000), body) },
          body,
        });
        const answer = (await res.json()) as { workflow?: { signaled?: boolean } };
        if (res.status !== 200 || !answer.workflow?.signaled) throw new Error(`the payment webhook for ${accountId} answered ${res.status}: ${JSON.stringify(answer)}`);
        const pinged = Date.now();
        answeredMs.push(pinged - paymentStart.get(accountId)!);
        signalStart.set(allHello[i].workflowId, pinged);
        await allHello[i].signal(pingSignal, 1);
        pingMs.push(Date.now() - pinged);
      });

    // Warm-up, not measured: a running API has its connections open and its statements prepared on
    // them (the first run of each statement on a connection costs one more round trip), and its code
    // compiled; so do the workers. The same path with the same senders, then quiet again.
    await Promise.all(Array.from({ length: 30 }, () => stack.db.sql`select pg_sleep(0.05)`));
    await payAndPing(all.slice(accounts), accounts);
    await waitUntil(
      'the warm-up payments to be handled',
      async () => (await histories(client, allWfIds.slice(accounts))).every((h) => quiet(h) && withdrawnAt(h) !== undefined),
      5 * 60_000,
      500,
    );
    answeredMs.length = 0;
    pingMs.length = 0;

    const ids = all.slice(0, accounts);
    const hello = allHello.slice(0, accounts);
    const wfIds = allWfIds.slice(0, accounts);
    await payAndPing(ids, 0);

    await waitUntil(
      'every draft to be withdrawn',
      async () => Number((await stack.db.sql`select count(*) n from messages where status = 'superseded'`)[0].n) >= all.length,
      10 * 60_000,
      500,
    );
    let hs: HistoryEvent[][] = [];
    await waitUntil(
      'every workflow to record the withdrawal',
      async () => (hs = await histories(client, wfIds)).every((h) => withdrawnAt(h) !== undefined),
      5 * 60_000,
      1000,
    );
    const paid = hs.map((h, i) => withdrawnAt(h)! - paymentStart.get(ids[i])!);
    const settled = hs.map(settledSignalIndex);
    const paymentToTask = hs.map((h, i) => signalToTask(h, settled[i]));
    const paymentWorker = hs.map((h, i) => taskStartToDone(h, settled[i]));
    if (process.env.BENCH_DEBUG) {
      const [h] = await histories(client, wfIds.slice(0, 1));
      const t0 = paymentStart.get(ids[0])!;
      console.error(h.filter((e) => eventMs(e) >= t0 - 10).map((e) => `${EventType[e.eventType!]}${e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''}@${eventMs(e) - t0}`).join('\n'));
    }
    const bh = await histories(client, hello.map((h) => h.workflowId));
    const pinged = bh.map((h) => h.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED));
    const signalled = bh.map((h, i) => afterFirst(h.slice(pinged[i]), () => true)! - signalStart.get(hello[i].workflowId)!);
    const pingToTask = bh.map((h, i) => signalToTask(h, pinged[i]));
    const pingWorker = bh.map((h, i) => taskStartToDone(h, pinged[i]));

    const states = await mapLimit(ids, 20, (id) => client.workflow.getHandle(accountWorkflowId(id)).query(stateQuery));
    const [{ sent }] = await stack.db.sql`select count(*)::int sent from outbox`;
    const [{ open }] = await stack.db.sql`select count(*)::int open from messages where status in ('pending_approval', 'approved')`;
    const verified = states.every((s) => s.balanceCents === 0 && s.pendingDraft === null) && sent === 0 && open === 0;
    const eagerActivities = await stack.server.counter('activity_eager_execution');
    await worker.stop();
    await base.stop();
    return {
      accounts,
      senders,
      payment: summarize(paid),
      signal: summarize(signalled),
      parts: { webhookAnswered: summarize(answeredMs), pingSignal: summarize(pingMs), paymentSignalToTask: summarize(paymentToTask), pingSignalToTask: summarize(pingToTask), paymentTaskStartedToDone: summarize(paymentWorker), pingTaskStartedToDone: summarize(pingWorker) },
      verified,
      eagerActivities,
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gateway.close();
    await stack.dispose();
  }
}
