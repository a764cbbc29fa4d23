/**
 * What the policy engine answers: given an account's facts and "now", what happens next and when.
 * The workflow acts on this; it never re-derives the rules itself.
 */
import type { Instant, Tone } from '../facts';
import type { Channel, StepKind } from './schema';

export interface PlannedStep {
  stepId: string;
  kind: StepKind;
  channel: Channel;
  /** Tone after warmth calibration. */
  tone: Tone;
  /** Identifies one escalation cycle: the anchor invoice and its due date. Part of idempotency keys. */
  cycleKey: string;
  /** The open invoices the step is about (oldest first). */
  invoiceIds: string[];
  balanceCents: number;
  daysPastDue: number;
  /** Why a person must decide, empty when the step may go out on its own in autonomous mode. */
  sensitiveReasons: string[];
  /** For a final notice: the date service would be interrupted. */
  interruptionDate?: string;
}

export type NextAction =
  /** Act now (or at `at`, already inside business hours). */
  | { type: 'act'; at: Instant; step: PlannedStep; skipped: SkippedStep[] }
  /** Nothing is due yet; wake at `until` and look again. */
  | { type: 'wait'; until: Instant; reason: string; skipped: SkippedStep[]; nextStepId?: string }
  /** Nothing to do until something changes (paid, dispute open, paused, no open invoice). */
  | { type: 'idle'; reason: IdleReason; skipped: SkippedStep[] };

export type IdleReason = 'no_open_balance' | 'dispute_open' | 'paused' | 'escalation_complete' | 'awaiting_decision';

/** A step whose moment passed without it being sent (catch-up), recorded in the paper trail. */
export interface SkippedStep {
  stepId: string;
  cycleKey: string;
  reason: string;
}
