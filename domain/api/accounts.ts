/** Accounts: the list people scan, the detail with its paper trail, and the actions on an account. */
import { z } from 'zod';
import { Mode, PaymentMethod, Segment, Tone } from '../facts';
import { Actor, Cents, Instant, IsoDate, LongText, Page, pageOf, PositiveCents, Uuid } from './common';
import { RecommendationKind, RecommendationStatus } from './recommendations';

export const AccountListQuery = Page.extend({
  search: z.string().max(200).optional(),
  stage: z.string().max(60).optional(),
  mode: Mode.optional(),
  segment: Segment.optional(),
  sort: z.enum(['name', 'balance', 'next_action']).default('name'),
  order: z.enum(['asc', 'desc']).optional(),
}).strict();
export type AccountListQuery = z.infer<typeof AccountListQuery>;

export const AccountListItem = z.object({
  id: Uuid,
  externalRef: z.string().nullable(),
  name: z.string(),
  segment: Segment,
  mode: Mode,
  paused: z.boolean(),
  balanceCents: Cents,
  stage: z.string().nullable(),
  nextAction: z.string().nullable(),
  nextActionAt: Instant.nullable(),
  oldestDueDate: IsoDate.nullable(),
  disputeOpen: z.boolean(),
});
export type AccountListItem = z.infer<typeof AccountListItem>;
export const AccountPage = pageOf(AccountListItem);
export type AccountPage = z.infer<typeof AccountPage>;

