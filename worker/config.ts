/** The worker's configuration, parsed once from the environment; nothing else reads process.env. */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_WORKFLOW_THREADS } from './create-worker';

const Config = z.object({
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('tactful-accounts'),
  SMTP_URL: z.string().url().optional(),
  OUTBOX_DIR: z.string().default(path.resolve(__dirname, '../.data/outbox')),
  /** The mailbox replies come back to; outgoing mail gets Reply-To: <local>+<account token>@<domain>. */
  REPLY_MAILBOX: z.email('REPLY_MAILBOX must be an email address').optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  RECONCILE_EVERY: z.string().default('2m'),
  WORKFLOW_THREADS: z.coerce.number().int('WORKFLOW_THREADS must be a whole number').min(1).max(16).default(DEFAULT_WORKFLOW_THREADS),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});
export type WorkerConfig = z.infer<typeof Config>;

export function parseWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`The worker's configuration is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
