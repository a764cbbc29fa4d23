/**
 * How far escalation has gone for an account: the step people see as its stage and the command
 * center's funnel counts it under. A stage is a fact about the past (the furthest step taken in the
 * current cycle) raised by what is in hand (a step due now or a draft waiting for a person) — never
 * blank just because the engine is waiting between steps or for a promise.
 */
import type { AccountFacts } from '../facts';
import { cycleKeyOf, openInvoices } from './next-action';
import { stepKinds, type PolicyDefinition, type StepKind } from './schema';
import type { NextAction } from './types';

const rank = (kind: StepKind) => stepKinds.indexOf(kind);

export function accountStage(input: { policy: PolicyDefinition; facts: AccountFacts; next: NextAction; pendingStepId?: string | null }): StepKind | null {
  const { policy, facts, next } = input;
  const open = openInvoices(facts.invoices);
  if (open.length === 0) return null;
  const cycleKey = cycleKeyOf(open[0]);
  // A rejected or suppressed step never reached the client, so the account is not at it.
  // Steps may be renamed or removed after they were taken; a step no longer in the policy says nothing.
  const kindOf = new Map(policy.steps.map((s) => [s.id, s.kind]));
  const reached: StepKind[] = facts.sent.filter((s) => s.cycleKey === cycleKey && s.delivered !== false && kindOf.has(s.stepId)).map((s) => kindOf.get(s.stepId)!);
  if (next.type === 'act') reached.push(next.step.kind);
  if (input.pendingStepId && kindOf.has(input.pendingStepId)) reached.push(kindOf.get(input.pendingStepId)!);
  return reached.reduce<StepKind | null>((best, k) => (best === null || rank(k) > rank(best) ? k : best), null);
}
