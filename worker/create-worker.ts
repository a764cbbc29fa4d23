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
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    ...deps.options,
  });
}
