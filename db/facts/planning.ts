/**
 * What the workflow's planning writes: a promise noticed kept or broken, a step skipped or blocked,
 * the list columns people see (stage, next action), and a question put to a manager. Never automatic
 * beyond that: a service pause or collections referral is only ever a recommendation.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, systemActor } from '../events';
import * as t from '../schema';
import { lockAccountRow } from '../transactions';
import type { Instant } from '../../domain/facts';
import type { PlannedStep } from '../../domain/policy/types';

/** A promise becomes kept or broken with time; the trail records the moment it was noticed, once. */
export async function settlePromise(db: Db, input: { accountId: string; promiseId: string; promisedDate: string; status: 'kept' | 'broken'; now: Instant }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const updated = await tx
      .update(t.promises)
      .set({ status: input.status, resolvedAt: new Date(input.now) })
      .where(and(eq(t.promises.id, input.promiseId), eq(t.promises.accountId, input.accountId), eq(t.promises.status, 'open')))
      .returning({ id: t.promises.id });
    if (updated.length === 0) return false;
    await appendEvent(tx, { accountId: input.accountId, type: `promise.${input.status}`, actor: systemActor, data: { promiseId: input.promiseId, promisedDate: input.promisedDate } });
    return true;
  });
}

/** A step the policy skipped this cycle (and why), recorded once per step and cycle. */
export async function recordSkip(db: Db, accountId: string, skip: { stepId: string; cycleKey: string } & Record<string, unknown>): Promise<void> {
  const [existing] = await db
    .select({ id: t.events.id })
    .from(t.events)
    .where(
      and(
        eq(t.events.accountId, accountId),
        eq(t.events.type, 'step.skipped'),
        sql`${t.events.data}->>'stepId' = ${skip.stepId} and ${t.events.data}->>'cycleKey' = ${skip.cycleKey}`,
      ),
    )
    .limit(1);
  if (!existing) await appendEvent(db, { accountId, type: 'step.skipped', actor: systemActor, data: { ...skip } });
}

/** The list columns people see, and the newest facts version the workflow has planned from. */
export async function showNextAction(db: Db, input: { accountId: string; stage: string | null; nextAction: string; at: Date | null; seenVersion: number }): Promise<void> {
  await db
    .update(t.accounts)
    .set({
      stage: input.stage,
      nextAction: input.nextAction,
      nextActionAt: input.at,
      workflowSeenVersion: sql`greatest(${t.accounts.workflowSeenVersion}, ${input.seenVersion})`,
    })
    .where(eq(t.accounts.id, input.accountId));
}

/** A step the workflow could not take (no contact to write to, a step missing from the policy). */
export async function recordBlockedStep(db: Db, input: { accountId: string; stepId: string; reason: string; now: Instant }): Promise<void> {
  await db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    await tx.update(t.accounts).set({ nextAction: `blocked:${input.stepId}`, nextActionAt: null }).where(eq(t.accounts.id, input.accountId));
    await appendEvent(tx, { accountId: input.accountId, type: 'step.blocked', actor: systemActor, data: { stepId: input.stepId, reason: input.reason, at: input.now } });
  });
}

/** Service pause and collections are never automatic: this only puts the question to a manager, once per cycle. */
export async function openRecommendation(db: Db, input: { accountId: string; step: PlannedStep; now: Instant }): Promise<void> {
  const kind = input.step.kind === 'collections' ? 'collections' : 'service_pause';
  await db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const [row] = await tx
      .insert(t.recommendations)
      .values({ accountId: input.accountId, kind, cycleKey: input.step.cycleKey, balanceCents: input.step.balanceCents, daysOverdue: input.step.daysPastDue, createdAt: new Date(input.now) })
      .onConflictDoNothing()
      .returning({ id: t.recommendations.id });
    if (!row) return;
    await appendEvent(tx, {
      accountId: input.accountId,
      type: 'recommendation.created',
      actor: systemActor,
      data: { recommendationId: row.id, kind, balanceCents: input.step.balanceCents, daysOverdue: input.step.daysPastDue, decision: 'manager' },
    });
  });
}
