/**
 * Call tasks in the facts: opened by the workflow with their prep sheet, claimed and released by
 * callers, rebuilt when the facts move, closed when the account is settled, and a caller's outcome —
 * whose promise or dispute follows the ledger's own rules (db/ledger.ts: the latest promise replaces
 * the open one; one open dispute per account). Every write locks the account row first.
 */
import { and, desc, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, systemActor, type EventActor } from '../events';
import { bumpFactsVersion, LedgerError, openDispute, recordPromise } from '../ledger';
import * as t from '../schema';
import { lockAccountRow } from '../transactions';
import type { Instant } from '../../domain/facts';
import type { CallOutcome } from '../../domain/messages';
import type { PlannedStep } from '../../domain/policy/types';
import { Errors, FactsRefused } from './refused';

/** Opens the step's call task with its first sheet; a second opening of the same step and cycle answers the first. */
export async function openCallTask(
  db: Db,
  input: { accountId: string; step: PlannedStep; at: Instant; now: Instant; sheet: Record<string, unknown> },
): Promise<{ callTaskId: string; created: boolean }> {
  return db.transaction(async (tx) => {
    if (!(await lockAccountRow(tx, input.accountId))) throw new FactsRefused(Errors.AccountNotFound, `account ${input.accountId} does not exist`);
    const [row] = await tx
      .insert(t.callTasks)
      .values({ accountId: input.accountId, stepId: input.step.stepId, cycleKey: input.step.cycleKey, dueAt: new Date(input.at), createdAt: new Date(input.now) })
      .onConflictDoNothing()
      .returning({ id: t.callTasks.id });
    if (!row) {
      const [existing] = await tx
        .select({ id: t.callTasks.id })
        .from(t.callTasks)
        .where(and(eq(t.callTasks.accountId, input.accountId), eq(t.callTasks.stepId, input.step.stepId), eq(t.callTasks.cycleKey, input.step.cycleKey)));
      return { callTaskId: existing.id, created: false };
    }
    await tx.insert(t.callSheets).values({ callTaskId: row.id, version: 1, sheet: input.sheet, source: 'facts' });
    await appendEvent(tx, {
      accountId: input.accountId,
      type: 'call.created',
      actor: systemActor,
      data: { callTaskId: row.id, stepId: input.step.stepId, dueAt: input.at, balanceCents: input.step.balanceCents },
    });
    return { callTaskId: row.id, created: true };
  });
}

/** The newest sheet of a call task, or null before the first. */
export async function latestCallSheet(db: Db, callTaskId: string): Promise<{ version: number; sheet: unknown } | null> {
  const [latest] = await db
    .select({ version: t.callSheets.version, sheet: t.callSheets.sheet })
    .from(t.callSheets)
    .where(eq(t.callSheets.callTaskId, callTaskId))
    .orderBy(desc(t.callSheets.version))
    .limit(1);
  return latest ?? null;
}

/** A newer sheet for an open call, built from newer facts; a concurrent rebuild of the same version is one row. */
export async function addCallSheet(db: Db, input: { callTaskId: string; version: number; sheet: Record<string, unknown> }): Promise<void> {
  await db.insert(t.callSheets).values({ callTaskId: input.callTaskId, version: input.version, sheet: input.sheet, source: 'facts' }).onConflictDoNothing();
}

/** A settled account's open call is closed with the reason; a call closed or logged meanwhile is left as it is. */
export async function closeSettledCallTask(db: Db, input: { accountId: string; callTaskId: string; reason: string; now: Instant }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const closed = await tx
      .update(t.callTasks)
      .set({ status: 'cancelled', outcome: 'paid', outcomeNotes: `Closed automatically: ${input.reason}.`, completedAt: new Date(input.now) })
      .where(and(eq(t.callTasks.id, input.callTaskId), eq(t.callTasks.accountId, input.accountId), eq(t.callTasks.status, 'open')))
      .returning({ id: t.callTasks.id });
    if (closed.length) await appendEvent(tx, { accountId: input.accountId, type: 'call.closed', actor: systemActor, data: { callTaskId: input.callTaskId, reason: input.reason } });
    return closed.length > 0;
  });
}

/**
 * A caller's outcome. A promise goes through the ledger's promise rule and a dispute through its
 * dispute rule, in this transaction (as savepoints), so a call, the API and a client's reply all make
 * the same facts; a second dispute reported while one is open stays in the call's log. The facts
 * version moves on either way: an unanswered call changes what the workflow does next.
 */
