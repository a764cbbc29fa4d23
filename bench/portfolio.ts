/**
 * Figure 2: N copilot accounts with five open invoices each. Time to start every workflow (the API's
 * signal-with-start) and until every account has its first draft waiting; then the worker's memory
 * per cached workflow (RSS growth over the cached workflows, after a GC), against sleeping hello
 * workflows measured the same way. Each worker runs in a fresh process of its own (bench/worker-process.ts).
 */
import { createTemporalGateway } from '../api/gateway';
import { accountWorkflowId } from '../workflows/account/definitions';
import { insertPortfolio } from './fixtures';
import { untilEveryTimerStarted } from './history';
import type { PgServer } from './infra';
import { startStack } from './stack';
import { mapLimit, waitUntil } from './stats';
import { forkWorker, type WorkerStatus } from './worker-process';
import { helloWorkflow } from './workflows';

export interface PortfolioRun {
  accounts: number;
  invoices: number;
  startSeconds: number;
  firstDraftsSeconds: number;
  accountKbPerWorkflow: { rss: number; heap: number };
  helloKbPerWorkflow: { rss: number; heap: number };
}

const perWorkflowKb = (before: WorkerStatus, after: WorkerStatus, n: number) => ({
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

    // Each worker in a fresh process of its own, so a figure is that worker's growth and nothing else's.
    const base = await forkWorker({ kind: 'baseline', address: stack.server.address, maxCachedWorkflows: cache.maxCachedWorkflows });
    const h0 = await base.status();
    const hello = await mapLimit(ids, 50, (_, i) => client.workflow.start(helloWorkflow, { taskQueue: base.taskQueue, workflowId: `hello-${i}` }));
    await waitUntil('every hello workflow to be cached', async () => (await base.cached()) >= accounts, 10 * 60_000, 500);
    const h1 = await base.status();
    await mapLimit(hello, 50, (h) => h.terminate());
    await base.stop();

    const worker = await forkWorker({ kind: 'tactful', address: stack.server.address, databaseUrl: stack.db.url, outboxDir: stack.outbox.dir, maxCachedWorkflows: cache.maxCachedWorkflows });
    const a0 = await worker.status();
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
    await waitUntil('every account workflow to be cached', async () => (await worker.cached()) >= accounts, 60_000, 500);
    const a1 = await worker.status();
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
