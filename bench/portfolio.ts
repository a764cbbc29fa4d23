/**
 * Figure 2: N copilot accounts with five open invoices each. Time to start every workflow (the API's
 * signal-with-start) and until every account has its first draft waiting; then the worker's memory
 * per cached workflow (RSS growth over the cached workflows, after a GC), against sleeping hello
 * workflows measured the same way in the same process.
 */
import vm from 'node:vm';
import v8 from 'node:v8';
import { createTemporalGateway } from '../api/gateway';
import { accountWorkflowId } from '../workflows/account/definitions';
import { insertPortfolio } from './fixtures';
import { untilEveryTimerStarted } from './history';
import { startBaselineWorker, startTactfulWorker, type PgServer } from './infra';
import { startStack } from './stack';
import { mapLimit, sleep, waitUntil } from './stats';
import { helloWorkflow } from './workflows';

export interface PortfolioRun {
  accounts: number;
  invoices: number;
  startSeconds: number;
  firstDraftsSeconds: number;
  accountKbPerWorkflow: { rss: number; heap: number };
  helloKbPerWorkflow: { rss: number; heap: number };
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function settledMemory(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

const perWorkflowKb = (before: { rss: number; heap: number }, after: { rss: number; heap: number }, n: number) => ({
  rss: (after.rss - before.rss) / n / 1024,
  heap: (after.heap - before.heap) / n / 1024,
});

export async function portfolioRun(pg: PgServer, accounts: number): Promise<PortfolioRun> {
  const stack = await startStack(pg, { dbConnections: 30 });
  const gateway = createTemporalGateway({ address: stack.server.address, namespace: 'default', rpcTimeoutMs: 60_000 });
  const client = stack.temporal.client;
  try {
    const ids = await insertPortfolio(stack.db.sql, { accounts, invoicesPerAccount: 5, mode: 'copilot' });
    // A cache big enough for every workflow: the figure is the cost of keeping them all in memory.
    const cache = { maxCachedWorkflows: accounts + 100 };

    const base = await startBaselineWorker(stack.temporal, cache);
    const h0 = await settledMemory();
    const hello = await mapLimit(ids, 50, (_, i) => client.workflow.start(helloWorkflow, { taskQueue: base.taskQueue, workflowId: `hello-${i}` }));
    await waitUntil('every hello workflow to be cached', async () => base.worker.getStatus().numCachedWorkflows >= accounts, 10 * 60_000, 500);
    const h1 = await settledMemory();
    await mapLimit(hello, 50, (h) => h.terminate());
    await base.stop();

    const worker = await startTactfulWorker(stack.temporal, stack.db, stack.outbox.mailer, cache);
    const a0 = await settledMemory();
    const t0 = Date.now();
    await mapLimit(ids, 50, (id) => gateway.factsChanged(id, { factsVersion: 1, change: 'invoice_upserted' }));
    const startSeconds = (Date.now() - t0) / 1000;
    await waitUntil(
      'every first draft',
      async () => Number((await stack.db.sql`select count(*) n from messages where status = 'pending_approval'`)[0].n) >= accounts,
      120 * 60_000,
      1000,
    );
    const firstDraftsSeconds = (Date.now() - t0) / 1000;
    await untilEveryTimerStarted(client, ids.map(accountWorkflowId), 'every account workflow to wait for a decision', 20 * 60_000, 2000);
    await waitUntil('every account workflow to be cached', async () => worker.worker.getStatus().numCachedWorkflows >= accounts, 60_000, 500);
    const a1 = await settledMemory();
    await worker.stop();
    return {
      accounts,
      invoices: accounts * 5,
      startSeconds,
      firstDraftsSeconds,
      accountKbPerWorkflow: perWorkflowKb(a0, a1, accounts),
      helloKbPerWorkflow: perWorkflowKb(h0, h1, accounts),
    };
  } finally {
    await gateway.close();
    await stack.dispose();
  }
}
