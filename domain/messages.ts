/**
 * The account workflow's vocabulary shared by workflows, activities and the API — actors, facts
 * changes, people's decisions and error codes — in a module that imports no SDK.
 */
import type { IsoDate } from './facts';

export interface Actor {
  type: 'user' | 'system' | 'integration' | 'client';
  id?: string;
  name?: string;
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
    | 'reply_hold'
    | 'reply_hold_ended'
    /** A client asked a routine question: its answer is to be drafted. */
    | 'reply_question'
    | 'reconcile';
  actor?: Actor;
  /**
   * The write left nothing owed. The same transaction already withdrew the account's waiting drafts,
   * so the workflow can drop its own at once, without waiting for its next look at the facts.
   */
  settled?: boolean;
}

export type DraftDecision =
  | { messageId: string; decision: 'approve'; actor: Actor }
  | { messageId: string; decision: 'approve_with_edits'; subject: string; bodyText: string; actor: Actor }
  | { messageId: string; decision: 'reject'; reason: string; actor: Actor };

export type CallOutcome =
  | { callTaskId: string; outcome: 'promise'; promisedDate: IsoDate; amountCents?: number; notes?: string; actor: Actor }
  | { callTaskId: string; outcome: 'dispute'; reason: string; notes?: string; actor: Actor }
  | { callTaskId: string; outcome: 'no_answer' | 'wrong_number' | 'other'; notes?: string; actor: Actor };

/** The step id of an answer to a client's question; its cycle key is the reply's id (db/facts/answers.ts). */
export const ANSWER_STEP_ID = 'answer';

/** Error types thrown as non-retryable ApplicationFailures and shown to the person who acted. */
export enum Errors {
  AlreadyDecided = 'AlreadyDecided',
  Superseded = 'Superseded',
  NoSuchDraft = 'NoSuchDraft',
  NoSuchCallTask = 'NoSuchCallTask',
  InvalidInput = 'InvalidInput',
  AccountNotFound = 'AccountNotFound',
}
