/**
 * Planning: load the facts, let the policy decide, keep the list columns people see current, and turn
 * a step that needs no message into its call task or manager recommendation.
 * Times come from the workflow (`now`), never from this process's clock: the workflow's time is the
 * one the policy reasons in, and on the time-skipping test server it is not the wall clock.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent, systemActor } from '../../db/events';
import { lockAccountRow } from '../../db/transactions';
import * as t from '../../db/schema';
import type { Instant, Mode } from '../../domain/facts';
import { buildCallSheet } from '../../domain/drafting/call-sheet';
import { localDate } from '../../domain/calendar';
import { nextAction } from '../../domain/policy/next-action';
import type { NextAction, PlannedStep } from '../../domain/policy/types';
import type { LoadedAccount } from '../../db/account-facts';
import { loadOrFail, type PendingDraftRef } from './shared';

export interface Plan {
  found: boolean;
  factsVersion: number;
  mode: Mode;
  next: NextAction;
  sendWindow: { timeZone: string; businessHours: LoadedAccount['facts']['businessHours']; holidays: string[] };
  approvalDeadlineHours: number;
  balanceCents: number;
  promise: { promisedDate: string; status: string } | null;
  disputeOpen: boolean;
  paused: boolean;
  /** Set when the waiting draft no longer says what is true: why it must be withdrawn. */
  withdrawReason?: string;
}

