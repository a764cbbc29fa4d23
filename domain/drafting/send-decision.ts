/**
 * Whether a drafted message needs a person before it is sent. The one rule the draft activity applies
 * and the adversarial eval measures: copilot mode always waits; autonomous mode sends only a draft
 * that passed its fact check with no sensitive reason from the policy or the drafter, and a model's
 * draft only when its prose passed the allow-list check too.
 */
import type { Mode } from '../facts';
import type { DraftResult } from './types';

export interface SendDecisionInput {
  mode: Mode;
  /** The policy's reasons for the step (key account, large balance, final notice …). */
  stepSensitiveReasons: readonly string[];
  draft: Pick<DraftResult, 'source' | 'factCheck' | 'sensitiveReasons' | 'proseCheck'>;
}

export interface SendDecision {
  requiresApproval: boolean;
  sensitiveReasons: string[];
}

export function decideSend(input: SendDecisionInput): SendDecision {
  const sensitiveReasons = [...new Set([...input.stepSensitiveReasons, ...input.draft.sensitiveReasons])];
  const modelUnchecked = input.draft.source === 'model' && input.draft.proseCheck?.passed !== true;
  if (modelUnchecked && sensitiveReasons.length === 0) sensitiveReasons.push('the model draft has no passed prose check');
  const requiresApproval = input.mode !== 'autonomous' || sensitiveReasons.length > 0 || !input.draft.factCheck.passed;
  return { requiresApproval, sensitiveReasons };
}
