/**
 * Tone follows history: how warmly an account is written to is computed from facts (tenure, on-time
 * record, lateness, broken promises, segment), never from anyone's mood. The policy step sets the
 * stage's base tone; warmth moves it one notch.
 */
import { addDays, daysBetween, localDate, monthsBetween } from './calendar';
import type { AccountFacts, Instant, PaymentMethod, Segment, Tone } from './facts';

export interface ToneFacts {
  tenureMonths: number;
  /** Share of invoices paid by their due date, over invoices paid in the last 12 months; null without any. */
  onTimeShare12m: number | null;
  /** Mean days late over invoices paid in the last 12 months (on-time ones count as 0); null without any. */
  avgDaysLate: number | null;
  brokenPromises12m: number;
  paidInvoices12m: number;
  segment: Segment;
}

export type WarmthLevel = Tone;

export interface Warmth {
  level: WarmthLevel;
  score: number;
  reasons: string[];
}

/** The thresholds warmth is scored against; documented here so managers can be told why. */
export const warmthThresholds = {
  /** At or above this score an account is written to warmly. */
  warmScore: 3,
  /** At or below this score an account is written to firmly. */
  firmScore: -2,
  /** On-time share and lateness only count once this many invoices were paid in 12 months. */
  minPaidInvoices: 3,
  longTenureMonths: 24,
  tenureMonths: 12,
  reliableOnTimeShare: 0.9,
  mostlyOnTimeShare: 0.75,
  unreliableOnTimeShare: 0.5,
  lateDays: 7,
  veryLateDays: 21,
  pointsPerBrokenPromise: 2,
  maxBrokenPromisePoints: 4,
} as const;

const YEAR_DAYS = 365;

/**
 * The history behind warmth. An open promise whose date plus grace has passed counts as broken, the
 * same way the escalation policy treats it.
 */
export function toneFactsFromHistory(
  facts: AccountFacts,
  now: Instant,
  options: { promiseGraceDays?: number } = {},
): ToneFacts {
  const grace = options.promiseGraceDays ?? 2;
  const today = localDate(now, facts.timeZone);
  const yearAgo = addDays(today, -YEAR_DAYS);

  const lateness = facts.invoices
    .filter((inv) => inv.status === 'paid' && inv.paidAt)
    .map((inv) => ({ due: inv.dueDate, paid: localDate(inv.paidAt!, facts.timeZone) }))
    .filter(({ paid }) => paid >= yearAgo && paid <= today)
    .map(({ due, paid }) => Math.max(0, daysBetween(due, paid)));

  const brokenPromises12m = facts.promises.filter((p) => {
    if (localDate(p.createdAt, facts.timeZone) < yearAgo) return false;
    return p.status === 'broken' || (p.status === 'open' && addDays(p.promisedDate, grace) < today);
  }).length;

  const n = lateness.length;
  return {
    tenureMonths: monthsBetween(facts.clientSince, today),
    onTimeShare12m: n ? lateness.filter((d) => d === 0).length / n : null,
    avgDaysLate: n ? lateness.reduce((a, b) => a + b, 0) / n : null,
    brokenPromises12m,
    paidInvoices12m: n,
    segment: facts.segment,
  };
}

export function warmth(t: ToneFacts): Warmth {
  const th = warmthThresholds;
  let score = 0;
  const reasons: string[] = [];
  const add = (points: number, reason: string) => {
    score += points;
    reasons.push(`${points > 0 ? '+' : ''}${points} ${reason}`);
  };

  if (t.tenureMonths >= th.longTenureMonths) add(2, `client for ${t.tenureMonths} months`);
  else if (t.tenureMonths >= th.tenureMonths) add(1, `client for ${t.tenureMonths} months`);

  if (t.paidInvoices12m < th.minPaidInvoices || t.onTimeShare12m === null || t.avgDaysLate === null) {
    reasons.push(`0 too little payment history (${t.paidInvoices12m} invoices paid in 12 months)`);
  } else {
    const pct = `${Math.round(t.onTimeShare12m * 100)}% paid on time in 12 months`;
    if (t.onTimeShare12m >= th.reliableOnTimeShare) add(2, pct);
    else if (t.onTimeShare12m >= th.mostlyOnTimeShare) add(1, pct);
    else if (t.onTimeShare12m < th.unreliableOnTimeShare) add(-2, pct);
    const late = `${Math.round(t.avgDaysLate)} days late on average`;
    if (t.avgDaysLate > th.veryLateDays) add(-2, late);
    else if (t.avgDaysLate > th.lateDays) add(-1, late);
  }

  if (t.brokenPromises12m > 0) {
    const points = Math.min(th.maxBrokenPromisePoints, th.pointsPerBrokenPromise * t.brokenPromises12m);
    add(-points, `${t.brokenPromises12m} broken promise(s) in 12 months`);
  }
  if (t.segment === 'long_term') add(1, 'long-term client segment');

  let level: WarmthLevel = score >= th.warmScore ? 'warm' : score <= th.firmScore ? 'firm' : 'neutral';
  if (level === 'firm' && t.segment === 'key_account') {
    level = 'neutral';
    reasons.push('key account: never written to below neutral');
  }
  return { level, score, reasons };
}

const scale: readonly Tone[] = ['warm', 'neutral', 'firm'];

export function firmer(tone: Tone): Tone {
  return scale[Math.min(scale.length - 1, scale.indexOf(tone) + 1)];
}

export function warmer(tone: Tone): Tone {
  return scale[Math.max(0, scale.indexOf(tone) - 1)];
}

/** The stage's base tone, moved one notch towards the account's warmth. */
export function calibrateTone(baseTone: Tone, level: WarmthLevel): Tone {
  if (level === 'warm') return warmer(baseTone);
  if (level === 'firm') return firmer(baseTone);
  return baseTone;
}

export interface PaymentMethodHint {
  method: PaymentMethod;
  topic: 'bank_verification' | 'card_update' | 'remittance_address' | 'wire_instructions' | 'payment_options';
  /** What the message asks for, phrased for the drafter. */
  ask: string;
}

export function paymentMethodHint(method: PaymentMethod): PaymentMethodHint {
  switch (method) {
    case 'ach':
      return {
        method,
        topic: 'bank_verification',
        ask: 'Ask them to confirm the bank account on file and authorise the ACH debit (or complete the micro-deposit verification if it is still pending).',
      };
    case 'card':
      return {
        method,
        topic: 'card_update',
        ask: 'Ask them to update the card on file in case it expired or was declined, then the charge can be retried.',
      };
    case 'check':
      return {
        method,
        topic: 'remittance_address',
        ask: 'Give the remittance address for checks and ask them to write the invoice numbers on the check or its stub.',
      };
    case 'wire':
      return {
        method,
        topic: 'wire_instructions',
        ask: 'Give the wire instructions and ask them to put the invoice numbers in the payment reference.',
      };
    case 'other':
      return { method, topic: 'payment_options', ask: 'Offer the payment link and list the accepted payment methods.' };
  }
}
