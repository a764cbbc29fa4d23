/**
 * Figure 1: state transitions per second of the escalation workflow against a workflow that runs one
 * no-op activity, on the same dev server. Each account is five days past due in autonomous mode, so
 * its workflow plans, drafts, sends the first reminder and goes to sleep at once, with no timer wait.
 */
import { createTemporalGateway } from '../api/gateway';
import { accountWorkflowId } from '../workflows/account/definitions';
import { insertPortfolio } from './fixtures';
import { EventType, eventMs, histories, lastOf, transitions } from './history';
import { startBaselineWorker, startTactfulWorker, type PgServer } from './infra';
import { startStack } from './stack';
import { mapLimit, waitUntil } from './stats';
import { noopActivityWorkflow } from './workflows';

export interface ThroughputSample {
  workflows: number;
  transitions: number;
  seconds: number;
  perSecond: number;
}

export interface EngineRun {
  escalation: ThroughputSample;
  baseline: ThroughputSample;
  transitionsPerEscalation: number;
}

const STARTERS = 50;

export async function engineRun(pg: PgServer, accounts: number): Promise<EngineRun> {
  const stack = await startStack(pg);
  const gateway = createTemporalGateway({ address: stack.server.address, namespace: 'default', rpcTimeoutMs: 30_000 });
  try {
    const ids = await insertPortfolio(stack.db.sql, { accounts, invoicesPerAccount: 1, mode: 'autonomous' });
    const worker = await startTactfulWorker(stack.temporal, stack.db, stack.outbox.mailer);
    const t0 = Date.now();
    await mapLimit(ids, STARTERS, (id) => gateway.factsChanged(id, { factsVersion: 1, change: 'invoice_upserted' }));
    await waitUntil(
      'every first reminder to be sent',
      async () => Number((await stack.db.sql`select count(*) n from outbox where status = 'sent'`)[0].n) >= accounts,
      10 * 60_000,
      250,
    );
    // Sent is not the end: the workflow plans once more and starts its timer for the next step.
    const wfIds = ids.map(accountWorkflowId);
    let hs = await histories(stack.temporal.client, wfIds);
    await waitUntil(
      'every workflow to go to sleep',
      async () => {
        hs = await histories(stack.temporal.client, wfIds);
        return hs.every((h) => lastOf(h, EventType.EVENT_TYPE_TIMER_STARTED));
      },
      5 * 60_000,
      500,
    );
    const end = Math.max(...hs.map((h) => eventMs(lastOf(h, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!)));
    const escTransitions = hs.reduce((s, h) => s + transitions(h), 0);
    await worker.stop();
    const escalation = sample(accounts, escTransitions, t0, end);

    // The baseline does a third of the work per workflow; three times as many keep the run as long.
    const n = accounts * 3;
    const base = await startBaselineWorker(stack.temporal);
    const b0 = Date.now();
    const handles = await mapLimit(Array.from({ length: n }, (_, i) => i), STARTERS, (i) =>
      stack.temporal.client.workflow.start(noopActivityWorkflow, { taskQueue: base.taskQueue, workflowId: `noop-${i}` }),
    );
    await Promise.all(handles.map((h) => h.result()));
    const bh = await histories(stack.temporal.client, handles.map((h) => h.workflowId));
    const bEnd = Math.max(...bh.map((h) => eventMs(h[h.length - 1])));
    await base.stop();
    return { escalation, baseline: sample(n, bh.reduce((s, h) => s + transitions(h), 0), b0, bEnd), transitionsPerEscalation: escTransitions / accounts };
  } finally {
    await gateway.close();
    await stack.dispose();
  }
}

function sample(workflows: number, count: number, start: number, end: number): ThroughputSample {
  const seconds = (end - start) / 1000;
  return { workflows, transitions: count, seconds, perSecond: count / seconds };
}
