/** What changed between two versions of a policy, in words a manager reads on the timeline. */
import type { PolicyDefinition } from './schema';

/** Steps added, removed or edited, rules and segments; one line each. */
export function diffSummary(before: PolicyDefinition | null, after: PolicyDefinition): string[] {
  if (!before) return [`new policy with ${after.steps.length} steps`];
  const out: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(before.segments, after.segments)) out.push(`segments: ${before.segments.join(', ') || 'default'} → ${after.segments.join(', ') || 'default'}`);
  const old = new Map(before.steps.map((s) => [s.id, s]));
  const now = new Map(after.steps.map((s) => [s.id, s]));
  for (const s of after.steps) {
    const o = old.get(s.id);
    if (!o) {
      out.push(`step ${s.id} added (${s.kind}, day ${s.offsetDays})`);
      continue;
    }
    const keys = [...new Set([...Object.keys(o), ...Object.keys(s)])] as (keyof typeof s)[];
    const changed = keys.filter((k) => !same(o[k], s[k])).map((k) => `${k} ${JSON.stringify(o[k] ?? null)} → ${JSON.stringify(s[k] ?? null)}`);
    if (changed.length) out.push(`step ${s.id}: ${changed.join(', ')}`);
  }
  for (const s of before.steps) if (!now.has(s.id)) out.push(`step ${s.id} removed`);
  const order = (p: PolicyDefinition) => p.steps.filter((s) => old.has(s.id) && now.has(s.id)).map((s) => s.id);
  if (!same(order(before), order(after))) out.push('steps reordered');
  for (const k of Object.keys(after.rules) as (keyof PolicyDefinition['rules'])[])
    if (!same(before.rules[k], after.rules[k])) out.push(`rule ${k}: ${JSON.stringify(before.rules[k])} → ${JSON.stringify(after.rules[k])}`);
  return out.length ? out : ['no change to the definition'];
}