export const TimelineEvent = z.object({
  id: z.number().int(),
  type: z.string(),
  actor: Actor,
  data: z.record(z.string(), z.unknown()),
  createdAt: Instant,
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

export const InvoiceView = z.object({
  id: Uuid,
  number: z.string(),
  issueDate: IsoDate,
  dueDate: IsoDate,
  amountCents: Cents,
  balanceCents: Cents,
  status: z.enum(['open', 'paid', 'void']),
  paidAt: Instant.nullable(),
  /** Where the client pays this invoice, from the installation's pay-link setting. */
  payUrl: z.string().nullable().optional(),
});
export type InvoiceView = z.infer<typeof InvoiceView>;

export const PaymentView = z.object({
  id: Uuid,
  kind: z.enum(['payment', 'credit_note']),
  amountCents: Cents,
  receivedAt: Instant,
  method: PaymentMethod,
  reference: z.string().nullable(),
  /** Not yet applied to any invoice (e.g. arrived before its invoice). */
  unappliedCents: Cents,
  /** False for money an import found already paid with no date: receivedAt is then no payment day. */
  dated: z.boolean().optional(),
});

export const AccountDetail = z.object({
  account: AccountListItem.extend({
    timeZone: z.string(),
    paymentTermsDays: z.number().int(),
    paymentMethod: PaymentMethod,
    clientSince: IsoDate,
    currency: z.string(),
    factsVersion: z.number().int(),
    workflowSeenVersion: z.number().int(),
  }),
  contacts: z.array(z.object({ id: Uuid, name: z.string(), email: z.string(), phone: z.string().nullable(), role: z.string().nullable(), isPrimary: z.boolean() })),
  invoices: z.array(InvoiceView),
  payments: z.array(PaymentView),
  promises: z.array(z.object({ id: Uuid, promisedDate: IsoDate, amountCents: Cents.nullable(), status: z.enum(['open', 'kept', 'broken', 'cancelled']), createdAt: Instant })),
  disputes: z.array(z.object({ id: Uuid, invoiceId: Uuid.nullable(), reason: z.string(), status: z.enum(['open', 'resolved']), openedAt: Instant, resolvedAt: Instant.nullable(), resolution: z.string().nullable() })),
  /** Newest first; page further with `GET /api/accounts/:id/timeline?before=<id>`. */
  timeline: z.array(TimelineEvent),
  /** Service pauses and collections referrals waiting for a manager's decision. */
  recommendations: z.array(
    z.object({ id: Uuid, kind: RecommendationKind, status: RecommendationStatus, balanceCents: Cents, daysOverdue: z.number().int(), createdAt: Instant }),
  ),
});
export type AccountDetail = z.infer<typeof AccountDetail>;

export const TimelineQuery = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const TimelinePage = z.object({ items: z.array(TimelineEvent), nextBefore: z.number().int().nullable() });

/** Live detail from the account's workflow; `null` fields when the workflow cannot be asked right now. */
export const AccountLiveState = z.object({
  available: z.boolean(),
  message: z.string().optional(),
  state: z.record(z.string(), z.unknown()).nullable(),
});

export const ModeRequest = z.strictObject({ mode: Mode, reason: z.string().trim().max(1000).optional() });
export type ModeRequest = z.infer<typeof ModeRequest>;

export const PauseRequest = z.strictObject({ reason: z.string().trim().min(1).max(1000) });
export type PauseRequest = z.infer<typeof PauseRequest>;
export const ResumeRequest = z.strictObject({ reason: z.string().trim().max(1000).optional() });

export const PromiseRequest = z.strictObject({
  promisedDate: IsoDate,
  amountCents: PositiveCents.optional(),
  note: z.string().trim().max(2000).optional(),
});
export type PromiseRequest = z.infer<typeof PromiseRequest>;

export const OpenDisputeRequest = z.strictObject({
  reason: LongText,
  invoiceId: Uuid.optional(),
});
export type OpenDisputeRequest = z.infer<typeof OpenDisputeRequest>;

export const ResolveDisputeRequest = z.strictObject({ resolution: LongText });
export type ResolveDisputeRequest = z.infer<typeof ResolveDisputeRequest>;

export const NoteRequest = z.strictObject({ text: LongText });
export type NoteRequest = z.infer<typeof NoteRequest>;
export const NoteResponse = z.object({ accountId: Uuid, eventId: z.number().int().nullable() });

/** `GET /api/accounts/:id/preview`: what the policy would do to this account over the coming days. */
export const AccountPreviewQuery = z.strictObject({
  mode: Mode.default('autonomous'),
  days: z.coerce.number().int().min(1).max(90).default(30),
});
export type AccountPreviewQuery = z.infer<typeof AccountPreviewQuery>;

/**
 * If nothing else changed (no payment, no reply), every step the policy would take in the window,
 * and whether it would go out by itself in the previewed mode.
 */
export const AutonomousPreview = z.object({
  from: Instant,
  until: Instant,
  items: z.array(
    z.object({
      at: Instant,
      stepId: z.string(),
      channel: z.string(),
      tone: Tone.nullable().optional(),
      amountCents: z.number().int().nullable().optional(),
      /** True when the step would go out by itself; false when it would still wait for a person. */
      autonomous: z.boolean(),
      /** Why a person would still decide (final notice, key account, large balance…). */
      reasons: z.array(z.string()).default([]),
      subject: z.string().nullable().optional(),
    }),
  ),
  /** Steps the simulation skipped or stopped at (paid, dispute open, promise…), for context. */
  notes: z.array(z.string()).default([]),
});
export type AutonomousPreview = z.infer<typeof AutonomousPreview>;

/**
 * One account's story as a person reads it: money in and out, what was said to the client (with its
 * text), calls, decisions, notes and the client's replies, newest first. Engine bookkeeping stays in
 * the timeline. `title` is already in words; `body` is text the person may want to read in full.
 */
export const feedKinds = ['invoice', 'payment', 'credit', 'message', 'call', 'decision', 'note', 'reply', 'promise', 'dispute'] as const;
export const AccountFeedItem = z.object({
  id: z.string(),
  kind: z.enum(feedKinds),
  /** For ordering; for a date-only fact (an invoice issued) noon UTC of that day. */
  at: Instant,
  /** Set for date-only facts: show this calendar day, not a time. */
  day: IsoDate.nullable(),
  /** False for money an import found paid with no date: `at` only orders it, and no day is shown. */
  dateKnown: z.boolean(),
  title: z.string(),
  body: z.string().nullable(),
  amountCents: Cents.nullable(),
  actorName: z.string().nullable(),
});
export type AccountFeedItem = z.infer<typeof AccountFeedItem>;
/** The invoice list beside the feed: days overdue counted in the account's own time zone, and where to pay. */
export const FeedInvoice = z.object({
  id: Uuid,
  number: z.string(),
  issueDate: IsoDate,
  dueDate: IsoDate,
  amountCents: Cents,
  balanceCents: Cents,
  status: z.enum(['open', 'paid', 'void']),
  /** Whole days past the due date for an open invoice; null when paid, void or not yet due. */
  daysOverdue: z.number().int().nullable(),
  payLink: z.string().nullable(),
});
export type FeedInvoice = z.infer<typeof FeedInvoice>;
export const AccountFeed = z.object({ currency: z.string(), items: z.array(AccountFeedItem), invoices: z.array(FeedInvoice) });
export type AccountFeed = z.infer<typeof AccountFeed>;