export async function recordCallOutcome(db: Db, input: { accountId: string; outcome: CallOutcome; actor: EventActor; userId: string | null; now: Instant }): Promise<{ factsVersion: number }> {
  const o = input.outcome;
  return db.transaction(async (tx) => {
    if (!(await lockAccountRow(tx, input.accountId))) throw new FactsRefused(Errors.AccountNotFound, `account ${input.accountId} does not exist`);
    const [task] = await tx
      .select()
      .from(t.callTasks)
      .where(and(eq(t.callTasks.id, o.callTaskId), eq(t.callTasks.accountId, input.accountId)))
      .for('update');
    if (!task) throw new FactsRefused(Errors.NoSuchCallTask, `call task ${o.callTaskId} does not exist on this account`);
    if (task.status !== 'open') {
      const [acc] = await tx.select({ v: t.accounts.factsVersion }).from(t.accounts).where(eq(t.accounts.id, input.accountId));
      return { factsVersion: acc.v };
    }
    const now = new Date(input.now);
    await tx
      .update(t.callTasks)
      .set({
        status: o.outcome === 'no_answer' ? 'open' : 'done',
        outcome: o.outcome,
        outcomeNotes: o.notes ?? null,
        promisedDate: o.outcome === 'promise' ? o.promisedDate : null,
        completedBy: input.userId,
        completedAt: o.outcome === 'no_answer' ? null : now,
      })
      .where(eq(t.callTasks.id, task.id));
    const via = { via: 'call', callTaskId: task.id };
    if (o.outcome === 'promise') {
      await recordPromise(tx, { accountId: input.accountId, promisedDate: o.promisedDate, amountCents: o.amountCents ?? null, note: o.notes ?? null, userId: input.userId, via, at: now }, input.actor);
    }
    if (o.outcome === 'dispute') {
      try {
        await openDispute(tx, { accountId: input.accountId, reason: o.reason, userId: input.userId, via, at: now }, input.actor);
      } catch (e) {
        if (!(e instanceof LedgerError && e.kind === 'conflict')) throw e;
      }
    }
    await appendEvent(tx, { accountId: input.accountId, type: 'call.logged', actor: input.actor, data: { callTaskId: task.id, outcome: o.outcome, notes: o.notes ?? null } });
    return { factsVersion: await bumpFactsVersion(tx, input.accountId, now) };
  });
}

/**
 * A caller puts an open call on their list. The guard in the update, not a read before it, decides a
 * race between two callers: false when someone else has it (or it is no longer open).
 */
export async function claimCall(db: Db, input: { accountId: string; callTaskId: string; userId: string; wasAssignedTo: string | null }, actor: EventActor): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const [row] = await tx
      .update(t.callTasks)
      .set({ assignedTo: input.userId })
      .where(and(eq(t.callTasks.id, input.callTaskId), eq(t.callTasks.status, 'open'), or(isNull(t.callTasks.assignedTo), eq(t.callTasks.assignedTo, input.userId))))
      .returning({ id: t.callTasks.id });
    if (row && input.wasAssignedTo !== input.userId) await appendEvent(tx, { accountId: input.accountId, type: 'call.claimed', actor, data: { callTaskId: input.callTaskId } });
    return Boolean(row);
  });
}

/** Hands a claimed call back to everyone, if it is still held by the caller the request saw. */
export async function releaseCall(db: Db, input: { accountId: string; callTaskId: string; from: string; fromName: string | null }, actor: EventActor): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const [row] = await tx
      .update(t.callTasks)
      .set({ assignedTo: null })
      .where(and(eq(t.callTasks.id, input.callTaskId), eq(t.callTasks.assignedTo, input.from)))
      .returning({ id: t.callTasks.id });
    if (row) await appendEvent(tx, { accountId: input.accountId, type: 'call.released', actor, data: { callTaskId: input.callTaskId, from: input.fromName } });
    return Boolean(row);
  });
}

/** The name a call sheet gives its caller. */
export async function userName(db: Db, userId: string): Promise<string | null> {
  const [u] = await db.select({ name: t.users.name }).from(t.users).where(eq(t.users.id, userId));
  return u?.name ?? null;
}
