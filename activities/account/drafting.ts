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
  };
}

export type DraftingActivities = ReturnType<typeof createDraftingActivities>;
