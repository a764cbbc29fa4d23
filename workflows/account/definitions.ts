/**
 * The account workflow's messages: what the API and the reconciler may send it and ask it.
 * Client code imports this file, never the workflow body.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Instant, IsoDate, Mode } from '../../domain/facts';
import type { NextAction } from '../../domain/policy/types';

export const TASK_QUEUE = 'tactful-accounts';
export const accountWorkflowId = (accountId: string) => `account:${accountId}`;

export interface Actor {
  type: 'user' | 'system' | 'integration' | 'client';
  id?: string;
  name?: string;
}

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

/**
 * Every fact change the API writes to PostgreSQL is followed by this signal. It carries only the new
 * facts version and what kind of change it was; the workflow reloads the facts itself.
 */
export interface FactsChanged {
  factsVersion: number;
  change:
    | 'invoice_upserted'
    | 'invoice_voided'
    | 'payment_recorded'
    | 'promise_recorded'
    | 'dispute_opened'
    | 'dispute_resolved'
    | 'mode_changed'
    | 'paused'
    | 'resumed'
    | 'policy_changed'
    | 'reconcile';
  actor?: Actor;
  /**
   * The write left nothing owed. The same transaction already withdrew the account's waiting drafts,
   * so the workflow can drop its own at once, without waiting for its next look at the facts.
   */
  settled?: boolean;
}
export const factsChangedSignal = defineSignal<[FactsChanged]>('factsChanged');

export type DraftDecision =
  | { messageId: string; decision: 'approve'; actor: Actor }
  | { messageId: string; decision: 'approve_with_edits'; subject: string; bodyText: string; actor: Actor }
  | { messageId: string; decision: 'reject'; reason: string; actor: Actor };

export interface DecisionResult {
  messageId: string;
  status: 'approved' | 'rejected';
}
export const decideDraftUpdate = defineUpdate<DecisionResult, [DraftDecision]>('decideDraft');

export type CallOutcome =
  | { callTaskId: string; outcome: 'promise'; promisedDate: IsoDate; amountCents?: number; notes?: string; actor: Actor }
  | { callTaskId: string; outcome: 'dispute'; reason: string; notes?: string; actor: Actor }
  | { callTaskId: string; outcome: 'no_answer' | 'wrong_number' | 'other'; notes?: string; actor: Actor };

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

/** Error types thrown as non-retryable ApplicationFailures and shown to the person who acted. */
export enum Errors {
  AlreadyDecided = 'AlreadyDecided',
  Superseded = 'Superseded',
  NoSuchDraft = 'NoSuchDraft',
  NoSuchCallTask = 'NoSuchCallTask',
  InvalidInput = 'InvalidInput',
  AccountNotFound = 'AccountNotFound',
}
