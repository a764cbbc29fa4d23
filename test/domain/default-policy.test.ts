import {
  PolicyDefinition,
  defaultPolicies,
  defaultPolicy,
  defaultPolicyInput,
  keyAccountPolicy,
  newClientPolicy,
  policyForSegment,
  sensitiveClientPolicy,
} from '../../domain';

const step = (p: PolicyDefinition, id: string) => p.steps.find((s) => s.id === id)!;

describe('the default policy', () => {
  it('is the escalation from DESIGN.md, in order', () => {
    expect(defaultPolicy.steps.map((s) => [s.id, s.offsetDays, s.channel, s.baseTone])).toEqual([
      ['prevention', -3, 'email', 'warm'],
      ['first_reminder', 3, 'email', 'warm'],
      ['second_reminder', 10, 'email', 'neutral'],
      ['final_notice', 21, 'email', 'neutral'],
      ['call', 30, 'call_task', 'neutral'],
      ['service_pause', 31, 'recommendation', 'neutral'],
      ['collections', 91, 'recommendation', 'neutral'],
    ]);
    expect(defaultPolicy.segments).toEqual([]);
  });

  it('lets only the routine reminders go out on their own', () => {
    const autonomous = defaultPolicy.steps.filter((s) => !s.sensitive && !s.humanOnly).map((s) => s.id);
    expect(autonomous).toEqual(['prevention', 'first_reminder', 'second_reminder']);
  });

  it('names consequences only from the second reminder, and an interruption only in the final notice and pause', () => {
    expect(defaultPolicy.steps.filter((s) => s.allowsConsequences).map((s) => s.id)).toEqual([
      'second_reminder',
      'final_notice',
      'service_pause',
      'collections',
    ]);
    expect(step(defaultPolicy, 'first_reminder')).toMatchObject({ allowsConsequences: false, requiresPayLink: true });
    expect(step(defaultPolicy, 'final_notice')).toMatchObject({ windowEndDays: 25, statesInterruption: true, interruptionAfterDays: 10 });
  });

  it('recommends a service pause only without a commitment and collections only above the floor', () => {
    expect(step(defaultPolicy, 'service_pause').conditions).toEqual({ requiresNoCommitment: true });
    expect(step(defaultPolicy, 'collections').conditions).toEqual({ minBalanceCents: defaultPolicy.rules.collectionsFloorCents });
    expect(defaultPolicy.rules).toMatchObject({ coolDownDays: 3, promiseGraceDays: 2, collectionsFloorCents: 75_000 });
  });

  it('round-trips through the schema a manager edits it with', () => {
    expect(PolicyDefinition.parse(JSON.parse(JSON.stringify(defaultPolicy)))).toEqual(defaultPolicy);
    expect(PolicyDefinition.safeParse({ ...defaultPolicyInput, steps: [...defaultPolicyInput.steps].reverse() }).success).toBe(false);
  });
});

describe('segment policies', () => {
  it('makes every key-account and sensitive-account step wait for a person', () => {
    expect(keyAccountPolicy.steps.every((s) => s.sensitive)).toBe(true);
    expect(sensitiveClientPolicy.steps.every((s) => s.sensitive)).toBe(true);
    expect(step(sensitiveClientPolicy, 'second_reminder').allowsConsequences).toBe(false);
  });

  it('gives new clients an earlier heads-up and first reminder', () => {
    expect(step(newClientPolicy, 'prevention').offsetDays).toBe(-5);
    expect(step(newClientPolicy, 'first_reminder').offsetDays).toBe(2);
  });

  it('chooses the policy naming the segment, else the default', () => {
    expect(policyForSegment(defaultPolicies, 'key_account')).toBe(keyAccountPolicy);
    expect(policyForSegment(defaultPolicies, 'new_client')).toBe(newClientPolicy);
    expect(policyForSegment(defaultPolicies, 'sensitive')).toBe(sensitiveClientPolicy);
    expect(policyForSegment(defaultPolicies, 'long_term')).toBe(defaultPolicy);
    expect(policyForSegment(defaultPolicies, 'standard')).toBe(defaultPolicy);
  });

  it('prefers the installation’s own default over the built-in one', () => {
    const own = PolicyDefinition.parse({ ...defaultPolicyInput, name: 'Ours' });
    expect(policyForSegment([keyAccountPolicy, own], 'standard')).toBe(own);
    expect(policyForSegment([keyAccountPolicy], 'standard')).toBe(defaultPolicy);
  });
});
