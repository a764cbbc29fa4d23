/** The call list, the call-prep sheet and the outcome a caller logs. */
import { z } from 'zod';
import { Cents, Instant, IsoDate, Page, pageOf, PositiveCents, QueryBool, Uuid } from './common';

export const CallListQuery = Page.extend({
  /** Only calls due now (due time passed). */
  due: QueryBool.optional(),
  /** Only calls assigned to me. Callers always see only their own and unassigned calls. */
  mine: QueryBool.optional(),
  status: z.enum(['open', 'done', 'cancelled']).default('open'),
}).strict();
export type CallListQuery = z.infer<typeof CallListQuery>;

export const CallListItem = z.object({
  id: Uuid,
  accountId: Uuid,
  accountName: z.string(),
  balanceCents: Cents,
  stepId: z.string(),
  status: z.enum(['open', 'done', 'cancelled']),
  dueAt: Instant,
  assignedTo: Uuid.nullable(),
  assignedToName: z.string().nullable(),
  primaryContact: z.object({ name: z.string(), phone: z.string().nullable(), email: z.string() }).nullable(),
  outcome: z.string().nullable(),
  completedAt: Instant.nullable(),
  /** Calls logged on this task so far ("no answer" keeps it open), and when the latest was. */
  attempts: z.number().int().optional(),
  lastAttemptAt: Instant.nullable().optional(),
});
export type CallListItem = z.infer<typeof CallListItem>;
export const CallPage = pageOf(CallListItem);

export const CallDetail = z.object({
  task: CallListItem.extend({ outcomeNotes: z.string().nullable(), promisedDate: IsoDate.nullable() }),
  /** The latest call-prep sheet, as the sheet activity wrote it; null until it is prepared. */
  sheet: z.object({ version: z.number().int(), source: z.string(), createdAt: Instant, sheet: z.unknown() }).nullable(),
});
export type CallDetail = z.infer<typeof CallDetail>;

const Notes = z.string().trim().max(4000).optional();
export const CallOutcomeRequest = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('promise'), promisedDate: IsoDate, amountCents: PositiveCents.optional(), notes: Notes }),
  z.strictObject({ outcome: z.literal('dispute'), reason: z.string().trim().min(1).max(4000), notes: Notes }),
  z.strictObject({ outcome: z.enum(['no_answer', 'wrong_number', 'other']), notes: Notes }),
]);
export type CallOutcomeRequest = z.infer<typeof CallOutcomeRequest>;

export const CallOutcomeResponse = z.object({ callTaskId: Uuid, recorded: z.string() });

/** Claiming puts a call on one caller's list; releasing hands it back to everyone. */
export const CallClaimResponse = z.object({ callTaskId: Uuid, assignedTo: Uuid.nullable(), assignedToName: z.string().nullable() });
export type CallClaimResponse = z.infer<typeof CallClaimResponse>;
