/**
 * What the account activity groups share: their dependencies, the account loader that turns a missing
 * account into a non-retryable failure, how a refused fact write becomes one, and how a workflow's
 * actor becomes an event's actor.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import { systemActor, type EventActor } from '../../db/events';
import { FactsRefused, loadAccount, type LoadedAccount } from '../../db/facts';
import type { DraftInput, DraftResult } from '../../domain/drafting/types';
import { Errors, type Actor } from '../../domain/messages';
import type { Mailer } from '../mail/mailer';

export interface SafeDrafter {
  draft(input: DraftInput): Promise<DraftResult>;
}

export interface AccountActivityDeps {
  db: Db;
  drafter: SafeDrafter;
  mailer: Mailer;
}

export interface PendingDraftRef {
  messageId: string;
  stepId: string;
  cycleKey: string;
}

export const toActor = (a?: Actor): EventActor => (a ? { type: a.type, id: a.id ?? null, name: a.name ?? null } : systemActor);
export const userId = (a?: Actor) => (a?.type === 'user' && a.id && /^[0-9a-f-]{36}$/i.test(a.id) ? a.id : null);

/** A refusal no retry can change (db/facts FactsRefused) fails the activity for good, with its code. */
export async function refusedAsFailure<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof FactsRefused) throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true });
    throw e;
  }
}

export async function loadOrFail(db: Db, accountId: string, now: Date): Promise<LoadedAccount> {
  const loaded = await loadAccount(db, accountId, now);
  if (!loaded) {
    throw ApplicationFailure.create({ type: Errors.AccountNotFound, message: `account ${accountId} does not exist`, nonRetryable: true });
  }
  return loaded;
}

/**
 * Tells Temporal every second that an activity is alive, so a worker killed mid-activity is noticed
 * within the heartbeat timeout (workflows/account/workflow.ts). Outside an activity (tests calling the
 * function directly) there is no one to tell.
 */
export function heartbeating(): { stop(): void } {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return { stop() {} };
  }
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), 1_000);
  return { stop: () => clearInterval(timer) };
}
