/**
 * The account workflow's messages: what the API and the reconciler may send it and ask it.
 * Client code imports this file, never the workflow body.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Instant, IsoDate, Mode } from '../../domain/facts';
import type { Actor, CallOutcome, DraftDecision, FactsChanged } from '../../domain/messages';
import type { NextAction } from '../../domain/policy/types';

export { Errors } from '../../domain/messages';
export type { Actor, CallOutcome, DraftDecision, FactsChanged } from '../../domain/messages';

export const TASK_QUEUE = 'tactful-accounts';
export const accountWorkflowId = (accountId: string) => `account:${accountId}`;
/**
 * How long a worker may take over one workflow task before the server gives it to another. An account's
 * task is milliseconds of planning; the 10 s default is what an account waited after its worker was
 * killed mid-task (chaos (b): every send settled 15 s after the worker was back). Later runs inherit it.
 */
export const ACCOUNT_WORKFLOW_TASK_TIMEOUT = '4 seconds';

export interface AccountWorkflowInput {
  accountId: string;
  /** Carried across continue-as-new. */
  state?: CarriedState;
  /**
   * Continue-as-new after this many planning rounds even if Temporal has not suggested it yet, so one
   * run's history stays short for a long-lived account (default 200; tests use a small number).
   */
  roundsPerRun?: number;
}

/** What survives continue-as-new; everything else is reloaded from PostgreSQL. */
export interface CarriedState {
  seenFactsVersion: number;
  pendingDraft?: PendingDraft;
  openCallTaskId?: string;
  /** Recently settled drafts (message id → outcome), to answer a late click precisely. */
  recentOutcomes?: [string, string][];
}

export const factsChangedSignal = defineSignal<[FactsChanged]>('factsChanged');

export interface DecisionResult {
  messageId: string;
  status: 'approved' | 'rejected';
}
export const decideDraftUpdate = defineUpdate<DecisionResult, [DraftDecision]>('decideDraft');

export interface CallOutcomeResult {
  callTaskId: string;
  recorded: CallOutcome['outcome'];
}
export const logCallOutcomeUpdate = defineUpdate<CallOutcomeResult, [CallOutcome]>('logCallOutcome');

export interface PendingDraft {
  messageId: string;
  stepId: string;
  cycleKey: string;
  createdAt: Instant;
  requiresApproval: boolean;
  escalated: boolean;
}

export interface AccountState {
  accountId: string;
  mode: Mode | null;
  stage: string | null;
  balanceCents: number;
  next: NextAction | null;
  pendingDraft: PendingDraft | null;
  openCallTaskId: string | null;
  promise: { promisedDate: IsoDate; status: string } | null;
  disputeOpen: boolean;
  paused: boolean;
  seenFactsVersion: number;
}
export const stateQuery = defineQuery<AccountState>('state');

