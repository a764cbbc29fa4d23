/**
 * The only way the draft activity gets a message: every draft it returns has been fact-checked.
 * A model writes prose only: its prose passes the allow-list check, the product renders the message
 * from it (text and HTML) and the whole message passes the fact check. A model draft that fails (or a
 * model call that errors) is redrafted once with the failures fed back; after that the template draft
 * is used and the reasons are shown to the person who decides.
 */
import { factCheck } from '../../domain/drafting/fact-check';
import { ProseAnswer, renderProse } from '../../domain/drafting/prose';
import { checkProse } from '../../domain/drafting/prose-check';
import { TEMPLATE_VERSION, createTemplateDrafter } from '../../domain/drafting/templates';
import { DraftOutput } from '../../domain/drafting/types';
import type { DraftInput, DraftResult, Drafter, DrafterAnswer } from '../../domain/drafting/types';
import { DISPUTE_IN_REPLY } from '../../domain/replies/answer';
import { DrafterError } from './openai-drafter';

export interface SafeDrafterOptions {
  primary: Drafter;
  fallback?: Drafter;
  /** Calls to the primary drafter per message, the first included. */
  maxModelAttempts?: number;
  /** Model drafts less confident than this wait for a person. */
  minConfidence?: number;
}

export interface SafeDrafter {
  readonly name: string;
  draft(input: DraftInput): Promise<DraftResult>;
}

export function createSafeDrafter(options: SafeDrafterOptions): SafeDrafter {
  const fallback = options.fallback ?? createTemplateDrafter();
  const primary = options.primary;
  const maxAttempts = Math.max(1, options.maxModelAttempts ?? 2);
  const minConfidence = options.minConfidence ?? 0.6;
  const primaryIsTemplate = primary === fallback || primary.name === fallback.name;

  const draftLevelReasons = (draft: DraftOutput, input: DraftInput, fromModel: boolean): string[] => {
    const reasons: string[] = [];
    if (fromModel && draft.confidence < minConfidence)
      reasons.push(`the model is not confident in this draft (confidence ${draft.confidence.toFixed(2)})`);
    const reply = input.lastReply?.text;
    const hit = reply ? DISPUTE_IN_REPLY.exec(reply) : null;
    if (hit) reasons.push(`the client's last reply may raise a dispute ("${hit[0]}")`);
    if (/\bdisput\w*/i.test(`${draft.subject}\n${draft.bodyText}`)) reasons.push('the draft mentions a dispute');
    return reasons;
  };

  const useTemplate = async (input: DraftInput, attempts: number, whyNotModel: string[]): Promise<DraftResult> => {
    const answer = await fallback.draft(input);
    const output = DraftOutput.parse(strip(answer));
    const check = factCheck(output, input);
    const reasons = [...whyNotModel];
    if (!check.passed) reasons.push(`the template draft failed its fact check: ${check.failures.join('; ')}`);
    reasons.push(...draftLevelReasons(output, input, false));
    return {
      ...output,
      source: 'template',
      promptVersion: answer.promptVersion ?? TEMPLATE_VERSION,
      factCheck: { passed: check.passed, failures: check.failures },
      attempts,
      sensitiveReasons: reasons,
    };
  };

  return {
    name: primaryIsTemplate ? fallback.name : `safe(${primary.name})`,
    async draft(input: DraftInput): Promise<DraftResult> {
      if (primaryIsTemplate) return useTemplate(input, 1, []);

      const log: string[] = [];
      let feedback: string[] | undefined;
      let attempts = 0;
      while (attempts < maxAttempts) {
        attempts++;
        let answer: DrafterAnswer;
        try {
          answer = await primary.draft(input, feedback);
        } catch (e) {
          const err = e instanceof DrafterError ? e : undefined;
          log.push(`attempt ${attempts}: ${err?.message ?? (e as Error)?.message ?? String(e)}`);
          if (err?.kind === 'malformed') feedback = [`your previous answer was unusable: ${err.message}`];
          // A rejected request (bad key, unknown model) fails the same way twice.
          if (err && !err.transient) break;
          continue;
        }
        // A model's own subject, bodies and HTML are never used: only its prose, rendered here.
        const prose = ProseAnswer.safeParse(answer.prose);
        if (!prose.success) {
          const why = answer.prose
            ? prose.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
            : 'the drafter answered a whole message instead of prose with placeholders';
          log.push(`attempt ${attempts}: the answer is not usable prose (${why})`);
          feedback = [`your previous answer did not match the schema: ${why}`];
          continue;
        }
        const proseCheck = checkProse(prose.data, input);
        if (!proseCheck.passed) {
          log.push(`attempt ${attempts}: failed the prose check: ${proseCheck.failures.join('; ')}`);
          feedback = proseCheck.failures;
          continue;
        }
        const rendered = DraftOutput.safeParse(renderProse(prose.data, input));
        if (!rendered.success) {
          const why = rendered.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
          log.push(`attempt ${attempts}: the rendered message is not a valid draft (${why})`);
          feedback = [`the message built from your prose is not valid: ${why}`];
          continue;
        }
        const check = factCheck(rendered.data, input);
        if (check.passed) {
          return {
            ...rendered.data,
            source: 'model',
            model: answer.model ?? primary.name,
            promptVersion: answer.promptVersion ?? 'unknown',
            factCheck: { passed: true, failures: [] },
            proseCheck: { passed: true, failures: [] },
            attempts,
            sensitiveReasons: draftLevelReasons(rendered.data, input, true),
          };
        }
        log.push(`attempt ${attempts}: failed the fact check: ${check.failures.join('; ')}`);
        feedback = check.failures;
      }
      return useTemplate(input, attempts, [`the model draft was not used, the template was (${log.join(' | ')})`]);
    },
  };
}

function strip(answer: DrafterAnswer): DraftOutput {
  const { promptVersion: _p, model: _m, prose: _prose, ...output } = answer;
  return output;
}
