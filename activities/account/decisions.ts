/**
 * People's decisions reaching the facts (db/facts): a draft approved, edited or rejected, withdrawn or
 * escalated by the workflow, and a caller's outcome. The facts module owns each transaction; here a
 * refusal becomes the non-retryable failure the workflow reports to the person who acted.
 */
import * as facts from '../../db/facts';
import type { Instant } from '../../domain/facts';
import type { CallOutcome, DraftDecision } from '../../domain/messages';
import { refusedAsFailure, toActor, userId } from './shared';

export function createDecisionActivities({ db }: { db: facts.Db }) {
  return {
    /** Records a person's decision; answers what the message is now if it was no longer waiting. */
    async recordDecision(input: { accountId: string; decision: DraftDecision; now: Instant }): Promise<facts.RecordedDecision> {
      return refusedAsFailure(() => facts.recordDecision(db, { ...input, actor: toActor(input.decision.actor), userId: userId(input.decision.actor) }));
    },

    async withdrawDraft(input: { accountId: string; messageId: string; reason: string; now: Instant }): Promise<void> {
      await facts.withdrawDraft(db, input);
    },

    async escalateDraft(input: { accountId: string; messageId: string; waitedHours: number; now: Instant }): Promise<void> {
      await facts.escalateDraft(db, input);
    },

    /** A caller's outcome: a promise or dispute becomes a fact, and the facts version moves on. */
    async recordCallOutcome(input: { accountId: string; outcome: CallOutcome; now: Instant }): Promise<{ factsVersion: number }> {
      return refusedAsFailure(() => facts.recordCallOutcome(db, { ...input, actor: toActor(input.outcome.actor), userId: userId(input.outcome.actor) }));
    },
  };
}

export type DecisionActivities = ReturnType<typeof createDecisionActivities>;
