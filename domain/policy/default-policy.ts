/**
 * The escalation DESIGN.md describes, as data, plus the per-segment variants a new installation
 * starts with. Managers edit copies of these; the engine never assumes these exact values.
 */
import type { Segment } from '../facts';
import { PolicyDefinition, PolicyRules, type PolicyDefinitionInput } from './schema';

type StepInput = PolicyDefinitionInput['steps'][number];

export const defaultRules: PolicyRules = PolicyRules.parse({});

const defaultSteps: StepInput[] = [
  {
    id: 'prevention',
    kind: 'prevention',
    label: 'Upcoming due date',
    offsetDays: -3,
    // A heads-up after the due date would read as a reminder; on the day itself it still helps
    // (a D-3 that falls on a holiday weekend lands there).
    windowEndDays: 0,
    channel: 'email',
    baseTone: 'warm',
    sensitive: false,
  },
  {
    id: 'first_reminder',
    kind: 'first_reminder',
    label: 'First reminder',
    offsetDays: 3,
    windowEndDays: 9,
    channel: 'email',
    baseTone: 'warm',
    sensitive: false,
    requiresPayLink: true,
  },
  {
    id: 'second_reminder',
    kind: 'second_reminder',
    label: 'Second reminder',
    offsetDays: 10,
    windowEndDays: 20,
    channel: 'email',
    baseTone: 'neutral',
    sensitive: false,
    allowsConsequences: true,
    requiresPayLink: true,
  },
  {
    id: 'final_notice',
    kind: 'final_notice',
    label: 'Final written notice',
    offsetDays: 21,
    windowEndDays: 25,
    channel: 'email',
    baseTone: 'neutral',
    sensitive: true,
    allowsConsequences: true,
    statesInterruption: true,
    interruptionAfterDays: 10,
    requiresPayLink: true,
  },
  {
    id: 'call',
    kind: 'call',
    label: 'Phone call',
    offsetDays: 30,
    channel: 'call_task',
    baseTone: 'neutral',
    sensitive: false,
    humanOnly: true,
  },
  {
    id: 'service_pause',
    kind: 'service_pause',
    label: 'Service pause',
    offsetDays: 31,
    channel: 'recommendation',
    baseTone: 'neutral',
    sensitive: true,
    humanOnly: true,
    allowsConsequences: true,
    statesInterruption: true,
    conditions: { requiresNoCommitment: true },
  },
  {
    id: 'collections',
    kind: 'collections',
    label: 'Collections referral',
    offsetDays: 91,
    channel: 'recommendation',
    baseTone: 'neutral',
    sensitive: true,
    humanOnly: true,
    allowsConsequences: true,
    conditions: { minBalanceCents: defaultRules.collectionsFloorCents },
  },
];

const withSteps = (f: (s: StepInput) => StepInput): StepInput[] => defaultSteps.map(f);

export const defaultPolicyInput: PolicyDefinitionInput = {
  name: 'Default escalation',
  segments: [],
  steps: defaultSteps,
  rules: defaultRules,
};

export const defaultPolicy: PolicyDefinition = PolicyDefinition.parse(defaultPolicyInput);

/** Key accounts: the same stages, but a person signs off on every one of them. */
export const keyAccountPolicy: PolicyDefinition = PolicyDefinition.parse({
  name: 'Key accounts',
  segments: ['key_account'],
  steps: withSteps((s) => ({ ...s, sensitive: true })),
  rules: defaultRules,
});

/**
 * New clients have not learned how to pay us yet: an earlier heads-up, and an earlier first reminder
 * to catch set-up problems (wrong address, unregistered vendor) before they become lateness.
 */
export const newClientPolicy: PolicyDefinition = PolicyDefinition.parse({
  name: 'New clients',
  segments: ['new_client'],
  steps: withSteps((s) => {
    if (s.kind === 'prevention') return { ...s, offsetDays: -5 };
    if (s.kind === 'first_reminder') return { ...s, offsetDays: 2 };
    return s;
  }),
  rules: defaultRules,
});

/** Sensitive relationships: every stage waits for a person and the second reminder names no consequences. */
export const sensitiveClientPolicy: PolicyDefinition = PolicyDefinition.parse({
  name: 'Sensitive accounts',
  segments: ['sensitive'],
  steps: withSteps((s) => ({
    ...s,
    sensitive: true,
    allowsConsequences: s.kind === 'second_reminder' ? false : s.allowsConsequences,
  })),
  rules: defaultRules,
});

export const defaultPolicies: readonly PolicyDefinition[] = [
  defaultPolicy,
  keyAccountPolicy,
  newClientPolicy,
  sensitiveClientPolicy,
];

/** The policy for a segment: the first one naming it, else the first default (no segments), else the built-in default. */
export function policyForSegment(policies: readonly PolicyDefinition[], segment: Segment): PolicyDefinition {
  return (
    policies.find((p) => p.segments.includes(segment)) ??
    policies.find((p) => p.segments.length === 0) ??
    defaultPolicy
  );
}
