/**
 * One long-lived workflow per account. It asks the policy what happens next, sleeps until then,
 * wakes early when a fact changes, and carries a drafted message through a person's decision to the
 * send. PostgreSQL holds the facts and the drafts; this holds only what happens next.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DecisionActivities, DraftingActivities, Plan, PlanningActivities, SendingActivities } from '../../activities/account/activities';
import { nextBusinessInstant } from '../../domain/calendar';
import { ANSWER_STEP_ID } from '../../domain/messages';
import type { PlannedStep } from '../../domain/policy/types';
import {
  Errors,
  decideDraftUpdate,
  factsChangedSignal,
  logCallOutcomeUpdate,
  stateQuery,
  type AccountState,
  type AccountWorkflowInput,
  type CallOutcome,
  type CarriedState,
  type DraftDecision,
  type PendingDraft,
} from './definitions';

// Every activity heartbeats each second (activities/account/activities.ts): one on a worker that died
// is retried on a live worker once its heartbeat timeout passes, not after its start-to-close.
const planning = proxyActivities<PlanningActivities & DecisionActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '4 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// The model may be slow, but the activity heartbeats each second while it waits, so a draft whose
// worker died is retried within seconds (a 10 s heartbeat timeout and a 5 s first retry made a killed
// worker's drafts — approved in autonomous mode, not yet sent — wait 14 s). The safe drafter itself falls
// back to templates when the model fails; these retries are for the database, and reach past a
// 30-second PostgreSQL outage (1 + 2 + 4 + 8 + 16 + 30 + 30 s) before the step is recorded as blocked.
const drafting = proxyActivities<DraftingActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '4 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 8 },
});
// The send heartbeats every second (activities/account/sending.ts): a worker killed mid-send is noticed
// within the heartbeat timeout and the send retried on a live worker within seconds, not after the
// one-minute start-to-close. The retry never delivers blindly: it finds the earlier attempt's trace.
const sending = proxyActivities<SendingActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '4 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const DEFAULT_ROUNDS_PER_RUN = 200;
/** Patch: a decision is written to PostgreSQL before the workflow acts on it. */
const DECISION_RECORDED_FIRST = 'decision-recorded-first';
/** Patch: a client's routine question is answered by a drafted message before the next step. */
const ANSWER_QUESTIONS = 'answer-questions';
/** Worded as the ledger and the planner word it, so every place gives the same reason. */
const PAID_REASON = 'the account has paid: nothing is owed any more';

/** How many settled drafts the workflow remembers to answer "already decided" or "superseded". */
const REMEMBERED_OUTCOMES = 20;

