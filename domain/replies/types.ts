/**
 * What Tactful understood a client's reply to say, and what it may do about it. Shared by the rules
 * classifier, the model classifier (whose answer is validated against `Understanding`) and the code
 * that acts on a reply.
 */
import { z } from 'zod';
import { IsoDate } from '../facts';

export const replyKinds = [
  'promise_to_pay',
  'already_paid',
  'dispute',
  'question',
  'remittance_advice',
  'out_of_office',
  'wrong_contact',
  'other',
] as const;
export const ReplyKind = z.enum(replyKinds);
export type ReplyKind = z.infer<typeof ReplyKind>;

export const questionTopics = ['invoice_copy', 'payment_methods', 'charge_explanation', 'payment_status', 'bank_details'] as const;
export const QuestionTopic = z.enum(questionTopics);
export type QuestionTopic = z.infer<typeof QuestionTopic>;

export const PaidMethod = z.enum(['ach', 'card', 'check', 'wire', 'other']);

/** The details each kind may carry; every field is what the reply said, never a guess. */
export const ReplyDetails = z.object({
  promisedDate: IsoDate.nullable().optional(),
  amountCents: z.number().int().nonnegative().nullable().optional(),
  paidDate: IsoDate.nullable().optional(),
  reference: z.string().max(64).nullable().optional(),
  method: PaidMethod.nullable().optional(),
  invoiceNumber: z.string().max(64).nullable().optional(),
  reason: z.string().max(500).nullable().optional(),
  topic: QuestionTopic.nullable().optional(),
  returnDate: IsoDate.nullable().optional(),
  unsubscribe: z.boolean().optional(),
});
export type ReplyDetails = z.infer<typeof ReplyDetails>;

/**
 * Things a person must see whatever the kind: a reply that talks about bank details or contacts is
 * never acted on for that part, and one that reads like instructions to the system is never obeyed.
 */
export const replyFlags = ['mentions_bank_details', 'mentions_contact_change', 'instruction_like', 'auto_reply', 'mixed_intents'] as const;
export const ReplyFlag = z.enum(replyFlags);
export type ReplyFlag = z.infer<typeof ReplyFlag>;

export const Understanding = z.object({
  kind: ReplyKind,
  /** 0..1: how sure the classifier is; below `ACT_THRESHOLD` a person decides. */
  confidence: z.number().min(0).max(1),
  /** The sentence of the reply that supports the kind, verbatim (empty for `other`). */
  evidence: z.string().max(1000),
  details: ReplyDetails,
  flags: z.array(ReplyFlag),
});
export type Understanding = z.infer<typeof Understanding>;

/** Below this, nothing happens automatically: the reply waits for a person. */
export const ACT_THRESHOLD = 0.7;

/** A reply as the classifiers see it: already parsed, its headers lower-cased. */
export interface ReplyText {
  subject: string;
  /** The whole text body (mailparser's text, or the HTML turned into text). */
  text: string;
  headers: Record<string, string>;
}

/** Where "today" is for the client: dates like "the 15th" and "yesterday" are read in its calendar. */
export interface ReadingContext {
  /** The instant the reply was received. */
  receivedAt: string;
  timeZone: string;
}

/** What understands a reply: the model through an OpenAI-compatible endpoint, or the rules offline. */
export interface ReplyClassifier {
  readonly name: string;
  classify(reply: ReplyText, ctx: ReadingContext): Promise<Understanding>;
}
