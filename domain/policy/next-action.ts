/**
 * The escalation engine's one decision: given an account's facts and "now", what happens next and
 * when. Pure and deterministic (it runs inside workflow code). The workflow acts on the answer and
 * asks again whenever a fact changes or the moment it was told about arrives; asking again at that
 * moment gives the same answer, so sleeping on `at`/`until` and re-asking is always safe.
 * `skipped` is recomputed on every answer: record each (stepId, cycleKey) in the paper trail once.
 */
import {
  addDays,
  daysBetween,
  instantMs,
  laterOf,
  localDate,
  nextBusinessInstant,
  nextWorkingDay,
  startOfLocalDay,
} from '../calendar';
import type { AccountFacts, Instant, InvoiceFact, IsoDate } from '../facts';
import { calibrateTone, firmer, toneFactsFromHistory, warmth } from '../tone';
import { stepKinds } from './schema';
import type { PolicyDefinition, PolicyStep, StepKind } from './schema';
import type { IdleReason, NextAction, PlannedStep, SkippedStep } from './types';
import { MANAGER_STEP_KINDS } from './manager-decisions';

export interface NextActionInput {
  policy: PolicyDefinition;
  facts: AccountFacts;
  now: Instant;
  /** A draft for this account is waiting for a person's decision. */
  pendingDecision?: boolean;
}

export const sensitiveReasons = [
  'step_sensitive',
  'human_only',
  'key_account',
  'sensitive_segment',
  'large_balance',
  'recent_dispute',
  'broken_promise',
] as const;
export type SensitiveReason = (typeof sensitiveReasons)[number];

export const sensitiveReasonLabels: Record<SensitiveReason, string> = {
  step_sensitive: 'This step is always decided by a person',
  human_only: 'A person must take this step',
  key_account: 'Key account',
  sensitive_segment: 'Sensitive account',
  large_balance: 'Large balance',
  recent_dispute: 'A dispute was resolved recently',
  broken_promise: 'First follow-up after a broken promise to pay',
};

/** A resolved dispute keeps steps in human hands for this many days. */
export const RECENT_DISPUTE_DAYS = 30;
export const DEFAULT_INTERRUPTION_AFTER_DAYS = 10;

// DESIGN.md rules that hold whatever a manager writes into a policy.
const minDaysPastDue: Partial<Record<StepKind, number>> = { service_pause: 31, collections: 91 };
const alwaysSensitive: ReadonlySet<StepKind> = new Set<StepKind>(['final_notice', 'service_pause', 'collections']);
const alwaysHuman: ReadonlySet<StepKind> = new Set<StepKind>(['call', 'service_pause', 'collections']);
const managerDecision = MANAGER_STEP_KINDS;
/** Steps that are written to the client; a call task or a recommendation is not a message. */
const written = (s: Pick<PolicyStep, 'channel'>) => s.channel === 'email' || s.channel === 'letter';
const rankOf = (kind: StepKind) => stepKinds.indexOf(kind);
/** From this step on, a message presumes the client was written to before in this cycle. */
const presumesEarlier = rankOf('final_notice');

/** Invoices still owed, oldest due first: the first one anchors the escalation. */
export function openInvoices(invoices: readonly InvoiceFact[]): InvoiceFact[] {
  return invoices
    .filter((inv) => inv.status !== 'void' && inv.balanceCents > 0)
    .sort((a, b) => cmp(a.dueDate, b.dueDate) || cmp(a.issueDate, b.issueDate) || cmp(a.id, b.id));
}

export const cycleKeyOf = (invoice: Pick<InvoiceFact, 'id' | 'dueDate'>): string => `${invoice.id}:${invoice.dueDate}`;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const relDay = (n: number) => `D${n >= 0 ? '+' : ''}${n}`;
const idle = (reason: IdleReason, skipped: SkippedStep[] = []): NextAction => ({ type: 'idle', reason, skipped });

interface PromiseState {
  /** Last day (grace included) of an open promise; escalation waits until the day after. */
  openUntil?: IsoDate;
  /** A promise of this cycle was broken and nothing has gone out since. */
  brokenUnanswered: boolean;
  /** A promise of this cycle was kept: the client did commit, so no service pause. */
  kept: boolean;
}

function promiseState(facts: AccountFacts, anchor: InvoiceFact, today: IsoDate, graceDays: number): PromiseState {
  const state: PromiseState = { brokenUnanswered: false, kept: false };
  for (const p of facts.promises) {
    const lastDay = addDays(p.promisedDate, graceDays);
    if (p.status === 'open' && lastDay >= today) {
      if (!state.openUntil || lastDay > state.openUntil) state.openUntil = lastDay;
      continue;
    }
    // Promises made before the anchor invoice existed belong to an earlier cycle.
    if (localDate(p.createdAt, facts.timeZone) < anchor.issueDate) continue;
    if (p.status === 'kept') state.kept = true;
    // Nothing goes out while a promise is open, so "sent after it was made" means "sent after it broke".
    if (p.status === 'broken' || p.status === 'open') {
      const made = instantMs(p.createdAt);
      if (!facts.sent.some((s) => instantMs(s.sentAt) > made)) state.brokenUnanswered = true;
    }
  }
  return state;
}

