/**
 * Drafting: the step's message worded by the safe drafter (fact-checked, template fallback) and stored
 * once per account, step and cycle, waiting for a person or approved when autonomy allows.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import * as store from '../../db/facts';
import type { Instant, Mode } from '../../domain/facts';
import { decideSend } from '../../domain/drafting/send-decision';
import { draftRulesFromPolicyStep } from '../../domain/drafting/types';
import { Errors } from '../../domain/messages';
import type { PlannedStep } from '../../domain/policy/types';
import { buildAnswerDraft } from '../../domain/replies/answer';
import type { QuestionTopic } from '../../domain/replies/types';
import { loadOrFail, refusedAsFailure, type SafeDrafter } from './shared';

export function createDraftingActivities({ db, drafter }: { db: Db; drafter: SafeDrafter }) {
  const load = (accountId: string, now: Date) => loadOrFail(db, accountId, now);

  return {
    /** Drafts the step's message, fact-checks it and stores it; returns whether a person must approve. */
    async prepareDraft(input: { accountId: string; step: PlannedStep; now: Instant; mode: Mode }): Promise<{
      messageId: string;
      requiresApproval: boolean;
      sensitiveReasons: string[];
    }> {
      const existing = await store.findLiveDraft(db, input.accountId, input.step);
      if (existing) return existing;

      const loaded = await load(input.accountId, new Date(input.now));
      const { facts, policy, settings } = loaded;
      const policyStep = policy.steps.find((s) => s.id === input.step.stepId);
      if (!policyStep) {
        throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `step ${input.step.stepId} is not in policy ${policy.name}`, nonRetryable: true });
      }
      const [earlierMessages, lastReply] = await Promise.all([store.sentMessagesOf(db, input.accountId), store.latestReplyOf(db, input.accountId, input.now)]);
      const draft = await drafter.draft({
        facts,
        step: input.step,
        now: input.now,
        payLink: store.payLinkFor(settings, facts.accountId, facts.invoices.find((i) => i.id === input.step.invoiceIds[0])?.number),
        sender: settings.sender_identity,
        earlierMessages,
        rules: draftRulesFromPolicyStep(policyStep),
        lateFees: settings.late_fees,
        lastReply,
      });
      const { sensitiveReasons, requiresApproval } = decideSend({ mode: input.mode, stepSensitiveReasons: input.step.sensitiveReasons, draft });
      const contact = facts.contacts[0];
      if (!contact) {
        throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `account ${facts.name} has no contact to write to`, nonRetryable: true });
      }
      return refusedAsFailure(() => store.recordDraft(db, { accountId: input.accountId, step: input.step, now: input.now, toEmail: contact.email, draft, requiresApproval, sensitiveReasons }));
    },

    /**
     * Drafts the answer to a client's routine question from the facts of this moment, fact-checks it
     * like every draft and stores it as the account's waiting draft (step `answer`). Null when there
     * is nothing to answer any more, or the facts no longer answer it (the reply then goes to a person).
     */
    async prepareAnswer(input: { accountId: string; replyId: string; now: Instant; mode: Mode }): Promise<{ messageId: string; requiresApproval: boolean; sensitiveReasons: string[] } | null> {
      const cycle = { stepId: store.ANSWER_STEP, cycleKey: input.replyId };
      const existing = await store.findLiveDraft(db, input.accountId, cycle);
      if (existing) return existing;
      const question = await store.questionOf(db, input.replyId);
      if (!question || question.accountId !== input.accountId || question.status !== 'answering') return null;
      const { facts, settings } = await load(input.accountId, new Date(input.now));
      const built = question.topic ? buildAnswerDraft({ replyId: input.replyId, topic: question.topic as QuestionTopic, facts, settings, subject: question.subject, now: input.now, question: question.visibleText }) : null;
      if (!built) {
        await store.answerNotPossible(db, { accountId: input.accountId, replyId: input.replyId, why: 'the account’s facts no longer answer this question' });
        return null;
      }
      const contact = facts.contacts.find((c) => c.email.toLowerCase() === question.fromEmail.toLowerCase()) ?? facts.contacts[0];
      if (!contact) {
        await store.answerNotPossible(db, { accountId: input.accountId, replyId: input.replyId, why: 'the account has no contact to write to' });
        return null;
      }
      const stepReasons = [
        ...(facts.paused ? ['a manager paused this account'] : []),
        ...(facts.disputes.some((d) => d.status === 'open') ? ['a dispute is open on this account'] : []),
      ];
      const { sensitiveReasons, requiresApproval } = decideSend({ mode: input.mode, stepSensitiveReasons: stepReasons, draft: built.draft });
      const ref = await refusedAsFailure(() =>
        store.recordDraft(db, { accountId: input.accountId, step: built.step, now: input.now, toEmail: contact.email, draft: built.draft, requiresApproval, sensitiveReasons }),
      );
      await store.noteAnswerDrafted(db, { replyId: input.replyId, text: built.draft.bodyText, requiresApproval: ref.requiresApproval });
      return ref;
    },
  };
}

export type DraftingActivities = ReturnType<typeof createDraftingActivities>;
