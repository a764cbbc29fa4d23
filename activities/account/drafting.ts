/**
 * Drafting: the step's message worded by the safe drafter (fact-checked, template fallback) and stored
 * once per account, step and cycle, waiting for a person or approved when autonomy allows.
 */
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent, systemActor } from '../../db/events';
import * as t from '../../db/schema';
import type { Instant, Mode } from '../../domain/facts';
import { decideSend } from '../../domain/drafting/send-decision';
import { draftRulesFromPolicyStep } from '../../domain/drafting/types';
import { Errors } from '../../domain/messages';
import type { PlannedStep } from '../../domain/policy/types';
import { payLinkFor } from '../../db/account-facts';
import { loadOrFail, type SafeDrafter } from './shared';

export function createDraftingActivities({ db, drafter }: { db: Db; drafter: SafeDrafter }) {
  const load = (accountId: string, now: Date) => loadOrFail(db, accountId, now);

  return {
    /** Drafts the step's message, fact-checks it and stores it; returns whether a person must approve. */
    async prepareDraft(input: { accountId: string; step: PlannedStep; now: Instant; mode: Mode }): Promise<{
      messageId: string;
      requiresApproval: boolean;
      sensitiveReasons: string[];
    }> {
      const [existing] = await db
        .select()
        .from(t.messages)
        .where(
          and(
            eq(t.messages.accountId, input.accountId),
            eq(t.messages.stepId, input.step.stepId),
            eq(t.messages.cycleKey, input.step.cycleKey),
            sql`${t.messages.status} <> 'superseded'`,
          ),
        );
      if (existing) return { messageId: existing.id, requiresApproval: existing.requiresApproval, sensitiveReasons: existing.sensitiveReasons };

      const loaded = await load(input.accountId, new Date(input.now));
      const { facts, policy, settings } = loaded;
      const policyStep = policy.steps.find((s) => s.id === input.step.stepId);
      if (!policyStep) {
        throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `step ${input.step.stepId} is not in policy ${policy.name}`, nonRetryable: true });
      }
      const [recent] = await Promise.all([
        db
          .select({ stepId: t.messages.stepId, cycleKey: t.messages.cycleKey, sentAt: t.messages.sentAt, subject: t.messages.subject })
          .from(t.messages)
          .where(and(eq(t.messages.accountId, input.accountId), eq(t.messages.status, 'sent'))),
      ]);
      const draft = await drafter.draft({
        facts,
        step: input.step,
        now: input.now,
        payLink: payLinkFor(settings, facts.accountId, facts.invoices.find((i) => i.id === input.step.invoiceIds[0])?.number),
        sender: settings.sender_identity,
        earlierMessages: recent
          .filter((m) => m.sentAt)
          .map((m) => ({ stepId: m.stepId, cycleKey: m.cycleKey, sentAt: m.sentAt!.toISOString(), subject: m.subject })),
        rules: draftRulesFromPolicyStep(policyStep),
        lateFees: settings.late_fees,
      });
      const { sensitiveReasons, requiresApproval } = decideSend({ mode: input.mode, stepSensitiveReasons: input.step.sensitiveReasons, draft });
      const contact = facts.contacts[0];
      if (!contact) {
        throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `account ${facts.name} has no contact to write to`, nonRetryable: true });
      }
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(t.messages)
          .values({
            accountId: input.accountId,
            stepId: input.step.stepId,
            cycleKey: input.step.cycleKey,
            channel: input.step.channel,
            status: requiresApproval ? 'pending_approval' : 'approved',
            toEmail: contact.email,
            subject: draft.subject,
            bodyText: draft.bodyText,
            bodyHtml: draft.bodyHtml,
            draftSubject: draft.subject,
            draftBodyText: draft.bodyText,
            tone: draft.tone,
            source: draft.source,
            promptVersion: draft.promptVersion,
            model: draft.model ?? null,
            confidence: draft.confidence,
            factCheck: draft.factCheck,
            sensitiveReasons,
            requiresApproval,
            amountCents: input.step.balanceCents,
            daysOverdue: input.step.daysPastDue,
            invoiceIds: input.step.invoiceIds,
            scheduledFor: new Date(input.now),
            createdAt: new Date(input.now),
            decidedAt: requiresApproval ? null : new Date(input.now),
          })
          .onConflictDoNothing()
          .returning({ id: t.messages.id });
        if (!row) {
          const [again] = await tx
            .select()
            .from(t.messages)
            .where(and(eq(t.messages.accountId, input.accountId), eq(t.messages.stepId, input.step.stepId), eq(t.messages.cycleKey, input.step.cycleKey), sql`${t.messages.status} <> 'superseded'`));
          return { messageId: again.id, requiresApproval: again.requiresApproval, sensitiveReasons: again.sensitiveReasons };
        }
        await appendEvent(tx, {
          accountId: input.accountId,
          type: 'draft.created',
          actor: systemActor,
          data: {
            messageId: row.id,
            stepId: input.step.stepId,
            cycleKey: input.step.cycleKey,
            tone: draft.tone,
            source: draft.source,
            promptVersion: draft.promptVersion,
            factCheck: draft.factCheck,
            requiresApproval,
            sensitiveReasons,
            amountCents: input.step.balanceCents,
          },
        });
        if (!requiresApproval) {
          await appendEvent(tx, { accountId: input.accountId, type: 'draft.approved', actor: systemActor, data: { messageId: row.id, reason: 'autonomous mode, routine step' } });
        }
        return { messageId: row.id, requiresApproval, sensitiveReasons };
      });
    },
  };
}

export type DraftingActivities = ReturnType<typeof createDraftingActivities>;
