/**
 * A drafter backed by any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM), using
 * structured output. It only words the message: the model answers with prose and placeholders
 * (domain/drafting/prose.ts), never a figure, link or HTML of its own; the brief it sends is built by
 * the domain, and what comes back is validated here and checked and rendered by the safe drafter. The SDK does not retry; the
 * safe drafter and Temporal decide what happens after a failure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { Tone } from '../../domain/facts';
import { ProseAnswer, proseBrief, renderProse } from '../../domain/drafting/prose';
import { PROSE_WORD_LIMITS } from '../../domain/drafting/prose-check';
import type { DraftInput, Drafter, DrafterAnswer } from '../../domain/drafting/types';

export const DEFAULT_PROMPT_VERSION = 'draft-v2';
export const DEFAULT_PROMPT_DIR = path.resolve(__dirname, '../../prompts');

export interface OpenAiDrafterConfig {
  apiKey: string;
  /** Any OpenAI-compatible endpoint; the SDK's default (api.openai.com) when absent. */
  baseURL?: string;
  model: string;
  timeoutMs: number;
  promptVersion?: string;
  promptDir?: string;
  temperature?: number;
}

export type DrafterErrorKind = 'timeout' | 'connection' | 'rate_limited' | 'server' | 'rejected' | 'malformed' | 'refused';

export class DrafterError extends Error {
  override readonly name = 'DrafterError';
  constructor(
    readonly kind: DrafterErrorKind,
    message: string,
    /** Worth another attempt: the same request may succeed (429, 5xx, timeout, a malformed answer). */
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function loadPrompt(version: string, dir: string = DEFAULT_PROMPT_DIR): string {
  if (!/^[a-z0-9-]+$/.test(version)) throw new Error(`invalid prompt version "${version}"`);
  return readFileSync(path.join(dir, `${version}.md`), 'utf8');
}

/**
 * The schema the model is asked to fill. Length and range limits are left out because strict
 * structured output rejects some JSON Schema keywords; `ProseAnswer` enforces them on the answer.
 */
const ProseWire = z.object({
  subject: z.string(),
  paragraphs: z.array(z.string()),
  tone: Tone,
  confidence: z.number(),
});
const responseFormat = zodResponseFormat(ProseWire, 'follow_up_prose');

export function createOpenAiDrafter(config: OpenAiDrafterConfig): Drafter {
  const promptVersion = config.promptVersion ?? DEFAULT_PROMPT_VERSION;
  const system = loadPrompt(promptVersion, config.promptDir);
  const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseURL, maxRetries: 0, timeout: config.timeoutMs });

  return {
    name: `openai:${config.model}`,
    async draft(input: DraftInput, feedback?: string[]): Promise<DrafterAnswer> {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'system', content: system },
        { role: 'user', content: `Brief:\n${JSON.stringify(proseBrief(input, PROSE_WORD_LIMITS[input.step.kind] ?? 160), null, 2)}` },
      ];
      if (feedback?.length)
        messages.push({
          role: 'user',
          content:
            'Your previous draft was rejected by the check:\n' +
            feedback.map((f) => `- ${f}`).join('\n') +
            '\nWrite it again and fix every point. Prose only: every fact through a placeholder from the brief.',
        });

      let completion: OpenAI.Chat.Completions.ChatCompletion;
      const started = performance.now();
      try {
        completion = await client.chat.completions.create({
          model: config.model,
          messages,
          response_format: responseFormat,
          temperature: config.temperature ?? 0.3,
        });
      } catch (e) {
        throw classify(e, config.timeoutMs, performance.now() - started);
      }

      const message = completion.choices?.[0]?.message;
      if (message?.refusal) throw new DrafterError('refused', `the model refused: ${message.refusal}`, false);
      const content = message?.content;
      if (!content) throw new DrafterError('malformed', 'the answer had no content', true);
      let json: unknown;
      try {
        // Some OpenAI-compatible servers wrap JSON in a code fence even when asked for a schema.
        json = JSON.parse(content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ''));
      } catch (e) {
        throw new DrafterError('malformed', `the answer is not valid JSON (${(e as Error).message})`, true);
      }
      const parsed = ProseAnswer.safeParse(json);
      if (!parsed.success)
        throw new DrafterError(
          'malformed',
          `the answer does not match the prose schema: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
          true,
        );
      // The rendering here only fills the Drafter contract; the safe drafter checks the prose and renders again.
      return { ...renderProse(parsed.data, input), prose: parsed.data, promptVersion, model: completion.model || config.model };
    },
  };
}

function classify(e: unknown, timeoutMs: number, elapsedMs: number): DrafterError {
  // The SDK reports its own abort as a plain connection error when fetch's AbortError comes from
  // another realm (as under jest), so the elapsed time is the reliable sign of a timeout.
  if (e instanceof APIConnectionTimeoutError || (e instanceof APIConnectionError && elapsedMs >= timeoutMs * 0.95))
    return new DrafterError('timeout', `no answer within ${timeoutMs} ms`, true);
  if (e instanceof APIConnectionError) return new DrafterError('connection', `could not reach the model endpoint (${e.message})`, true);
  if (e instanceof APIError) {
    const status = e.status;
    if (status === 429) return new DrafterError('rate_limited', 'HTTP 429: rate limited by the model endpoint', true, status);
    if (status !== undefined && (status >= 500 || status === 408 || status === 409))
      return new DrafterError('server', `HTTP ${status} from the model endpoint`, true, status);
    return new DrafterError('rejected', `HTTP ${status ?? '?'} from the model endpoint: ${e.message}`, false, status);
  }
  return new DrafterError('connection', `model call failed: ${(e as Error)?.message ?? String(e)}`, true);
}
