/**
 * The command center's numbers. Conventions (also in the README):
 * - Aging buckets by days past due as of the chosen date: current (not yet due), 1–30, 31–60, 61–90, 90+.
 *   An invoice's balance as of a date counts only payments received on or before it.
 * - DSO by the countback method: take receivables at the end of the period and walk back month by
 *   month, consuming each month's credit sales (invoices issued) until the receivables are used up.
 * - Best possible DSO: the same countback over the *current* (not yet due) receivables only.
 * - ADD (average days delinquent) = DSO − best possible DSO.
 * - CEI = (opening AR + credit sales − closing total AR) ÷ (opening AR + credit sales − closing current AR)
 *   × 100, over the period of `periodDays` ending on the chosen date.
 */
import { z } from 'zod';
import { Cents, IsoDate } from './common';

export const AsOfQuery = z.strictObject({ asOf: IsoDate.optional() });

export const agingBuckets = ['current', '1_30', '31_60', '61_90', '90_plus'] as const;
export const AgingReport = z.object({
  asOf: IsoDate,
  buckets: z.array(z.object({ bucket: z.enum(agingBuckets), balanceCents: Cents, invoices: z.number().int(), accounts: z.number().int() })),
  totalCents: Cents,
});
export type AgingReport = z.infer<typeof AgingReport>;

export const KpiQuery = z.strictObject({
  asOf: IsoDate.optional(),
  periodDays: z.coerce.number().int().min(7).max(366).default(90),
});

export const KpiReport = z.object({
  asOf: IsoDate,
  periodDays: z.number().int(),
  receivablesCents: Cents,
  currentCents: Cents,
  creditSalesCents: Cents,
  /** Null when there were no credit sales to count back against. */
  dso: z.number().nullable(),
  bestPossibleDso: z.number().nullable(),
  add: z.number().nullable(),
  /** Percent; null when the denominator is zero. */
  cei: z.number().nullable(),
});
export type KpiReport = z.infer<typeof KpiReport>;

export const StepEffectiveness = z.object({
  items: z.array(
    z.object({
      stepId: z.string(),
      sent: z.number().int(),
      /** Share (0–1) of sends after which the account paid something within 7 days. */
      paidWithin7Days: z.number(),
    }),
  ),
});

export const PromiseStats = z.object({
  open: z.number().int(),
  kept: z.number().int(),
  broken: z.number().int(),
  cancelled: z.number().int(),
  /** kept ÷ (kept + broken); null when none has come due. */
  keptRate: z.number().nullable(),
});

export const ApprovalWait = z.object({
  decided: z.number().int(),
  /** Minutes. */
  medianMinutes: z.number().nullable(),
  p90Minutes: z.number().nullable(),
  pending: z.number().int(),
  oldestPendingMinutes: z.number().nullable(),
});

/**
 * Client replies: how many wait for a person, how many answers wait in the queue, and the time to
 * first answer — from a reply's arrival to its answer being sent, or a person settling it (confirming
 * its promise, marking it handled) — over replies received in the last `days` days.
 */
export const ReplyStats = z.object({
  days: z.number().int(),
  received: z.number().int(),
  waiting: z.number().int(),
  answersInQueue: z.number().int(),
  answered: z.number().int(),
  /** Minutes; null when none was answered in the period. */
  medianFirstAnswerMinutes: z.number().nullable(),
  p90FirstAnswerMinutes: z.number().nullable(),
  oldestWaitingMinutes: z.number().nullable(),
});
export type ReplyStats = z.infer<typeof ReplyStats>;

export const StageFunnel = z.object({ items: z.array(z.object({ stage: z.string().nullable(), accounts: z.number().int(), balanceCents: Cents })) });

/** Everything waiting on a person, of every kind, oldest first within each kind. */
export const needsPersonKinds = ['dispute', 'broken_promise', 'blocked_step', 'approval_overdue', 'sensitive_draft', 'call_due', 'possible_duplicate_payment', 'reply_waiting', 'send_unconfirmed'] as const;
export const NeedsPerson = z.object({
  items: z.array(
    z.object({
      kind: z.enum(needsPersonKinds),
      accountId: z.string(),
      accountName: z.string(),
      balanceCents: Cents,
      /** Since when it has been waiting. */
      since: z.string().nullable(),
      /** What it is, in words (a dispute's reason, a step's name). */
      detail: z.string(),
      /** The draft, call or step it concerns, when there is one. */
      ref: z.string().nullable(),
    }),
  ),
});
export type NeedsPerson = z.infer<typeof NeedsPerson>;

/** One server-sent event on `GET /api/stream` (event name `activity`, id = the event's id). */
export const StreamEvent = z.object({
  id: z.number().int(),
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  type: z.string(),
  actorName: z.string().nullable(),
  createdAt: z.string(),
  /** The draft or message an event is about, so a page can tell which item left without diffing lists. */
  messageId: z.string().nullable().optional(),
  /** Why it happened, in words, when the event says (a rejection's reason, a withdrawal's cause). */
  reason: z.string().nullable().optional(),
});
export type StreamEvent = z.infer<typeof StreamEvent>;
