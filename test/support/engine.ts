/** Builds the real worker (workflows + activities) against a test database, SMTP peer or outbox. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { SafeDrafter } from '../../activities/account/activities';
import { createOutboxMailer, type Mailer } from '../../activities/mail/mailer';
import { createSafeDrafter } from '../../activities/drafting/safe-drafter';
import { createTemplateDrafter } from '../../domain/drafting/templates';
import { createTactfulWorker } from '../../worker/create-worker';
import type { TestDatabase } from './db';

/** The offline default: templates through the same safe drafter production uses. */
export const templateDrafter: SafeDrafter = createSafeDrafter({ primary: createTemplateDrafter() });

export function tempOutbox(): { dir: string; mailer: Mailer; files(): string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-outbox-'));
  return { dir, mailer: createOutboxMailer(dir), files: () => fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) };
}

let queueCounter = 0;

export async function createTestWorker(
  env: TestWorkflowEnvironment,
  t: TestDatabase,
  options: { mailer: Mailer; drafter?: SafeDrafter; taskQueue?: string },
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = options.taskQueue ?? `test-${process.pid}-${++queueCounter}`;
  const worker = await createTactfulWorker({
    connection: env.nativeConnection,
    client: env.client,
    namespace: env.namespace ?? 'default',
    taskQueue,
    db: t.db,
    drafter: options.drafter ?? templateDrafter,
    mailer: options.mailer,
  });
  return { worker, taskQueue };
}