export async function accountWorkflow(input: AccountWorkflowInput): Promise<void> {
  const { accountId } = input;
  const carried: CarriedState = input.state ?? { seenFactsVersion: 0 };
  let pending: PendingDraft | undefined = carried.pendingDraft;
  let openCallTaskId = carried.openCallTaskId;
  const outcomes = new Map<string, string>(carried.recentOutcomes ?? []);
  let signalledVersion = carried.seenFactsVersion;
  let dirty = true;
  let decision: DraftDecision | undefined;
  let deciding: string | undefined;
  let plan: Plan | undefined;

  const remember = (messageId: string, outcome: string) => {
    outcomes.set(messageId, outcome);
    while (outcomes.size > REMEMBERED_OUTCOMES) outcomes.delete(outcomes.keys().next().value!);
  };
  const now = () => new Date().toISOString();

  setHandler(factsChangedSignal, (s) => {
    signalledVersion = Math.max(signalledVersion, s.factsVersion);
    dirty = true;
    if (s.settled) {
      if (pending) remember(pending.messageId, `superseded: ${PAID_REASON}`);
      pending = undefined;
      decision = undefined;
      if (plan) plan = { ...plan, balanceCents: 0, next: { type: 'idle', reason: 'no_open_balance', skipped: [] } };
    }
  });

  setHandler(
    decideDraftUpdate,
    async (d) => {
      if (!patched(DECISION_RECORDED_FIRST)) {
        // Runs started before the patch acted on the decision while it was still being written.
        decision = d;
        await planning.recordDecision({ accountId, decision: d, now: now() });
        return { messageId: d.messageId, status: d.decision === 'reject' ? 'rejected' : 'approved' };
      }
      // The loop acts on `decision` only once the decision is in PostgreSQL, so the send never reads
      // a message that is still waiting; `deciding` refuses a second click in the meantime.
      deciding = d.messageId;
      try {
        const recorded = await planning.recordDecision({ accountId, decision: d, now: now() });
        if (!recorded.applied) {
          if (recorded.status === 'edit_refused') {
            // The draft keeps waiting: the clerk corrects the edit and decides again.
            throw ApplicationFailure.create({ type: Errors.InvalidInput, message: `The edited message states what the account's facts do not support: ${recorded.reason}.`, nonRetryable: true });
          }
          // A payment settled the account while the person was deciding: the ledger withdrew the draft.
          throw ApplicationFailure.create({
            type: recorded.status === 'superseded' ? Errors.Superseded : Errors.AlreadyDecided,
            message: recorded.status === 'superseded' ? `This draft was withdrawn: ${recorded.reason ?? 'superseded'}.` : `This draft was already ${recorded.status}.`,
            nonRetryable: true,
          });
        }
        decision = d;
      } finally {
        deciding = undefined;
      }
      return { messageId: d.messageId, status: d.decision === 'reject' ? 'rejected' : 'approved' };
    },
    {
      validator: (d) => {
        if (pending && pending.messageId === d.messageId && pending.requiresApproval && !decision && !deciding) return;
        if (deciding === d.messageId) {
          throw ApplicationFailure.create({ type: Errors.AlreadyDecided, message: 'Someone is deciding on this draft right now.', nonRetryable: true });
        }
        const earlier = outcomes.get(d.messageId) ?? (decision?.messageId === d.messageId ? 'already decided' : undefined);
        if (earlier?.startsWith('superseded')) {
          throw ApplicationFailure.create({ type: Errors.Superseded, message: `This draft was withdrawn: ${earlier.replace(/^superseded: /, '')}.`, nonRetryable: true });
        }
        if (earlier) throw ApplicationFailure.create({ type: Errors.AlreadyDecided, message: `This draft was already ${earlier}.`, nonRetryable: true });
        throw ApplicationFailure.create({ type: Errors.NoSuchDraft, message: 'No draft with this id is waiting for a decision on this account.', nonRetryable: true });
      },
    },
  );

  setHandler(
    logCallOutcomeUpdate,
    async (o: CallOutcome) => {
      const { factsVersion } = await planning.recordCallOutcome({ accountId, outcome: o, now: now() });
      if (o.outcome !== 'no_answer') openCallTaskId = undefined;
      signalledVersion = Math.max(signalledVersion, factsVersion);
      dirty = true;
      return { callTaskId: o.callTaskId, recorded: o.outcome };
    },
    {
      validator: (o) => {
        if (o.callTaskId === openCallTaskId) return;
        throw ApplicationFailure.create({ type: Errors.NoSuchCallTask, message: 'This call task is not open on this account (already logged, or not created yet).', nonRetryable: true });
      },
    },
  );

  setHandler(stateQuery, (): AccountState => ({
    accountId,
    mode: plan?.mode ?? null,
    stage: pending?.stepId ?? (plan?.next.type === 'act' ? plan.next.step.kind : null),
    balanceCents: plan?.balanceCents ?? 0,
    next: plan?.next ?? null,
    pendingDraft: pending ?? null,
    openCallTaskId: openCallTaskId ?? null,
    promise: plan?.promise ?? null,
    disputeOpen: plan?.disputeOpen ?? false,
    paused: plan?.paused ?? false,
    seenFactsVersion: plan?.factsVersion ?? carried.seenFactsVersion,
  }));

  /** Sleeps until `at` or until something changes; true when it was woken by a change. */
  const sleepUntil = async (at: string | null): Promise<boolean> => {
    if (dirty) return true;
    if (at === null) {
      await condition(() => dirty);
      return true;
    }
    const ms = Date.parse(at) - Date.parse(now());
    if (ms <= 0) return false;
    return condition(() => dirty, ms);
  };

  const withdraw = async (reason: string) => {
    if (!pending) return;
    await planning.withdrawDraft({ accountId, messageId: pending.messageId, reason, now: now() });
    remember(pending.messageId, `superseded: ${reason}`);
    pending = undefined;
    decision = undefined;
  };

  const send = async (messageId: string) => {
    // Approved outside business hours: it goes out when the client's day starts.
    const w = plan!.sendWindow;
    const at = nextBusinessInstant(now(), w.timeZone, w.businessHours, w.holidays);
    while (Date.parse(at) > Date.parse(now())) {
      if (await sleepUntil(at)) {
        dirty = false;
        plan = await planning.planNextAction({ accountId, now: now(), pending: pending ?? null });
        if (plan.withdrawReason) return withdraw(plan.withdrawReason);
      }
    }
    const result = await sending.sendMessage({ accountId, messageId, now: now() });
    remember(messageId, result.status === 'sent' ? 'sent' : `superseded: ${result.reason}`);
    pending = undefined;
    decision = undefined;
  };

  const takeStep = async (step: PlannedStep, at: string) => {
    if (step.channel === 'call_task') {
      const { callTaskId } = await planning.createCallTask({ accountId, step, at, now: now() });
      openCallTaskId = callTaskId;
    } else if (step.channel === 'recommendation') {
      await planning.recordRecommendation({ accountId, step, now: now() });
    } else {
      const draft = await drafting.prepareDraft({ accountId, step, now: now(), mode: plan!.mode });
      pending = {
        messageId: draft.messageId,
        stepId: step.stepId,
        cycleKey: step.cycleKey,
        createdAt: now(),
        requiresApproval: draft.requiresApproval,
        escalated: false,
      };
    }
  };

  const roundsPerRun = input.roundsPerRun ?? DEFAULT_ROUNDS_PER_RUN;
  for (let round = 0; ; round++) {
    if ((workflowInfo().continueAsNewSuggested || round >= roundsPerRun) && !decision) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({
        accountId,
        roundsPerRun: input.roundsPerRun,
        state: { seenFactsVersion: signalledVersion, pendingDraft: pending, openCallTaskId, recentOutcomes: [...outcomes] },
      });
    }
    dirty = false;
    plan = await planning.planNextAction({ accountId, now: now(), pending: pending ?? null });

    if (pending) {
      if (plan.withdrawReason) {
        await withdraw(plan.withdrawReason);
        continue;
      }
      if (!pending.requiresApproval) {
        await send(pending.messageId);
        continue;
      }
      if (decision) {
        const d: DraftDecision = decision;
        if (d.decision === 'reject') {
          remember(d.messageId, 'rejected');
          pending = undefined;
          decision = undefined;
        } else {
          remember(d.messageId, 'approved');
          await send(d.messageId);
        }
        continue;
      }
      // Waiting for a person. Past the deadline the draft is raised to managers, and still waits.
      const deadline = Date.parse(pending.createdAt) + plan.approvalDeadlineHours * 3_600_000;
      if (!pending.escalated && Date.parse(now()) >= deadline) {
        await planning.escalateDraft({ accountId, messageId: pending.messageId, waitedHours: plan.approvalDeadlineHours, now: now() });
        pending = { ...pending, escalated: true };
      }
      await condition(() => dirty || decision !== undefined, pending.escalated ? undefined : Math.max(deadline - Date.parse(now()), 1));
      continue;
    }

    // A client's routine question is answered before the escalation's next step.
    if (plan.answer && patched(ANSWER_QUESTIONS)) {
      const { replyId } = plan.answer;
      try {
        const draft = await drafting.prepareAnswer({ accountId, replyId, now: now(), mode: plan.mode });
        if (draft) {
          pending = { messageId: draft.messageId, stepId: ANSWER_STEP_ID, cycleKey: replyId, createdAt: now(), requiresApproval: draft.requiresApproval, escalated: false };
        }
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // The reply goes to a person with the reason; the escalation carries on.
        await planning.answerFailed({ accountId, replyId, reason: err.cause?.message ?? err.message });
      }
      continue;
    }

    const next = plan.next;
    if (next.type === 'idle') {
      await sleepUntil(null);
      continue;
    }
    if (next.type === 'wait') {
      await sleepUntil(next.until);
      continue;
    }
    if (Date.parse(next.at) > Date.parse(now())) {
      await sleepUntil(next.at);
      continue;
    }

    const step = next.step;
    try {
      await takeStep(step, next.at);
    } catch (err) {
      // A step that cannot be taken (no contact to write to, drafting failing again and again) must not
      // end the account's workflow: it is recorded for a person, and the account waits for a change.
      if (!(err instanceof ActivityFailure)) throw err;
      await planning.recordBlockedStep({ accountId, stepId: step.stepId, reason: err.cause?.message ?? err.message, now: now() });
      await sleepUntil(null);
    }
  }
}
