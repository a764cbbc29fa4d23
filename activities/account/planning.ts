/**
 * Planning: load the facts, let the policy decide, keep the list columns people see current, and turn
 * a step that needs no message into its call task or manager recommendation.
 * Times come from the workflow (`now`), never from this process's clock: the workflow's time is the
 * one the policy reasons in, and on the time-skipping test server it is not the wall clock.
 */
import type { Db } from '../../db/client';
import * as store from '../../db/facts';
import type { Instant, Mode } from '../../domain/facts';
import { buildCallSheet } from '../../domain/drafting/call-sheet';
import { localDate } from '../../domain/calendar';
import { nextAction } from '../../domain/policy/next-action';
import type { NextAction, PlannedStep } from '../../domain/policy/types';
import { loadOrFail, refusedAsFailure, type PendingDraftRef } from './shared';

type LoadedAccount = store.LoadedAccount;

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
  /** A client's routine question whose answer is to be drafted (only when no draft is waiting). */
  answer?: { replyId: string } | null;
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
      await store.settlePromise(db, { accountId: facts.accountId, promiseId: p.id, promisedDate: p.promisedDate, status, now });
      p.status = status;
      changed = true;
    }
    return changed;
  }

  /** The caller named on a sheet: the person the task is assigned to, else the installation's sender. */
  async function callerFor(loaded: LoadedAccount, assignedTo: string | null): Promise<{ name: string; company: string }> {
    const company = loaded.settings.sender_identity.company;
    if (assignedTo) {
      const name = await store.userName(db, assignedTo);
      if (name) return { name, company };
    }
    return { name: loaded.settings.sender_identity.name, company };
  }

  const sentMessages = (accountId: string) => store.sentMessagesOf(db, accountId);

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
        await store.closeSettledCallTask(db, { accountId: facts.accountId, callTaskId: task.id, reason, now });
      }
      return;
    }
    let earlier: Awaited<ReturnType<typeof sentMessages>> | undefined;
    for (const task of open) {
      const latest = await store.latestCallSheet(db, task.id);
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
      await store.addCallSheet(db, { callTaskId: task.id, version: (latest?.version ?? 0) + 1, sheet });
    }
  }

  async function recordSkips(accountId: string, next: NextAction): Promise<void> {
    for (const skip of next.skipped) await store.recordSkip(db, accountId, { ...skip });
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
      if (next.reason === 'promise_open') return 'the client promised to pay: escalation waits for that date';
      if (next.reason === 'reply_hold') return 'the client replied: written reminders wait (see the reply)';
      return undefined;
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

      const balanceCents = facts.invoices.filter((i) => i.status === 'open').reduce((s, i) => s + i.balanceCents, 0);
      let withdrawReason: string | undefined;
      if (input.pending) {
        const amountCents = await store.draftAmount(db, input.pending.messageId);
        withdrawReason =
          amountCents === null
            ? 'the draft no longer exists'
            : store.isAnswer(input.pending)
              ? // An answer is about the facts, not a step: only a balance it no longer states makes it untrue.
                amountCents !== balanceCents
                ? store.ANSWER_STALE
                : undefined
              : withdrawReasonFor(input.pending, next, amountCents);
      }
      const answer = input.pending ? null : await store.questionToAnswer(db, facts.accountId);

      const shown = input.pending && !withdrawReason ? { stage: null, nextAction: `approval:${input.pending.stepId}`, at: null } : describeNext(next);
      await store.showNextAction(db, {
        accountId: facts.accountId,
        stage: shown.stage ?? (input.pending && !withdrawReason ? input.pending.stepId : null),
        nextAction: shown.nextAction,
        at: shown.at,
        seenVersion: loaded.factsVersion,
      });

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
        answer,
      };
    },

    /** Drafting a question's answer failed for good: the reply goes to a person with the reason. */
    async answerFailed(input: { accountId: string; replyId: string; reason: string }): Promise<void> {
      await store.answerNotPossible(db, { accountId: input.accountId, replyId: input.replyId, why: `drafting the answer failed (${input.reason})` });
    },

    /** A step the workflow could not take (no contact to write to, a step missing from the policy). */
    async recordBlockedStep(input: { accountId: string; stepId: string; reason: string; now: Instant }): Promise<void> {
      await store.recordBlockedStep(db, input);
    },

    async createCallTask(input: { accountId: string; step: PlannedStep; at: Instant; now: Instant }): Promise<{ callTaskId: string }> {
      const loaded = await load(input.accountId, new Date(input.now));
      const [caller, earlier] = await Promise.all([callerFor(loaded, null), sentMessages(input.accountId)]);
      const sheet = callSheetFor(loaded, input.step, input.now, caller, earlier);
      const opened = await refusedAsFailure(() => store.openCallTask(db, { accountId: input.accountId, step: input.step, at: input.at, now: input.now, sheet }));
      return { callTaskId: opened.callTaskId };
    },

    /** Service pause and collections are never automatic: this only puts the question to a manager. */
    async recordRecommendation(input: { accountId: string; step: PlannedStep; now: Instant }): Promise<void> {
      await store.openRecommendation(db, input);
    },
  };
}

export type PlanningActivities = ReturnType<typeof createPlanningActivities>;
