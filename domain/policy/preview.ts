/**
 * What the policy would do to one account over the coming days if nothing else changed: no payment,
 * no reply, every routine step sent as planned. Managers see this before switching an account to
 * autonomous mode. Pure: it walks `nextAction` forward exactly as the workflow does.
 */
import type { AccountFacts, Instant, Mode } from '../facts';
import { nextAction } from './next-action';
import type { PolicyDefinition } from './schema';
import type { PlannedStep } from './types';

export interface PreviewItem {
  at: Instant;
  stepId: string;
  kind: PlannedStep['kind'];
  channel: PlannedStep['channel'];
  tone: PlannedStep['tone'];
  balanceCents: number;
  /** In the previewed mode: would a person have to approve it first, and why. */
  waitsForApproval: boolean;
  sensitiveReasons: string[];
}

export function previewSchedule(input: {
  policy: PolicyDefinition;
  facts: AccountFacts;
  now: Instant;
  days: number;
  mode: Mode;
}): PreviewItem[] {
  const end = Date.parse(input.now) + input.days * 86_400_000;
  let facts: AccountFacts = { ...input.facts, mode: input.mode };
  let now = input.now;
  const items: PreviewItem[] = [];
  // A policy has at most 20 steps; the bound only guards against a policy that never advances.
  for (let i = 0; i < 50; i++) {
    const next = nextAction({ policy: input.policy, facts, now });
    if (next.type === 'idle') break;
    const at = next.type === 'act' ? next.at : next.until;
    if (Date.parse(at) > end) break;
    if (next.type === 'wait') {
      now = at;
      continue;
    }
    const step = next.step;
    const humanStep = step.channel !== 'email';
    items.push({
      at: next.at,
      stepId: step.stepId,
      kind: step.kind,
      channel: step.channel,
      tone: step.tone,
      balanceCents: step.balanceCents,
      waitsForApproval: humanStep || input.mode === 'copilot' || step.sensitiveReasons.length > 0,
      sensitiveReasons: step.sensitiveReasons,
    });
    facts = { ...facts, sent: [...facts.sent, { stepId: step.stepId, cycleKey: step.cycleKey, sentAt: next.at, tone: step.tone }] };
    now = next.at;
  }
  return items;
}
