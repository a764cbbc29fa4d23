/**
 * Service pauses and collections referrals: the policy recommends them, a manager decides. A service
 * pause is the MSP suspending the client's services, not a pause of Tactful's follow-up.
 */
import { z } from 'zod';
import { Cents, Instant, IsoDate, Page, pageOf, Uuid } from './common';

export const recommendationKinds = ['service_pause', 'collections'] as const;
export const RecommendationKind = z.enum(recommendationKinds);
export const recommendationStatuses = ['pending', 'approved', 'declined', 'withdrawn'] as const;
export const RecommendationStatus = z.enum(recommendationStatuses);

export const RecommendationListQuery = Page.extend({
  status: RecommendationStatus.default('pending'),
  kind: RecommendationKind.optional(),
  accountId: Uuid.optional(),
}).strict();
export type RecommendationListQuery = z.infer<typeof RecommendationListQuery>;

/** What a collections agency (or the manager deciding) needs to see: the account's record so far. */
export const PaperTrail = z.object({
  balanceCents: Cents,
  openInvoices: z.number().int(),
  oldestDueDate: IsoDate.nullable(),
  daysOverdue: z.number().int(),
  messagesSent: z.number().int(),
  callsLogged: z.number().int(),
  promisesBroken: z.number().int(),
  disputesOpened: z.number().int(),
});
export type PaperTrail = z.infer<typeof PaperTrail>;

export const RecommendationItem = z.object({
  id: Uuid,
  accountId: Uuid,
  accountName: z.string(),
  kind: RecommendationKind,
  status: RecommendationStatus,
  /** As they were when the policy recommended it. */
  balanceCents: Cents,
  daysOverdue: z.number().int(),
  createdAt: Instant,
  decidedAt: Instant.nullable(),
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
  /** As it is now. */
  paperTrail: PaperTrail,
});
export type RecommendationItem = z.infer<typeof RecommendationItem>;
export const RecommendationPage = pageOf(RecommendationItem);
export type RecommendationPage = z.infer<typeof RecommendationPage>;

export const RecommendationDecisionRequest = z.strictObject({
  decision: z.enum(['approve', 'decline']),
  /** Why: it goes on the paper trail with the decider's name. */
  reason: z.string().trim().min(1).max(1000),
});
export type RecommendationDecisionRequest = z.infer<typeof RecommendationDecisionRequest>;

export const RecommendationDecisionResponse = RecommendationItem;
