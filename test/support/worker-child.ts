/**
 * A worker in its own process, for tests that kill it: the same createTactfulWorker as production,
 * with the SMTP mailer, against the test server and a test database. Configured through the
 * environment by worker-process.ts; prints "ready" once it polls.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { createSafeDrafter } from '../../activities/drafting/safe-drafter';
import { createSmtpMailer } from '../../activities/mail/mailer';
import { openDatabase } from '../../db/client';
import { createTemplateDrafter } from '../../domain/drafting/templates';
import { createTactfulWorker } from '../../worker/create-worker';

const Config = z.object({
  TEMPORAL_ADDRESS: z.string().min(1),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1),
  DATABASE_URL: z.string().url(),
  SMTP_URL: z.string().url(),
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
});

async function main(): Promise<void> {
  const config = Config.parse(process.env);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const database = openDatabase(config.DATABASE_URL, { max: 4 });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createTactfulWorker({
    connection,
    client: new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE }),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db: database.db,
    drafter: createSafeDrafter({ primary: createTemplateDrafter() }),
    mailer: createSmtpMailer(config.SMTP_URL),
    ...(config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } } : {}),
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
  await database.close();
  await clientConnection.close();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
