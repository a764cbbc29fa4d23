/**
 * How every transaction on an account's facts takes its locks, and what happens when PostgreSQL
 * gives one up to break a deadlock or a serialization conflict.
 *
 * Lock order (the one order every writer follows, so two writers of one account never wait on each
 * other in a circle):
 *   1. the idempotency key's advisory lock (ingestion only — a key belongs to one request);
 *   2. the account row, FOR UPDATE;
 *   3. then the rows hanging off it — invoices, payments, messages, outbox, call tasks — and the
 *      events appended last.
 * Inserting an event or a message takes a KEY SHARE lock on the account row through its foreign key;
 * a transaction that locked a message first and then wrote an event waited on the account while a
 * payment held the account and waited on the message: a deadlock that lost the payment (issue 19).
 * Taking the account row first turns that circle into a queue.
 */
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import * as t from './schema';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Step 2 of the lock order. Resolves to false when the account does not exist. */
export async function lockAccountRow(tx: Pick<Tx, 'execute'>, accountId: string): Promise<boolean> {
  const rows = await tx.execute(sql`select ${t.accounts.id} from ${t.accounts} where ${t.accounts.id} = ${accountId} for update`);
  return rows.length > 0;
}

/** serialization_failure and deadlock_detected: PostgreSQL rolled the transaction back and a rerun may pass. */
const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryableConflict(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A conflict that persisted through every rerun: nothing was recorded, and the caller may try again. */
export class ConflictPersistedError extends Error {
  constructor(
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`the write conflicted with a concurrent one ${attempts} times in a row and was not recorded`, options);
    this.name = 'ConflictPersistedError';
  }
}

export interface RetryOptions {
  /** Runs in all, the first included. */
  attempts?: number;
  /** First pause; doubled each time, with jitter so two rerunning writers do not collide again. */
  baseDelayMs?: number;
  /** Told of each rerun, for logs and counters. */
  onRetry?: (attempt: number, err: unknown) => void;
}

/**
 * Runs `attempt` (a whole transaction: a rolled-back transaction cannot be resumed, only rerun) until
 * it passes or fails for another reason. The rerun is safe because PostgreSQL has already rolled the
 * failed one back whole.
 */
export async function withConflictRetry<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 20;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetryableConflict(err)) throw err;
      if (i >= attempts) throw new ConflictPersistedError(i, { cause: err });
      options.onRetry?.(i, err);
      await new Promise((r) => setTimeout(r, base * 2 ** (i - 1) * (0.5 + Math.random())));
    }
  }
}
