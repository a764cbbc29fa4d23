/**
 * What Tactful does about a reply, decided from what it understood and how sure it is of the account.
 * Anything not listed as safe goes to a person: low confidence, an unknown sender, an ambiguous
 * match, instructions, bank details, contact changes, and every kind with no automatic path.
 */
import { ACT_THRESHOLD } from './types';
import type { Understanding } from './types';

export type ReplyAction =
  | { type: 'propose_promise'; promisedDate: string; amountCents: number | null }
  | { type: 'pause_and_verify'; reference: string | null; paidDate: string | null; amountCents: number | null }
  | { type: 'open_dispute'; reason: string; invoiceNumber: string | null }
  | { type: 'wait_until'; returnDate: string }
  | { type: 'draft_answer'; topic: 'invoice_copy' | 'payment_methods' | 'charge_explanation' | 'payment_status' }
  | { type: 'ignore_auto_reply' }
  | { type: 'to_person'; why: string };

export type MatchQuality = 'thread' | 'token' | 'contact' | 'ambiguous' | 'unmatched';

export interface ActionInput {
  understanding: Understanding;
  match: MatchQuality;
  /** The sender is one of the account's contacts. */
  knownSender: boolean;
}

export function decideReplyAction({ understanding: u, match, knownSender }: ActionInput): ReplyAction {
  if (match === 'unmatched' || match === 'ambiguous') return { type: 'to_person', why: match === 'unmatched' ? 'no account matches this reply' : 'more than one account could match this reply' };
  if (u.flags.includes('instruction_like')) return { type: 'to_person', why: 'the reply reads like instructions to the system' };
  // A dispute protects the client whoever wrote it, so it opens even below the usual bar; the rest
  // need a known sender (anyone can write "we paid").
  if (u.kind === 'dispute' && u.confidence >= 0.5) return { type: 'open_dispute', reason: u.evidence, invoiceNumber: u.details.invoiceNumber ?? null };
  if (!knownSender) return { type: 'to_person', why: 'the sender is not a known contact of this account' };
  if (u.flags.includes('auto_reply') && u.kind === 'other') return { type: 'ignore_auto_reply' };
  if (u.confidence < ACT_THRESHOLD) return { type: 'to_person', why: `not sure enough what the reply says (${Math.round(u.confidence * 100)}%)` };
  switch (u.kind) {
    case 'promise_to_pay':
      return u.details.promisedDate
        ? { type: 'propose_promise', promisedDate: u.details.promisedDate, amountCents: u.details.amountCents ?? null }
        : { type: 'to_person', why: 'a promise without a date' };
    case 'already_paid':
    case 'remittance_advice':
      return { type: 'pause_and_verify', reference: u.details.reference ?? null, paidDate: u.details.paidDate ?? null, amountCents: u.details.amountCents ?? null };
    case 'out_of_office':
      return u.details.returnDate ? { type: 'wait_until', returnDate: u.details.returnDate } : { type: 'to_person', why: 'out of office without a return date' };
    case 'question':
      if (!u.details.topic || u.details.topic === 'bank_details' || u.flags.includes('mentions_bank_details'))
        return { type: 'to_person', why: 'questions about bank details are answered by a person' };
      return { type: 'draft_answer', topic: u.details.topic };
    case 'wrong_contact':
      return { type: 'to_person', why: u.details.unsubscribe ? 'the contact asks not to be written to' : 'the reply says this is the wrong contact' };
    default:
      return { type: 'to_person', why: 'the reply does not say anything Tactful acts on' };
  }
}

/** Acting on the wrong thing: an automatic promise, pause, dispute, wait or answer the truth does not call for. */
export function wronglyActedOn(taken: ReplyAction, right: ReplyAction): boolean {
  const automatic = taken.type !== 'to_person' && taken.type !== 'ignore_auto_reply';
  if (!automatic) return false;
  if (taken.type !== right.type) return true;
  if (taken.type === 'propose_promise' && right.type === 'propose_promise') return taken.promisedDate !== right.promisedDate;
  if (taken.type === 'wait_until' && right.type === 'wait_until') return taken.returnDate > right.returnDate;
  if (taken.type === 'draft_answer' && right.type === 'draft_answer') return taken.topic !== right.topic;
  return false;
}
