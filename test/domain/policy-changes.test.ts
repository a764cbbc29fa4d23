/** The policy review's sentences: each edit a manager can make is named in words, and nothing else is. */
import fc from 'fast-check';
import { describePolicyChanges } from '../../domain/policy/changes';
import { defaultPolicy } from '../../domain/policy/default-policy';
import { PolicyDefinition } from '../../domain/policy/schema';

const edit = (f: (p: PolicyDefinition) => void) => {
  const p = structuredClone(defaultPolicy);
  f(p);
  return PolicyDefinition.parse(p);
};

describe('describePolicyChanges', () => {
  it('says nothing changed for the same policy', () => {
    expect(describePolicyChanges(defaultPolicy, structuredClone(defaultPolicy))).toEqual([]);
  });

  it('names a moved step by its label, with the old and new day in words', () => {
    const step = defaultPolicy.steps.find((s) => s.kind === 'final_notice')!;
    const after = edit((p) => (p.steps.find((s) => s.id === step.id)!.offsetDays = step.offsetDays - 5));
    expect(describePolicyChanges(defaultPolicy, after)).toEqual([`${step.label}: sent ${step.offsetDays - 5} days after due (was ${step.offsetDays} days after due)`]);
  });

  it('names rules, added and removed steps without ids, JSON or camelCase', () => {
    const removed = defaultPolicy.steps[1];
    const after = edit((p) => {
      p.rules.coolDownDays = 9;
      p.rules.largeBalanceCents = 1_000_000;
      p.steps = p.steps.filter((s) => s.id !== removed.id);
      p.steps.splice(1, 0, { ...p.steps[0], windowEndDays: undefined, id: 'courtesy_call', label: 'Courtesy call', channel: 'call_task' });
    });
    const lines = describePolicyChanges(defaultPolicy, after);
    expect(lines).toEqual(
      expect.arrayContaining([
        `Days between two messages: 9 days (was ${defaultPolicy.rules.coolDownDays} days)`,
        `Large balance (always a person): $10,000 (was $${(defaultPolicy.rules.largeBalanceCents / 100).toLocaleString('en-US')})`,
        `New step: Courtesy call, sent ${Math.abs(defaultPolicy.steps[0].offsetDays)} days ${defaultPolicy.steps[0].offsetDays < 0 ? 'before' : 'after'} due by call task`,
        `Step removed: ${removed.label}`,
      ]),
    );
    for (const l of lines) expect(l).not.toMatch(/[{}"]|_|[a-z][A-Z]/);
  });

  it('reports every changed rule and only changed rules', () => {
    const ruleKeys = Object.keys(defaultPolicy.rules) as (keyof PolicyDefinition['rules'])[];
    fc.assert(
      fc.property(fc.subarray(ruleKeys), (keys) => {
        const after = edit((p) => keys.forEach((k) => (p.rules[k] = k === 'collectionsFloorCents' ? (p.rules[k] === 50_000 ? 60_000 : 50_000) : p.rules[k] + 1)));
        expect(describePolicyChanges(defaultPolicy, after)).toHaveLength(keys.length);
      }),
    );
  });
});
