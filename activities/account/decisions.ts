/**
 * People's decisions reaching the facts: a draft approved, edited or rejected, withdrawn or escalated
 * by the workflow, and a caller's outcome. Each is one transaction that locks the account row first
 * (db/transactions.ts: the one lock order), then re-reads the row it changes.
 */
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent, systemActor } from '../../db/events';
import { lockAccountRow } from '../../db/transactions';
import * as t from '../../db/schema';
import type { Instant } from '../../domain/facts';
import { factCheck } from '../../domain/drafting/fact-check';
import { draftRulesFromPolicyStep } from '../../domain/drafting/types';
import { Errors, type CallOutcome, type DraftDecision } from '../../domain/messages';
import type { PlannedStep } from '../../domain/policy/types';
import { payLinkFor } from '../../db/account-facts';
import { loadOrFail, toActor, userId } from './shared';

export function createDecisionActivities({ db }: { db: Db }) {
  const load = (accountId: string, now: Date) => loadOrFail(db, accountId, now);

  /**
   * A clerk's edit is checked like a model's draft: it may reword anything, but an amount, invoice
   * number, link or consequence the facts do not support is refused. Dates are left to the clerk,
   * who may have agreed one with the client.
   */
  async function checkEdit(msg: t.Message, subject: string, bodyText: string, now: Instant): Promise<string[]> {
    const loaded = await load(msg.accountId, new Date(now));
    const policyStep = loaded.policy.steps.find((s) => s.id === msg.stepId);
    if (!policyStep) return [];
    const step: PlannedStep = {
      stepId: msg.stepId,
      kind: policyStep.kind,
      channel: policyStep.channel,
      tone: msg.tone,
      cycleKey: msg.cycleKey,
      invoiceIds: msg.invoiceIds,
      balanceCents: msg.amountCents,
      daysPastDue: msg.daysOverdue,
      sensitiveReasons: msg.sensitiveReasons,
    };
    const result = factCheck(
      { subject, bodyText, bodyHtml: `<p>${bodyText.replace(/[&<>]/g, ' ')}</p>` },
      {
        facts: loaded.facts,
        step,
        now,
        payLink: payLinkFor(loaded.settings, msg.accountId, loaded.facts.invoices.find((i) => i.id === msg.invoiceIds[0])?.number),
        sender: loaded.settings.sender_identity,
        earlierMessages: [],
        rules: draftRulesFromPolicyStep(policyStep),
        lateFees: loaded.settings.late_fees,
      },
    );
    return result.issues.filter((i) => ['amount', 'invoice', 'link', 'language'].includes(i.category)).map((i) => i.message);
  }

  return {
    /** Records a person's decision; answers what the message is now if it was no longer waiting. */
    async recordDecision(input: { accountId: string; decision: DraftDecision; now: Instant }): Promise<{ applied: boolean; status: string; reason: string | null }> {
      const d = input.decision;
      const status = d.decision === 'reject' ? 'rejected' : 'approved';
      return db.transaction(async (tx) => {
        await lockAccountRow(tx, input.accountId);
        const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, d.messageId)).for('update');
        if (!msg) return { applied: false, status: 'missing', reason: null };
        // A retry after the first attempt committed finds its own decision already there.
        if (msg.status !== 'pending_approval') return { applied: msg.status === status && msg.decidedAt !== null, status: msg.status, reason: msg.decisionReason };
        if (d.decision === 'approve_with_edits') {
          const failures = await checkEdit(msg, d.subject, d.bodyText, input.now);
          if (failures.length > 0) return { applied: false, status: 'edit_refused', reason: failures.join('; ') };
        }
        await tx
          .update(t.messages)
          .set({
            status,
            decidedBy: userId(d.actor),
            decidedAt: new Date(input.now),
            decisionReason: d.decision === 'reject' ? d.reason : null,
            ...(d.decision === 'approve_with_edits' ? { subject: d.subject, bodyText: d.bodyText, bodyHtml: null } : {}),
          })
          .where(eq(t.messages.id, d.messageId));
        await appendEvent(tx, {
          accountId: input.accountId,
          type: d.decision === 'reject' ? 'draft.rejected' : d.decision === 'approve' ? 'draft.approved' : 'draft.edited_and_approved',
          actor: toActor(d.actor),
          data: {
            messageId: d.messageId,
            stepId: msg.stepId,
            ...(d.decision === 'reject' ? { reason: d.reason } : {}),
            ...(d.decision === 'approve_with_edits'
              ? { before: { subject: msg.subject, bodyText: msg.bodyText }, after: { subject: d.subject, bodyText: d.bodyText } }
              : {}),
          },
        });
        return { applied: true, status, reason: null };
      });
    },

    async withdrawDraft(input: { accountId: string; messageId: string; reason: string; now: Instant }): Promise<void> {
      await db.transaction(async (tx) => {
        await lockAccountRow(tx, input.accountId);
        const updated = await tx
          .update(t.messages)
          .set({ status: 'superseded', decisionReason: input.reason, decidedAt: new Date(input.now) })
          .where(and(eq(t.messages.id, input.messageId), inArray(t.messages.status, ['pending_approval', 'approved'])))
          .returning({ stepId: t.messages.stepId });
        if (updated.length === 0) return;
        await appendEvent(tx, { accountId: input.accountId, type: 'draft.withdrawn', actor: systemActor, data: { messageId: input.messageId, stepId: updated[0].stepId, reason: input.reason } });
      });
    },

    async escalateDraft(input: { accountId: string; messageId: string; waitedHours: number; now: Instant }): Promise<void> {
      await db.transaction(async (tx) => {
        await lockAccountRow(tx, input.accountId);
        const updated = await tx
          .update(t.messages)
          .set({ escalatedAt: new Date(input.now) })
          .where(and(eq(t.messages.id, input.messageId), eq(t.messages.status, 'pending_approval'), sql`${t.messages.escalatedAt} is null`))
          .returning({ id: t.messages.id });
        if (updated.length === 0) return;
        await appendEvent(tx, { accountId: input.accountId, type: 'draft.escalated', actor: systemActor, data: { messageId: input.messageId, waitedHours: input.waitedHours, to: 'managers' } });
      });
    },


    /** A caller's outcome: a promise or dispute becomes a fact, and the facts version moves on. */
    async recordCallOutcome(input: { accountId: string; outcome: CallOutcome; now: Instant }): Promise<{ factsVersion: number }> {
      const o = input.outcome;
      return db.transaction(async (tx) => {
        await lockAccountRow(tx, input.accountId);
        const [task] = await tx.select().from(t.callTasks).where(eq(t.callTasks.id, o.callTaskId)).for('update');
        if (!task) throw ApplicationFailure.create({ type: Errors.NoSuchCallTask, message: `call task ${o.callTaskId} does not exist`, nonRetryable: true });
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
            completedBy: userId(o.actor),
            completedAt: o.outcome === 'no_answer' ? null : now,
          })
          .where(eq(t.callTasks.id, task.id));
        if (o.outcome === 'promise') {
          // The ledger's rule (db/ledger.ts recordPromise): the latest word from the client replaces the open promise.
          await tx.update(t.promises).set({ status: 'cancelled', resolvedAt: now }).where(and(eq(t.promises.accountId, input.accountId), eq(t.promises.status, 'open')));
          const [row] = await tx
            .insert(t.promises)
            .values({ accountId: input.accountId, promisedDate: o.promisedDate, amountCents: o.amountCents ?? null, createdBy: userId(o.actor), createdAt: now })
            .returning({ id: t.promises.id });
          await appendEvent(tx, { accountId: input.accountId, type: 'promise.recorded', actor: toActor(o.actor), data: { promiseId: row.id, promisedDate: o.promisedDate, amountCents: o.amountCents ?? null, via: 'call', callTaskId: task.id } });
        }
        if (o.outcome === 'dispute') {
          // One open dispute per account: a second one reported on a call is part of the call's log, not a new dispute.
          const [opened] = await tx
            .insert(t.disputes)
            .values({ accountId: input.accountId, reason: o.reason, openedBy: userId(o.actor), openedAt: now })
            .onConflictDoNothing()
            .returning({ id: t.disputes.id });
          if (opened) await appendEvent(tx, { accountId: input.accountId, type: 'dispute.opened', actor: toActor(o.actor), data: { disputeId: opened.id, reason: o.reason, via: 'call', callTaskId: task.id } });
        }
        await appendEvent(tx, { accountId: input.accountId, type: 'call.logged', actor: toActor(o.actor), data: { callTaskId: task.id, outcome: o.outcome, notes: o.notes ?? null } });
        const [acc] = await tx
          .update(t.accounts)
          .set({ factsVersion: sql`${t.accounts.factsVersion} + 1`, updatedAt: now })
          .where(eq(t.accounts.id, input.accountId))
          .returning({ v: t.accounts.factsVersion });
        return { factsVersion: acc.v };
      });
    },
  };
}

export type DecisionActivities = ReturnType<typeof createDecisionActivities>;
