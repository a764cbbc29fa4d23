/**
 * Contracts of the drafting feature: what a drafter gets, what it must answer (validated with zod,
 * also used as the model's structured-output schema) and what the draft activity records.
 */
import { z } from 'zod';
import { IsoDate, Tone } from '../facts';
import type { AccountFacts, Instant } from '../facts';
import type { PolicyStep } from '../policy/schema';
import type { PlannedStep } from '../policy/types';
import type { LateFees } from '../settings';
import type { ProseAnswer } from './prose';

/**
 * The parts of the policy step that decide what a message may say. PlannedStep does not carry them,
 * so the draft activity copies them from the policy step (see `draftRulesFromPolicyStep`).
 */
export interface DraftRules {
  requiresPayLink: boolean;
  allowsConsequences: boolean;
  statesInterruption: boolean;
  /** The deadline a second reminder or collections notice names; defaults to 7 days after today. */
  replyByDate?: IsoDate;
}

export function draftRulesFromPolicyStep(
  step: Pick<PolicyStep, 'requiresPayLink' | 'allowsConsequences' | 'statesInterruption'>,
  replyByDate?: IsoDate,
): DraftRules {
  return {
    requiresPayLink: step.requiresPayLink,
    allowsConsequences: step.allowsConsequences,
    statesInterruption: step.statesInterruption,
    ...(replyByDate ? { replyByDate } : {}),
  };
}

export interface DraftSender {
  name: string;
  company: string;
  email: string;
  /** Where checks are mailed; without it a check payer is asked to reply for the address. */
  remittanceAddress?: string[];
}

export interface EarlierMessage {
  stepId: string;
  sentAt: Instant;
  subject: string;
  /** The escalation cycle it was sent in; without it the statement places it by its date. */
  cycleKey?: string;
}

export interface DraftInput {
  facts: AccountFacts;
  step: PlannedStep;
  now: Instant;
  /** Built for this account already (signed, per account); the only link a draft may contain. */
  payLink: string;
  sender: DraftSender;
  earlierMessages: EarlierMessage[];
  rules: DraftRules;
  /** The client's latest reply, when there is one: a dispute in it makes the draft sensitive. */
  lastReply?: { receivedAt: Instant; text: string } | null;
  /**
   * Payments the message states by design, whatever their cycle: an answer to "has my payment
   * arrived?" names the last one received. Their amount and day of receipt are true of the account.
   */
  statedPaymentIds?: string[];
  /** Invoices whose lines the message states by design (an answer to "what is this charge for?"). */
  statedLinesOf?: string[];
  /** The installation's late-fee setting; absent means the agreement has none. */
  lateFees?: LateFees;
}

export const DraftClaims = z.object({
  amountsCents: z.array(z.number().int().nonnegative()),
  invoiceNumbers: z.array(z.string()),
  dates: z.array(IsoDate),
  links: z.array(z.string()),
});
export type DraftClaims = z.infer<typeof DraftClaims>;

export const DraftOutput = z.object({
  subject: z.string().min(1).max(200),
  bodyText: z.string().min(1).max(8000),
  /** Simple HTML: paragraphs, lists, a table, links. Checked like the text. */
  bodyHtml: z.string().min(1).max(16000),
  tone: Tone,
  claims: DraftClaims,
  confidence: z.number().min(0).max(1),
});
export type DraftOutput = z.infer<typeof DraftOutput>;

export interface DrafterAnswer extends DraftOutput {
  promptVersion?: string;
  model?: string;
  /**
   * A model's own words (see prose.ts). Set by every model drafter: the safe drafter checks this prose
   * and renders the message from it itself, so a model's subject, bodies and HTML are never sent as given.
   */
  prose?: ProseAnswer;
}

export interface Drafter {
  readonly name: string;
  /** `feedback` lists what was wrong with the previous attempt, for a redraft. */
  draft(input: DraftInput, feedback?: string[]): Promise<DrafterAnswer>;
}

export type FactCheckCategory = 'amount' | 'invoice' | 'date' | 'link' | 'language' | 'required' | 'html' | 'claims';

export interface FactCheckIssue {
  category: FactCheckCategory;
  message: string;
}

export interface FactCheck {
  passed: boolean;
  failures: string[];
}

export interface FactCheckResult extends FactCheck {
  issues: FactCheckIssue[];
}

export interface DraftResult extends DraftOutput {
  source: 'model' | 'template';
  model?: string;
  promptVersion: string;
  factCheck: FactCheck;
  /** Calls made to the primary drafter (1 for the template drafter on its own). */
  attempts: number;
  /** Why a person must look at this draft; added to the policy's own reasons. */
  sensitiveReasons: string[];
  /** For a model draft: the allow-list check of its prose (a model draft without a passed one never goes out alone). */
  proseCheck?: FactCheck;
}