export function nextAction({ policy, facts, now, pendingDecision = false }: NextActionInput): NextAction {
  const open = openInvoices(facts.invoices);
  if (open.length === 0) return idle('no_open_balance');
  if (facts.disputes.some((d) => d.status === 'open')) return idle('dispute_open');
  if (facts.paused) return idle('paused');
  if (pendingDecision) return idle('awaiting_decision');

  const { rules } = policy;
  const tz = facts.timeZone;
  const business = (instant: Instant) => nextBusinessInstant(instant, tz, facts.businessHours, facts.holidays);
  const dayStart = (date: IsoDate) => startOfLocalDay(date, tz);

  const anchor = open[0];
  const cycleKey = cycleKeyOf(anchor);
  const balanceCents = open.reduce((sum, inv) => sum + inv.balanceCents, 0);

  const promise = promiseState(facts, anchor, localDate(now, tz), rules.promiseGraceDays);
  if (promise.openUntil) {
    return { type: 'wait', until: business(dayStart(addDays(promise.openUntil, 1))), reason: 'promise_open', skipped: [] };
  }

  const steps = policy.steps.filter((s) => s.enabled);
  const sentThisCycle = new Set(facts.sent.filter((s) => s.cycleKey === cycleKey).map((s) => s.stepId));
  const lastDone = steps.reduce((last, s, i) => (sentThisCycle.has(s.id) ? i : last), -1);
  // Anything before the last step sent was either sent or passed over for good.
  const pending = steps.slice(lastDone + 1);

  const lastSent = facts.sent.reduce<Instant | undefined>((last, s) => (last ? laterOf(last, s.sentAt) : s.sentAt), undefined);
  // Cool-down counts calendar days, so the follow-up lands at opening time rather than at the hour of the last one.
  const coolDownEnd = lastSent ? dayStart(addDays(localDate(lastSent, tz), rules.coolDownDays)) : undefined;

  // Everything is judged at the first moment we could act, so re-asking at that moment agrees.
  const actAt = business(now);
  const actDay = localDate(actAt, tz);
  const daysPastDue = daysBetween(anchor.dueDate, actDay);

  // The day this cycle's first written message went out (a rejected draft was never read by anyone).
  const byId = new Map(steps.map((s) => [s.id, s]));
  const firstWritten = facts.sent
    .filter((x) => x.cycleKey === cycleKey && x.delivered !== false && byId.has(x.stepId) && written(byId.get(x.stepId)!))
    .map((x) => localDate(x.sentAt, tz))
    .sort()[0];
  // A final notice and what follows keep their distance from the first written message, however late
  // the cycle started: a client caught up late gets the policy's time to answer the first one.
  const spacingFloor = firstWritten ? addDays(firstWritten, rules.catchUpSpacingDays) : undefined;
  const baseDay = (s: PolicyStep) => addDays(anchor.dueDate, Math.max(s.offsetDays, minDaysPastDue[s.kind] ?? s.offsetDays));
  const dueDay = (s: PolicyStep) => {
    const own = baseDay(s);
    return rankOf(s.kind) >= presumesEarlier && spacingFloor && spacingFloor > own ? spacingFloor : own;
  };
  // A window is counted on the step's own schedule: the days the spacing pushed it back do not use it up.
  const windowPassed = (s: PolicyStep) => s.windowEndDays !== undefined && daysPastDue - daysBetween(baseDay(s), dueDay(s)) > s.windowEndDays;
  // A pause or a collections referral is put to a manager only after a person has called in this
  // cycle: an account caught up late gets the call first, never a decision about it without one.
  const callStep = steps.find((s) => s.kind === 'call');
  const calledThisCycle = !callStep || sentThisCycle.has(callStep.id);
  const applicable = (s: PolicyStep) => {
    const c = s.conditions;
    if (managerDecision.has(s.kind) && (!calledThisCycle || !firstWritten)) return false;
    if (c.minBalanceCents !== undefined && balanceCents < c.minBalanceCents) return false;
    if (c.segments?.length && !c.segments.includes(facts.segment)) return false;
    if ((c.requiresNoCommitment || s.kind === 'service_pause') && promise.kept) return false;
    if (s.kind === 'collections' && balanceCents < rules.collectionsFloorCents) return false;
    return true;
  };

  const skipped: SkippedStep[] = [];
  const due = pending.filter((s) => dueDay(s) <= actDay && applicable(s));
  for (const s of due.filter(windowPassed)) {
    skipped.push({ stepId: s.id, cycleKey, reason: `its window ended on ${relDay(s.windowEndDays!)}` });
  }
  // Catch-up: a step whose own moment came before the latest due step's moment was missed and is
  // passed over. Steps that a weekend or holiday bunched onto the same moment still go one by one.
  const live = due.filter((s) => !windowPassed(s)).map((s) => ({ s, ms: instantMs(business(dayStart(dueDay(s)))) }));
  const latestMs = Math.max(...live.map((l) => l.ms));
  let chosen = live.find((l) => l.ms === latestMs)?.s;
  for (const { s } of live.filter((l) => l.ms < latestMs)) {
    skipped.push({ stepId: s.id, cycleKey, reason: `superseded by ${chosen!.id}: caught up late, only the latest due step goes out` });
  }

  let oneNotchFirmer = false;
  if (promise.brokenUnanswered) {
    if (chosen) oneNotchFirmer = true;
    else chosen = pending.find((s) => applicable(s) && !windowPassed(s) && daysPastDue >= (minDaysPastDue[s.kind] ?? -Infinity));
  }

  // Catch-up never opens a cycle with a final notice, a call or a recommendation: the first written
  // message is a firm reminder, and what the policy had due now follows at its spacing.
  let caughtUp = false;
  if (chosen && !firstWritten && rankOf(chosen.kind) >= presumesEarlier) {
    const reminder = [...steps].reverse().find((s) => written(s) && s.kind !== 'prevention' && rankOf(s.kind) < presumesEarlier);
    if (reminder) {
      chosen = reminder;
      caughtUp = true;
      // The reminder goes out; the later steps are deferred to their spacing, not passed over.
      const deferred = new Set(steps.filter((s) => s === reminder || rankOf(s.kind) >= presumesEarlier).map((s) => s.id));
      for (let i = skipped.length - 1; i >= 0; i--) if (deferred.has(skipped[i].stepId)) skipped.splice(i, 1);
    }
  }

  // A client's reply holds written reminders (not calls or a manager's question) until its time.
  const hold = (facts.replyHolds ?? []).filter((h) => instantMs(h.until) > instantMs(actAt)).sort((a, b) => instantMs(b.until) - instantMs(a.until))[0];
  if (chosen && hold && written(chosen)) {
    return { type: 'wait', until: business(hold.until), reason: 'reply_hold', skipped, nextStepId: chosen.id };
  }

  if (chosen) {
    if (coolDownEnd && instantMs(coolDownEnd) > instantMs(actAt)) {
      return { type: 'wait', until: business(coolDownEnd), reason: 'cool_down', skipped, nextStepId: chosen.id };
    }
    const tone = calibrateTone(
      chosen.baseTone,
      warmth(toneFactsFromHistory(facts, actAt, { promiseGraceDays: rules.promiseGraceDays })).level,
    );
    const reasons: string[] = [];
    if (chosen.sensitive || alwaysSensitive.has(chosen.kind)) reasons.push('step_sensitive');
    if (chosen.humanOnly || alwaysHuman.has(chosen.kind) || chosen.channel !== 'email') reasons.push('human_only');
    if (facts.segment === 'key_account') reasons.push('key_account');
    if (facts.segment === 'sensitive') reasons.push('sensitive_segment');
    if (balanceCents >= rules.largeBalanceCents) reasons.push('large_balance');
    if (facts.disputes.some((d) => d.resolvedAt && daysBetween(localDate(d.resolvedAt, tz), actDay) <= RECENT_DISPUTE_DAYS)) {
      reasons.push('recent_dispute');
    }
    if (promise.brokenUnanswered) reasons.push('broken_promise');

    const step: PlannedStep = {
      stepId: chosen.id,
      kind: chosen.kind,
      channel: chosen.channel,
      tone: caughtUp ? 'firm' : oneNotchFirmer ? firmer(tone) : tone,
      cycleKey,
      invoiceIds: open.map((inv) => inv.id),
      balanceCents,
      daysPastDue,
      sensitiveReasons: reasons,
    };
    if (chosen.statesInterruption) {
      const after = chosen.interruptionAfterDays ?? DEFAULT_INTERRUPTION_AFTER_DAYS;
      step.interruptionDate = nextWorkingDay(addDays(actDay, after), facts.businessHours, facts.holidays);
    }
    return { type: 'act', at: actAt, step, skipped };
  }

  const next = pending.find((s) => dueDay(s) > actDay && applicable(s));
  if (!next) return idle('escalation_complete', skipped);
  const stepStart = dayStart(dueDay(next));
  const coolDownLater = coolDownEnd !== undefined && instantMs(coolDownEnd) > instantMs(stepStart);
  return {
    type: 'wait',
    until: business(coolDownLater ? laterOf(stepStart, coolDownEnd!) : stepStart),
    reason: coolDownLater ? 'cool_down' : 'next_step',
    skipped,
    nextStepId: next.id,
  };
}
