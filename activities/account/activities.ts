/**
 * The account workflow's activities, one factory per group the workflow proxies with its own options:
 * planning (with people's decisions), drafting and sending. Every write is keyed by business
 * identifiers (account, step, cycle), so a retried activity finds its earlier work instead of repeating it.
 */
import { createDecisionActivities, type DecisionActivities } from './decisions';
import { createDraftingActivities, type DraftingActivities } from './drafting';
import { createPlanningActivities, type PlanningActivities } from './planning';
import { createSendingActivities, type SendingActivities } from './sending';
import { heartbeating, type AccountActivityDeps } from './shared';

export type { Plan } from './planning';
export type { AccountActivityDeps, PendingDraftRef, SafeDrafter } from './shared';
export type { DecisionActivities, DraftingActivities, PlanningActivities, SendingActivities };

export function createAccountActivities({ db, drafter, mailer }: AccountActivityDeps) {
  return beating({
    ...createPlanningActivities({ db }),
    ...createDecisionActivities({ db }),
    ...createDraftingActivities({ db, drafter }),
    ...createSendingActivities({ db, mailer }),
  });
}

/**
 * Every activity tells Temporal it is alive each second, so one running on a worker that was killed is
 * noticed within its heartbeat timeout (workflows/account/workflow.ts) and retried on a live worker in
 * seconds — not after its start-to-close timeout (three minutes for a draft), which kept an account
 * silent for minutes after a crash. Retries are safe: every write finds its earlier work.
 */
function beating<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T): T {
  const out: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (input) => {
      const beat = heartbeating();
      try {
        return await fn(input);
      } finally {
        beat.stop();
      }
    };
  }
  return out as T;
}

export type AccountActivities = ReturnType<typeof createAccountActivities>;
