/**
 * The worker process: the composition root that reads config, builds the dependencies (database,
 * drafter, mailer) and runs the account workflows. It also makes sure the reconciler schedule exists.
 */
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { createOpenAiDrafter } from '../activities/drafting/openai-drafter';
import { createSafeDrafter } from '../activities/drafting/safe-drafter';
import { createOutboxMailer, createSmtpMailer } from '../activities/mail/mailer';
import { replyAddressFor } from '../db/replies';
import { startReplyService } from '../activities/replies/service';
import { createTemporalSignaller } from '../activities/signaller';
import { openDatabase, surviveDriverWriteAfterClose } from '../db/client';
import { createTemplateDrafter } from '../domain/drafting/templates';
import { parseWorkerConfig } from './config';
import { createTactfulWorker } from './create-worker';

export const RECONCILER_SCHEDULE_ID = 'tactful-reconciler';

async function main(): Promise<void> {
  let config: ReturnType<typeof parseWorkerConfig>;
  try {
    config = parseWorkerConfig(process.env);
  } catch (err) {
    console.error((err as Error).message);
    // EX_CONFIG: npm start's supervisor does not restart a process that cannot start as configured.
    process.exit(78);
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { process: 'worker' } });
  const database = openDatabase(config.DATABASE_URL);

  const drafter = createSafeDrafter({
    primary: config.OPENAI_API_KEY
      ? createOpenAiDrafter({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS })
      : createTemplateDrafter(),
  });
  const replyMailbox = config.REPLY_MAILBOX;
  const replyTo = replyMailbox ? (accountId: string) => replyAddressFor(database.db, accountId, replyMailbox) : undefined;
  const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL, { replyTo }) : createOutboxMailer(config.OUTBOX_DIR, { replyTo });
  logger.info({ drafter: config.OPENAI_API_KEY ? `openai:${config.OPENAI_MODEL}` : 'template', mailer: mailer.transport }, 'dependencies ready');

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });

  const worker = await createTactfulWorker({
    connection,
    client,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db: database.db,
    drafter,
    mailer,
    options: { workflowThreadPoolSize: config.WORKFLOW_THREADS },
  });

  try {
    await client.schedule.create({
      scheduleId: RECONCILER_SCHEDULE_ID,
      spec: { intervals: [{ every: config.RECONCILE_EVERY }] },
      action: { type: 'startWorkflow', workflowType: 'reconcilerWorkflow', taskQueue: config.TEMPORAL_TASK_QUEUE, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    logger.info({ every: config.RECONCILE_EVERY }, 'reconciler schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  // A first pass right away, so accounts seeded or written while no worker ran are picked up now — with
  // no grace period: the schedule's grace leaves alone accounts written in the last minute (their writer
  // signals them itself), which at start-up is every account just seeded, and the demo then stayed
  // silent until the schedule's next round. A second signal of the same facts version changes nothing.
  await client.workflow.start('reconcilerWorkflow', {
    workflowId: `${RECONCILER_SCHEDULE_ID}-startup-${Date.now()}`,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ graceSeconds: 0 }],
  });

  const replies = config.REPLY_MAILBOX
    ? startReplyService(
        database.db,
        {
          mailbox: config.REPLY_MAILBOX,
          holdCheckMs: 60_000,
          imap: config.IMAP_HOST
            ? { host: config.IMAP_HOST, port: config.IMAP_PORT, secure: config.IMAP_SECURE, user: config.IMAP_USER!, pass: config.IMAP_PASSWORD!, mailbox: config.IMAP_MAILBOX, pollMs: config.IMAP_POLL_SECONDS * 1000, folderPrefix: config.IMAP_FOLDER_PREFIX }
            : undefined,
          model:
            config.OPENAI_API_KEY || config.OPENAI_BASE_URL
              ? { apiKey: config.OPENAI_API_KEY ?? 'none', baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS }
              : undefined,
        },
        createTemporalSignaller(client, config.TEMPORAL_TASK_QUEUE).send,
        (msg, data) => logger.info(data ?? {}, msg),
      )
    : null;
  if (replies) logger.info({ mailbox: config.REPLY_MAILBOX, imap: config.IMAP_HOST ?? null }, 'reading client replies');

  const stop = () => {
    void replies?.stop();
    worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker polling');
  await worker.run();
  await database.close();
  await clientConnection.close();
  await connection.close();
}

surviveDriverWriteAfterClose((message) => console.error(message));
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
