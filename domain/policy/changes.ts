/**
 * What a manager changed in a policy, in sentences, for the review before saving: a reviewer should
 * see "Final notice: sent 25 days after due instead of 30", not two screens of JSON to compare.
 * Pure: compares two definitions as data.
 */
import type { PolicyDefinition, PolicyStep } from './schema';

type Value = unknown;

const money = (cents: number) => `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
const days = (n: number) => `${n} ${Math.abs(n) === 1 ? 'day' : 'days'}`;
const relDays = (n: number) => (n === 0 ? 'on the due date' : n < 0 ? `${days(-n)} before due` : `${days(n)} after due`);
const yesNo = (v: Value) => (v ? 'yes' : 'no');
const plain = (v: Value): string => {
  if (v === undefined || v === null) return 'not set';
  if (Array.isArray(v)) return v.length ? v.map((x) => String(x).replace(/_/g, ' ')).join(', ') : 'none';
  if (typeof v === 'boolean') return yesNo(v);
  return String(v).replace(/_/g, ' ');
};

const ruleNames: Record<string, [string, (v: Value) => string]> = {
  coolDownDays: ['Days between two messages', (v) => days(Number(v))],
  promiseGraceDays: ['Grace after a promised date', (v) => days(Number(v))],
  largeBalanceCents: ['Large balance (always a person)', (v) => money(Number(v))],
  collectionsFloorCents: ['Collections floor', (v) => money(Number(v))],
  catchUpSpacingDays: ['Days between first message and final notice when catching up', (v) => days(Number(v))],
  approvalDeadlineHours: ['Approval deadline', (v) => `${Number(v)} hours`],
};

const stepFields: Record<string, [string, (v: Value) => string]> = {
  label: ['name', (v) => `“${plain(v)}”`],
  kind: ['kind', plain],
  offsetDays: ['sent', (v) => relDays(Number(v))],
  windowEndDays: ['last day it still applies', (v) => (v === undefined ? 'no limit' : relDays(Number(v)))],
  channel: ['channel', plain],
  baseTone: ['tone', plain],
  sensitive: ['always decided by a person', yesNo],
  humanOnly: ['taken by a person', yesNo],
  allowsConsequences: ['may name consequences', yesNo],
  statesInterruption: ['states a service interruption date', yesNo],
  interruptionAfterDays: ['service stops after', (v) => (v === undefined ? 'not set' : days(Number(v)))],
  requiresPayLink: ['includes the pay link', yesNo],
  enabled: ['switched on', yesNo],
};

const conditionFields: Record<string, [string, (v: Value) => string]> = {
  minBalanceCents: ['only from a balance of', (v) => (v === undefined ? 'any balance' : money(Number(v)))],
  segments: ['only for', (v) => (v === undefined ? 'every kind of client' : plain(v))],
  requiresNoCommitment: ['only without a promise to pay', (v) => yesNo(v)],
};

const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);
const field = (names: Record<string, [string, (v: Value) => string]>, key: string): [string, (v: Value) => string] =>
  names[key] ?? [key.replace(/([A-Z])/g, ' $1').toLowerCase(), plain];

function stepChanges(before: PolicyStep, after: PolicyStep): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => k !== 'id' && k !== 'conditions'));
  for (const k of keys) {
    const a = (before as Record<string, Value>)[k];
    const b = (after as Record<string, Value>)[k];
    if (same(a, b)) continue;
    const [name, show] = field(stepFields, k);
    out.push(`${after.label}: ${name} ${show(b)} (was ${show(a)})`);
  }
  const ca = (before.conditions ?? {}) as Record<string, Value>;
  const cb = (after.conditions ?? {}) as Record<string, Value>;
  for (const k of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
    if (same(ca[k], cb[k])) continue;
    const [name, show] = field(conditionFields, k);
    out.push(`${after.label}: ${name} ${show(cb[k])} (was ${show(ca[k])})`);
  }
  return out;
}

export function describePolicyChanges(before: PolicyDefinition, after: PolicyDefinition): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (k === 'steps' || k === 'rules') continue;
    const a = (before as Record<string, Value>)[k];
    const b = (after as Record<string, Value>)[k];
    if (!same(a, b)) out.push(`${k.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())}: ${plain(b)} (was ${plain(a)})`);
  }
  const rulesA = before.rules as Record<string, Value>;
  const rulesB = after.rules as Record<string, Value>;
  for (const k of new Set([...Object.keys(rulesA), ...Object.keys(rulesB)])) {
    if (same(rulesA[k], rulesB[k])) continue;
    const [name, show] = field(ruleNames, k);
    out.push(`${name.charAt(0).toUpperCase()}${name.slice(1)}: ${show(rulesB[k])} (was ${show(rulesA[k])})`);
  }
  const oldById = new Map(before.steps.map((s) => [s.id, s]));
  const newIds = new Set(after.steps.map((s) => s.id));
  for (const s of after.steps) {
    const old = oldById.get(s.id);
    if (!old) out.push(`New step: ${s.label}, sent ${relDays(s.offsetDays)} by ${plain(s.channel)}`);
    else out.push(...stepChanges(old, s));
  }
  for (const s of before.steps) if (!newIds.has(s.id)) out.push(`Step removed: ${s.label}`);
  const order = (steps: PolicyStep[]) => steps.filter((s) => oldById.has(s.id) && newIds.has(s.id)).map((s) => s.id);
  if (!same(order(before.steps), order(after.steps))) out.push(`Steps reordered: ${after.steps.map((s) => s.label).join(', ')}`);
  return out;
}
