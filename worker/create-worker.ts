/**
 * Builds the Temporal worker from its dependencies. Used by the worker process, the tests and the
 * simulator, so all of them run exactly the same workflows and activities.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { createAccountActivities, type SafeDrafter } from '../activities/account/activities';
import type { Mailer } from '../activities/mail/mailer';
import { createReconcileActivities } from '../activities/reconcile';
import { createTemporalSignaller } from '../activities/signaller';
import { TASK_QUEUE } from '../workflows/account/definitions';

export interface WorkerDeps {
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  taskQueue?: string;
  db: Db;
  drafter: SafeDrafter;
  mailer: Mailer;
  clock?: () => Date;
  /** A prebuilt bundle (production); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  options?: Partial<WorkerOptions>;
}

export const DEFAULT_WORKFLOW_THREADS = 2;

export async function createTactfulWorker(deps: WorkerDeps): Promise<Worker> {
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const activities = {
    ...createAccountActivities({ db: deps.db, drafter: deps.drafter, mailer: deps.mailer }),
    ...createReconcileActivities({ db: deps.db, signaller: createTemporalSignaller(deps.client, taskQueue), clock: deps.clock }),
  };
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace ?? 'default',
    taskQueue,
    activities,
    // Two threads run the workflows' tasks, so an account's task does not wait behind another's: a
    // payment's round costs two workflow tasks, and with one thread they queued (figure 3 of
    // BENCHMARKS.md: a workflow task took 20 ms longer at p50 from pick-up to completion than the
    // no-op baseline's; with two, the same). The SDK's default is one when it reuses the V8 context.
    workflowThreadPoolSize: DEFAULT_WORKFLOW_THREADS,
    // An account's next workflow task goes first to the worker that ran its last one. When that worker
    // was killed, the server waits this long before offering the task to any worker: the SDK's 10 s
    // default held accounts for 16 s after a crash (chaos (b)); 2 s is still ample for a live worker.
    stickyQueueScheduleToStartTimeout: '2 seconds',
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    ...deps.options,
  });
}
