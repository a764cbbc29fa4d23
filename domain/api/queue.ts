/** The copilot queue: drafts waiting for a person, and the decisions people take on them. */
import { z } from 'zod';
import { HeaderText } from '../settings';
import { Mode, Segment, Tone } from '../facts';
import { Cents, Instant, IsoDate, Page, pageOf, QueryBool, Uuid } from './common';

export const queueSorts = ['age', 'amount', 'risk'] as const;

export const QueueQuery = Page.extend({
  sort: z.enum(queueSorts).default('age'),
  order: z.enum(['asc', 'desc']).optional(),
  accountId: Uuid.optional(),
  stepId: z.string().max(40).optional(),
  /** Only drafts a person must look at even in autonomous mode (or only the routine ones). */
  sensitive: QueryBool.optional(),
  search: z.string().max(200).optional(),
}).strict();
export type QueueQuery = z.infer<typeof QueueQuery>;

export const QueueItem = z.object({
  id: Uuid,
  accountId: Uuid,
  accountName: z.string(),
  segment: Segment,
  mode: Mode,
  stepId: z.string(),
  channel: z.string(),
  subject: z.string(),
  tone: Tone,
  amountCents: Cents,
  daysOverdue: z.number().int(),
  sensitiveReasons: z.array(z.string()),
  factCheckPassed: z.boolean(),
  createdAt: Instant,
  /** Minutes waiting for approval. */
  waitingMinutes: z.number().int(),
  escalated: z.boolean(),
  /**
   * Risk for sorting, 0–100: grows with days overdue, balance, broken promises and sensitivity.
   * A ranking aid, not a score anyone is judged by.
   */
  risk: z.number().int(),
  /** Who wrote the draft: the language model, or the template it falls back to. */
  source: z.enum(['model', 'template']).optional(),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const QueuePage = pageOf(QueueItem);
export type QueuePage = z.infer<typeof QueuePage>;

export const QueueInvoice = z.object({
  id: Uuid,
  number: z.string(),
  issueDate: IsoDate,
  dueDate: IsoDate,
  amountCents: Cents,
  balanceCents: Cents,
  status: z.enum(['open', 'paid', 'void']),
});

export const FactCheckView = z.object({
  passed: z.boolean(),
  failures: z.array(z.string()),
  issues: z.array(z.object({ category: z.string(), message: z.string() })).optional(),
});

export const QueueDetail = z.object({
  message: QueueItem.extend({
    status: z.enum(['pending_approval', 'approved', 'rejected', 'superseded', 'sent', 'suppressed', 'sending', 'unconfirmed']),
    toEmail: z.string(),
    bodyText: z.string(),
    bodyHtml: z.string().nullable(),
    draftSubject: z.string(),
    draftBodyText: z.string(),
    source: z.string(),
    model: z.string().nullable(),
    confidence: z.number().nullable(),
    cycleKey: z.string(),
    scheduledFor: Instant.nullable(),
    decidedAt: Instant.nullable(),
    decisionReason: z.string().nullable(),
    /** How the send went, when a person must know ("sent while a payment was arriving", "may have been sent at …"). */
    sendNote: z.string().nullable().optional(),
  }),
  factCheck: FactCheckView,
  account: z.object({
    id: Uuid,
    name: z.string(),
    segment: Segment,
    mode: Mode,
    balanceCents: Cents,
    stage: z.string().nullable(),
    paused: z.boolean(),
    clientSince: IsoDate,
    paymentMethod: z.string(),
    timeZone: z.string(),
    disputeOpen: z.boolean(),
    openPromise: z.object({ promisedDate: IsoDate, amountCents: Cents.nullable() }).nullable(),
  }),
  /** The invoices the draft is about. */
  invoices: z.array(QueueInvoice),
  /**
   * The account's statement on the day the draft goes out, read the way the draft was written: what is
   * overdue and what is not yet due, and whether anything was written to the client in this cycle.
   */
  statement: z
    .object({
      sendDate: IsoDate,
      overdueCents: Cents,
      upcomingCents: Cents,
      totalOwedCents: Cents,
      currency: z.string(),
      firstContact: z.boolean(),
      messagesThisCycle: z.number().int().nonnegative(),
      invoices: z.array(z.object({ id: Uuid, state: z.enum(['overdue', 'upcoming']), daysPastDue: z.number().int().nonnegative() })),
    })
    .nullable()
    .optional(),
  /** For an answer to a client's question: the reply that asked it. */
  question: z.object({ replyId: Uuid, from: z.string(), subject: z.string(), receivedAt: Instant, text: z.string() }).nullable().optional(),
  /** Earlier messages to this account, newest first. */
  history: z.array(z.object({ id: Uuid, stepId: z.string(), status: z.string(), subject: z.string(), createdAt: Instant, sentAt: Instant.nullable() })),
});
export type QueueDetail = z.infer<typeof QueueDetail>;

export const DecisionRequest = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('approve') }),
  z.strictObject({
    decision: z.literal('approve_with_edits'),
    subject: HeaderText(200),
    bodyText: z.string().trim().min(1).max(8000),
  }),
  z.strictObject({ decision: z.literal('reject'), reason: z.string().trim().min(1).max(1000) }),
]);
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const DecisionResponse = z.object({
  messageId: Uuid,
  status: z.enum(['approved', 'rejected']),
});
export type DecisionResponse = z.infer<typeof DecisionResponse>;

export const BulkApproveRequest = z.strictObject({ messageIds: z.array(Uuid).min(1).max(100) });
export type BulkApproveRequest = z.infer<typeof BulkApproveRequest>;

export const BulkApproveResponse = z.object({
  results: z.array(
    z.object({
      messageId: Uuid,
      ok: z.boolean(),
      status: z.enum(['approved', 'rejected']).optional(),
      /** A problem type (see problems.ts) when not ok, e.g. already decided or superseded. */
      problem: z.string().optional(),
      detail: z.string().optional(),
    }),
  ),
});
export type BulkApproveResponse = z.infer<typeof BulkApproveResponse>;