export function createPlanningActivities({ db }: { db: Db }) {
  const load = (accountId: string, now: Date) => loadOrFail(db, accountId, now);

  /** Promises become kept or broken with time; the trail records the moment it was noticed. */
  async function settlePromises(loaded: LoadedAccount, now: Instant): Promise<boolean> {
    const { facts, policy } = loaded;
    const today = localDate(now, facts.timeZone);
    const openBalance = facts.invoices.filter((i) => i.status === 'open').reduce((s, i) => s + i.balanceCents, 0);
    let changed = false;
    for (const p of facts.promises.filter((x) => x.status === 'open')) {
      const paidSince = facts.payments.filter((x) => x.receivedAt >= p.createdAt).reduce((s, x) => s + x.amountCents, 0);
      const kept = openBalance === 0 || (p.amountCents != null && paidSince >= p.amountCents);
      const graceEnd = new Date(`${p.promisedDate}T00:00:00Z`).getTime() + (policy.rules.promiseGraceDays + 1) * 86_400_000;
      const broken = !kept && new Date(`${today}T00:00:00Z`).getTime() >= graceEnd;
      if (!kept && !broken) continue;
      const status = kept ? 'kept' : 'broken';
      await db.transaction(async (tx) => {
        await lockAccountRow(tx, facts.accountId);
        const updated = await tx
          .update(t.promises)
          .set({ status, resolvedAt: new Date(now) })
          .where(and(eq(t.promises.id, p.id), eq(t.promises.status, 'open')))
          .returning({ id: t.promises.id });
        if (updated.length === 0) return;
        await appendEvent(tx, { accountId: facts.accountId, type: `promise.${status}`, actor: systemActor, data: { promiseId: p.id, promisedDate: p.promisedDate } });
      });
      p.status = status;
      changed = true;
    }
    return changed;
  }

  /** The caller named on a sheet: the person the task is assigned to, else the installation's sender. */
  async function callerFor(loaded: LoadedAccount, assignedTo: string | null): Promise<{ name: string; company: string }> {
    const company = loaded.settings.sender_identity.company;
    if (assignedTo) {
      const [u] = await db.select({ name: t.users.name }).from(t.users).where(eq(t.users.id, assignedTo));
      if (u) return { name: u.name, company };
    }
    return { name: loaded.settings.sender_identity.name, company };
  }

  async function sentMessages(accountId: string) {
    const rows = await db
      .select({ stepId: t.messages.stepId, cycleKey: t.messages.cycleKey, sentAt: t.messages.sentAt, subject: t.messages.subject })
      .from(t.messages)
      .where(and(eq(t.messages.accountId, accountId), eq(t.messages.status, 'sent')));
    return rows.filter((m) => m.sentAt).map((m) => ({ stepId: m.stepId, cycleKey: m.cycleKey, sentAt: m.sentAt!.toISOString(), subject: m.subject }));
  }

  function callSheetFor(loaded: LoadedAccount, step: PlannedStep, now: Instant, caller: { name: string; company: string }, earlierMessages: Awaited<ReturnType<typeof sentMessages>>) {
    return { ...buildCallSheet({ facts: loaded.facts, step, now, caller, earlierMessages, lateFees: loaded.settings.late_fees }), factsVersion: loaded.factsVersion };
  }

  /**
   * Open call tasks follow the facts: a settled account closes them with the reason, and any other
   * change of the facts rebuilds the sheet, so a caller never opens with an amount that was paid.
   */
  async function followCallTasks(loaded: LoadedAccount, now: Instant): Promise<void> {
    const { facts, openCallTasks: open } = loaded;
    if (open.length === 0) return;
    const owed = facts.invoices.filter((i) => i.status === 'open' && i.balanceCents > 0);
    if (owed.length === 0) {
      const lastPayment = [...facts.payments].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0];
      const reason = lastPayment
        ? `a payment received on ${localDate(lastPayment.receivedAt, facts.timeZone)} settled the account: nothing is owed`
        : 'the account was settled: nothing is owed';
      for (const task of open) {
        await db.transaction(async (tx) => {
          const closed = await tx
            .update(t.callTasks)
            .set({ status: 'cancelled', outcome: 'paid', outcomeNotes: `Closed automatically: ${reason}.`, completedAt: new Date(now) })
            .where(and(eq(t.callTasks.id, task.id), eq(t.callTasks.status, 'open')))
            .returning({ id: t.callTasks.id });
          if (closed.length) await appendEvent(tx, { accountId: facts.accountId, type: 'call.closed', actor: systemActor, data: { callTaskId: task.id, reason } });
        });
      }
      return;
    }
    let earlier: Awaited<ReturnType<typeof sentMessages>> | undefined;
    for (const task of open) {
      const [latest] = await db
        .select({ version: t.callSheets.version, sheet: t.callSheets.sheet })
        .from(t.callSheets)
        .where(eq(t.callSheets.callTaskId, task.id))
        .orderBy(desc(t.callSheets.version))
        .limit(1);
      if (latest && (latest.sheet as { factsVersion?: number }).factsVersion === loaded.factsVersion) continue;
      earlier ??= await sentMessages(facts.accountId);
      const step: PlannedStep = {
        stepId: task.stepId,
        kind: 'call',
        channel: 'call_task',
        tone: 'neutral',
        cycleKey: task.cycleKey,
        invoiceIds: owed.map((i) => i.id),
        balanceCents: owed.reduce((sum, i) => sum + i.balanceCents, 0),
        daysPastDue: 0,
        sensitiveReasons: [],
      };
      const sheet = callSheetFor(loaded, step, now, await callerFor(loaded, task.assignedTo), earlier);
      await db
        .insert(t.callSheets)
        .values({ callTaskId: task.id, version: (latest?.version ?? 0) + 1, sheet, source: 'facts' })
        .onConflictDoNothing();
    }
  }

  async function recordSkips(accountId: string, next: NextAction): Promise<void> {
    for (const s of next.skipped) {
      const [existing] = await db
        .select({ id: t.events.id })
        .from(t.events)
        .where(
          and(
            eq(t.events.accountId, accountId),
            eq(t.events.type, 'step.skipped'),
            sql`${t.events.data}->>'stepId' = ${s.stepId} and ${t.events.data}->>'cycleKey' = ${s.cycleKey}`,
          ),
        )
        .limit(1);
      if (!existing) await appendEvent(db, { accountId, type: 'step.skipped', actor: systemActor, data: { ...s } });
    }
  }

  function describeNext(next: NextAction): { stage: string | null; nextAction: string; at: Date | null } {
    if (next.type === 'act') return { stage: next.step.kind, nextAction: next.step.stepId, at: new Date(next.at) };
    if (next.type === 'wait') return { stage: null, nextAction: `wait:${next.reason}`, at: new Date(next.until) };
    return { stage: null, nextAction: `idle:${next.reason}`, at: null };
  }

  function withdrawReasonFor(pending: PendingDraftRef, next: NextAction, draftAmount: number): string | undefined {
    if (next.type === 'idle') {
      const reasons: Record<string, string> = {
        no_open_balance: 'the account has paid: nothing is owed any more',
        dispute_open: 'a dispute was opened: automation stops until a person resolves it',
        paused: 'a manager paused follow-up for this account',
        escalation_complete: 'no step applies any more',
      };
      return reasons[next.reason];
    }
    if (next.type === 'wait') {
      return next.reason === 'promise_open' ? 'the client promised to pay: escalation waits for that date' : undefined;
    }
    if (next.step.cycleKey !== pending.cycleKey) return 'a payment settled the invoice this draft is about';
    if (next.step.stepId !== pending.stepId) return `a later step (${next.step.stepId}) is now due instead`;
    if (next.step.balanceCents !== draftAmount) return 'a payment changed the balance this draft states';
    return undefined;
  }

  return {
    /** Loads the facts, lets the policy decide, and writes the list columns people see. */
    async planNextAction(input: { accountId: string; now: Instant; pending?: PendingDraftRef | null }): Promise<Plan> {
      const now = new Date(input.now);
      let loaded = await load(input.accountId, now);
      if (await settlePromises(loaded, input.now)) loaded = await load(input.accountId, now);
      await followCallTasks(loaded, input.now);
      const { facts, policy } = loaded;
      const next = nextAction({ policy, facts, now: input.now });
      await recordSkips(facts.accountId, next);

      let withdrawReason: string | undefined;
      if (input.pending) {
        const [msg] = await db.select({ amountCents: t.messages.amountCents }).from(t.messages).where(eq(t.messages.id, input.pending.messageId));
        withdrawReason = msg ? withdrawReasonFor(input.pending, next, msg.amountCents) : 'the draft no longer exists';
      }

      const balanceCents = facts.invoices.filter((i) => i.status === 'open').reduce((s, i) => s + i.balanceCents, 0);
      const shown = input.pending && !withdrawReason ? { stage: null, nextAction: `approval:${input.pending.stepId}`, at: null } : describeNext(next);
      await db
        .update(t.accounts)
        .set({
          stage: shown.stage ?? (input.pending && !withdrawReason ? input.pending.stepId : null),
          nextAction: shown.nextAction,
          nextActionAt: shown.at,
          workflowSeenVersion: sql`greatest(${t.accounts.workflowSeenVersion}, ${loaded.factsVersion})`,
        })
        .where(eq(t.accounts.id, facts.accountId));

      const promise = facts.promises.filter((p) => p.status === 'open').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      return {
        found: true,
        factsVersion: loaded.factsVersion,
        mode: facts.mode,
        next,
        sendWindow: { timeZone: facts.timeZone, businessHours: facts.businessHours, holidays: facts.holidays },
        approvalDeadlineHours: policy.rules.approvalDeadlineHours,
        balanceCents,
        promise: promise ? { promisedDate: promise.promisedDate, status: promise.status } : null,
        disputeOpen: facts.disputes.some((d) => d.status === 'open'),
        paused: facts.paused,
        withdrawReason,
      };
    },

    /** A step the workflow could not take (no contact to write to, a step missing from the policy). */
    async recordBlockedStep(input: { accountId: string; stepId: string; reason: string; now: Instant }): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.update(t.accounts).set({ nextAction: `blocked:${input.stepId}`, nextActionAt: null }).where(eq(t.accounts.id, input.accountId));
        await appendEvent(tx, { accountId: input.accountId, type: 'step.blocked', actor: systemActor, data: { stepId: input.stepId, reason: input.reason, at: input.now } });
      });
    },

    async createCallTask(input: { accountId: string; step: PlannedStep; at: Instant; now: Instant }): Promise<{ callTaskId: string }> {
      const loaded = await load(input.accountId, new Date(input.now));
      const [caller, earlier] = await Promise.all([callerFor(loaded, null), sentMessages(input.accountId)]);
      return db.transaction(async (tx) => {
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
          return { callTaskId: existing.id };
        }
        const sheet = callSheetFor(loaded, input.step, input.now, caller, earlier);
        await tx.insert(t.callSheets).values({ callTaskId: row.id, version: 1, sheet, source: 'facts' });
        await appendEvent(tx, {
          accountId: input.accountId,
          type: 'call.created',
          actor: systemActor,
          data: { callTaskId: row.id, stepId: input.step.stepId, dueAt: input.at, balanceCents: input.step.balanceCents },
        });
        return { callTaskId: row.id };
      });
    },

    /** Service pause and collections are never automatic: this only puts the question to a manager. */
    async recordRecommendation(input: { accountId: string; step: PlannedStep; now: Instant }): Promise<void> {
      const kind = input.step.kind === 'collections' ? 'collections' : 'service_pause';
      await db.transaction(async (tx) => {
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
    },
  };
}

export type PlanningActivities = ReturnType<typeof createPlanningActivities>;
