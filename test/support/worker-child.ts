/**
 * A worker in its own process, for tests that kill it: the same createTactfulWorker as production,
 * with the SMTP mailer, against the test server and a test database. Configured through the
 * environment by worker-process.ts; prints "ready" once it polls.
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { createSafeDrafter } from '../../activities/drafting/safe-drafter';
import { createSmtpMailer, type Mailer } from '../../activities/mail/mailer';
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
  /** Stop dead at this named point of the first send, for tests that kill the worker there. */
  TACTFUL_FAULT_POINT: z.enum(['before_smtp', 'after_smtp', 'before_record']).optional(),
  /** Stop at the fault point on every send, not only the first (chaos trials with many sends in flight). */
  TACTFUL_FAULT_EVERY: z.enum(['0', '1']).default('0'),
});

/**
 * The named points of a send where a crash matters. At `before_smtp` and `after_smtp` the child says
 * so and hangs until the test kills it; at `before_record` it kills itself the moment the SMTP server
 * has accepted, before the record's first statement can leave the process.
 */
function withFaultPoint(mailer: Mailer, point: z.infer<typeof Config>['TACTFUL_FAULT_POINT'], every: boolean): Mailer {
  if (!point) return mailer;
  let armed = true;
  const hang = () => new Promise<never>(() => {});
  return {
    transport: mailer.transport,
    async send(mail) {
      if (!armed) return mailer.send(mail);
      armed = every;
      if (point === 'before_smtp') {
        fs.writeSync(1, 'fault:before_smtp\n');
        return hang();
      }
      await mailer.send(mail);
      fs.writeSync(1, `fault:${point}\n`);
      if (point === 'before_record') process.kill(process.pid, 'SIGKILL');
      return hang();
    },
  };
}

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
    mailer: withFaultPoint(createSmtpMailer(config.SMTP_URL), config.TACTFUL_FAULT_POINT, config.TACTFUL_FAULT_EVERY === '1'),
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
