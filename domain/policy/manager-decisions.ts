/**
 * Which drafts only a manager may decide: the one rule, by step kind, that the engine (next-action)
 * and the API's queue both read. A step's id is the policy author's name for it and may be renamed in
 * the editor; its kind is what it does. A service pause or a collections notice stays a manager's
 * decision whatever the step is called, and so does any letter.
 */
import { ANSWER_STEP_ID } from '../messages';
import type { Channel, PolicyDefinition, StepKind } from './schema';

export const MANAGER_STEP_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['service_pause', 'collections']);

export const stepNeedsManager = (step: { kind: StepKind; channel: Channel }) => step.channel === 'letter' || MANAGER_STEP_KINDS.has(step.kind);

/**
 * For a stored draft, which knows only its step id and channel: the kinds that id has in any policy
 * version that could have planned it. Fails closed: an id no policy knows (renamed since, deleted)
 * or one that is a manager's kind anywhere needs a manager.
 */
export function draftNeedsManager(draft: { stepId: string; channel: string }, policies: readonly PolicyDefinition[]): boolean {
  if (draft.channel === 'letter') return true;
  // An answer to a client's routine question is not a step of any policy: a clerk decides it.
  if (draft.stepId === ANSWER_STEP_ID) return false;
  const steps = policies.flatMap((p) => p.steps.filter((s) => s.id === draft.stepId));
  return steps.length === 0 || steps.some((s) => stepNeedsManager(s));
}
