/** The worker's configuration, parsed once from the environment; nothing else reads process.env. */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_WORKFLOW_THREADS } from './create-worker';

const Config = z
  .object({
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('tactful-accounts'),
  SMTP_URL: z.string().url().optional(),
  OUTBOX_DIR: z.string().default(path.resolve(__dirname, '../.data/outbox')),
  /** The mailbox replies come back to; outgoing mail gets Reply-To: <local>+<account token>@<domain>. */
  REPLY_MAILBOX: z.email('REPLY_MAILBOX must be an email address').optional(),
  /** The reply mailbox over IMAP; the reader runs when IMAP_HOST is set. */
  IMAP_HOST: z.string().optional(),
  IMAP_PORT: z.coerce.number().int().min(1).max(65535).default(993),
  IMAP_SECURE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  IMAP_USER: z.string().optional(),
  IMAP_PASSWORD: z.string().optional(),
  IMAP_MAILBOX: z.string().default('INBOX'),
  IMAP_FOLDER_PREFIX: z.string().default('Tactful'),
  IMAP_POLL_SECONDS: z.coerce.number().int().min(5).default(60),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  RECONCILE_EVERY: z.string().default('2m'),
  WORKFLOW_THREADS: z.coerce.number().int('WORKFLOW_THREADS must be a whole number').min(1).max(16).default(DEFAULT_WORKFLOW_THREADS),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  })
  .refine((c) => !c.IMAP_HOST || (c.IMAP_USER && c.IMAP_PASSWORD), { message: 'IMAP_HOST needs IMAP_USER and IMAP_PASSWORD', path: ['IMAP_USER'] })
  .refine((c) => !c.IMAP_HOST || c.REPLY_MAILBOX, { message: 'IMAP_HOST needs REPLY_MAILBOX (the address replies come back to)', path: ['REPLY_MAILBOX'] });
export type WorkerConfig = z.infer<typeof Config>;

export function parseWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`The worker's configuration is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
