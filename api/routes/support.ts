/** Small helpers the route modules share. */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { WorkflowNotice } from '../../domain/api/common';
import type { FactsChanged } from '../../domain/messages';
import type { AppDeps } from '../deps';
import type { Principal } from '../auth/principal';
import type { Executor } from '../../db/facts';
import { problems } from '../problems';
import type { AuthedCtx } from '../routing';
import { z } from 'zod';
import { Uuid } from '../../domain/api/common';

export const IdParams = z.strictObject({ id: Uuid });

export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const NOT_SIGNALED =
  'Saved. The workflow engine is unreachable right now, so the follow-up plan will catch up automatically when it is back.';

/**
 * The fact is already committed; telling the workflow is best effort. If Temporal is down the
 * reconciler re-signals every account whose facts version the workflow has not seen.
 */
export async function signalFacts(
  deps: AppDeps,
  accountId: string,
  factsVersion: number,
  change: FactsChanged['change'],
  actor?: FactsChanged['actor'],
  /** The balance the write left, when the caller has it: saves reading it again. */
  known?: { balanceCents: number },
): Promise<WorkflowNotice> {
  try {
    const balance = known ? known.balanceCents : (await deps.db.db.select({ balance: t.accounts.balanceCents }).from(t.accounts).where(eq(t.accounts.id, accountId)))[0]?.balance;
    const settled = balance === 0;
    await deps.temporal.factsChanged(accountId, { factsVersion, change, ...(actor ? { actor } : {}), ...(settled ? { settled } : {}) });
    return { signaled: true };
  } catch (err) {
    deps.logger.warn({ err, accountId, factsVersion, change }, 'fact stored but the workflow was not signaled');
    return { signaled: false, message: NOT_SIGNALED };
  }
}

/** Callers work the call list: they may touch an account while it has an open call for them (or nobody), or for a week after they logged a call on it. */
export async function callerMayTouchAccount(db: Executor, userId: string, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ one: sql`1` })
    .from(t.callTasks)
    .where(
      and(
        eq(t.callTasks.accountId, accountId),
        or(
          and(eq(t.callTasks.status, 'open'), or(eq(t.callTasks.assignedTo, userId), isNull(t.callTasks.assignedTo))),
          // The caller who just logged a call may still see the account it changed, for a week.
          and(eq(t.callTasks.completedBy, userId), sql`${t.callTasks.completedAt} > now() - interval '7 days'`),
        ),
      ),
    )
    .limit(1);
  return Boolean(row);
}

/** Loads the account or answers 404, then applies the object-level rule for callers. */
export async function accountFor(ctx: AuthedCtx<unknown, unknown, unknown>, accountId: string): Promise<t.Account> {
  const [acc] = await ctx.deps.db.db.select().from(t.accounts).where(eq(t.accounts.id, accountId));
  if (!acc) throw problems.notFound('This account');
  await assertAccountAccess(ctx, acc.id);
  return acc;
}

export async function assertAccountAccess(ctx: AuthedCtx<unknown, unknown, unknown>, accountId: string): Promise<void> {
  const p: Principal = ctx.principal;
  if (p.kind === 'user' && p.role === 'caller' && !(await callerMayTouchAccount(ctx.deps.db.db, p.id, accountId)))
    await ctx.refuse('callers may only work accounts on their own call list', accountId);
}

export const userIdOf = (p: Principal) => (p.kind === 'user' ? p.id : null);
