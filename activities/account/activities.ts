/**
 * The account workflow's activities, one factory per group the workflow proxies with its own options:
 * planning (with people's decisions), drafting and sending. Every write is keyed by business
 * identifiers (account, step, cycle), so a retried activity finds its earlier work instead of repeating it.
 */
import { createDecisionActivities, type DecisionActivities } from './decisions';
import { createDraftingActivities, type DraftingActivities } from './drafting';
import { createPlanningActivities, type PlanningActivities } from './planning';
import { createSendingActivities, type SendingActivities } from './sending';
import type { AccountActivityDeps } from './shared';

export type { Plan } from './planning';
export type { AccountActivityDeps, PendingDraftRef, SafeDrafter } from './shared';
export type { DecisionActivities, DraftingActivities, PlanningActivities, SendingActivities };

export function createAccountActivities({ db, drafter, mailer }: AccountActivityDeps) {
  return {
    ...createPlanningActivities({ db }),
    ...createDecisionActivities({ db }),
    ...createDraftingActivities({ db, drafter }),
    ...createSendingActivities({ db, mailer }),
  };
}

export type AccountActivities = ReturnType<typeof createAccountActivities>;
