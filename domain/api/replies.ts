/** The Replies view's API: client replies waiting for a person, and the one-click confirm of a proposed promise. */
import { z } from 'zod';
import { FactWriteResponse, Uuid } from './common';

export const ReplyListQuery = z.strictObject({
  /** waiting (a person decides), proposed (a promise to confirm), verifying, holding, answering (its answer is in the queue or being sent), done. */
  status: z.enum(['waiting', 'proposed', 'verifying', 'holding', 'answering', 'done']).optional(),
  accountId: Uuid.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

export const ReplyItem = z.object({
  id: Uuid,
  accountId: Uuid.nullable(),
  accountName: z.string().nullable(),
  from: z.string(),
  subject: z.string(),
  receivedAt: z.string(),
  kind: z.string(),
  confidence: z.number(),
  evidence: z.string(),
  details: z.record(z.string(), z.unknown()),
  flags: z.array(z.string()),
  match: z.string(),
  knownSender: z.boolean(),
  action: z.string(),
  status: z.string(),
  outcome: z.string().nullable(),
  holdUntil: z.string().nullable(),
  answerText: z.string().nullable(),
  text: z.string(),
  /** When a person settled it or its answer was sent. */
  resolvedAt: z.string().nullable(),
});
export type ReplyItem = z.infer<typeof ReplyItem>;

export const ReplyPage = z.object({ items: z.array(ReplyItem), page: z.number(), pageSize: z.number(), total: z.number(), waiting: z.number() });
export const ConfirmPromiseResponse = FactWriteResponse;

/** A person dealt with a reply outside Tactful (answered by phone, by their own e-mail): what they did. */
export const HandledRequest = z.strictObject({ note: z.string().trim().min(1, 'Say what was done, for the paper trail').max(2000) });
export const HandledResponse = z.object({ id: Uuid, status: z.literal('done'), outcome: z.string() });
