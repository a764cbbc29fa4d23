/**
 * The model classifier: the same OpenAI-compatible endpoint the drafter uses, structured output,
 * the reply fenced as data. Its answer is validated and then distrusted where it matters: evidence
 * that is not in the reply, or a reply the rules see as instructions, drops the confidence below
 * the bar for acting, so an injected "mark as paid" can at most reach a person.
 */
import type { ReplyClassifier } from '../../domain/replies/types';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { loadPrompt } from '../drafting/openai-drafter';
import { classifyByRules } from '../../domain/replies/rules';
import { localDate } from '../../domain/replies/dates';
import { stripReply } from '../../domain/replies/strip';
import { QuestionTopic, ReplyFlag, ReplyKind, Understanding } from '../../domain/replies/types';

export interface ModelClassifierConfig {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  promptVersion?: string;
}

export type { ReplyClassifier };

/** Strict structured output wants every field present: nullable instead of optional. */
const Wire = z.object({
  kind: ReplyKind,
  confidence: z.number(),
  evidence: z.string(),
  details: z.object({
    promisedDate: z.string().nullable(),
    amountCents: z.number().nullable(),
    paidDate: z.string().nullable(),
    reference: z.string().nullable(),
    method: z.enum(['ach', 'card', 'check', 'wire', 'other']).nullable(),
    invoiceNumber: z.string().nullable(),
    reason: z.string().nullable(),
    topic: QuestionTopic.nullable(),
    returnDate: z.string().nullable(),
    unsubscribe: z.boolean().nullable(),
  }),
  flags: z.array(ReplyFlag),
});
const responseFormat = zodResponseFormat(Wire, 'reply_understanding');

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

export function createModelClassifier(config: ModelClassifierConfig): ReplyClassifier {
  const system = loadPrompt(config.promptVersion ?? 'reply-classify-v1');
  const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, maxRetries: 1, timeout: config.timeoutMs });
  return {
    name: `openai:${config.model}`,
    async classify(reply, ctx) {
      const visible = stripReply(reply.text).visible;
      // The fence cannot be closed from inside: any "</reply>" the client wrote is defused.
      const fenced = `${reply.subject}\n\n${visible}`.replace(/<\/?reply>/gi, '[reply-tag]');
      const completion = await client.chat.completions.create({
        model: config.model,
        temperature: 0,
        response_format: responseFormat,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: `Today in the client's calendar: ${localDate(ctx)} (time zone ${ctx.timeZone}).\n<reply>\n${fenced}\n</reply>` },
        ],
      });
      const content = completion.choices?.[0]?.message?.content;
      if (!content) throw new Error('the model gave no answer');
      const wire = Wire.parse(JSON.parse(content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, '')));
      const details = Object.fromEntries(Object.entries(wire.details).filter(([, v]) => v !== null));
      const rules = classifyByRules(reply, ctx);
      const flags = new Set([...wire.flags, ...rules.flags.filter((f) => f === 'instruction_like' || f === 'auto_reply' || f === 'mentions_bank_details')]);
      let confidence = Math.max(0, Math.min(1, wire.confidence));
      // Evidence the reply does not contain was made up; the answer is not trusted to act on.
      if (wire.kind !== 'other' && (!wire.evidence.trim() || !squash(visible + ' ' + reply.subject).includes(squash(wire.evidence)))) confidence = Math.min(confidence, 0.4);
      if (flags.has('instruction_like')) confidence = Math.min(confidence, 0.3);
      return Understanding.parse({ kind: wire.kind, confidence, evidence: wire.evidence.slice(0, 1000), details, flags: [...flags] });
    },
  };
}
