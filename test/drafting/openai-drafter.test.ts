/**
 * The OpenAI drafter through the real `openai` SDK against a local OpenAI-compatible stub: every
 * outcome is a fact-checked draft or the template fallback, with a bounded number of requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAiDrafter } from '../../activities/drafting/openai-drafter';
import { createSafeDrafter } from '../../activities/drafting/safe-drafter';
import { factCheck } from '../../domain/drafting/fact-check';
import { createTemplateDrafter, renderTemplateDraft } from '../../domain/drafting/templates';
import type { DraftInput, DraftOutput, DraftResult } from '../../domain/drafting/types';
import { draftCase } from './builders';

type Reply = { status: number; body: unknown } | { delayMs: number } | { raw: string };

interface Stub {
  url: string;
  requests: Array<{ body: any; headers: http.IncomingHttpHeaders }>;
  replies: Reply[];
  close(): Promise<void>;
}

async function startStub(): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const replies: Reply[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      requests.push({ body: JSON.parse(data), headers: req.headers });
      const reply = replies.shift() ?? { status: 500, body: { error: { message: 'no reply queued' } } };
      if ('delayMs' in reply) {
        setTimeout(() => res.destroyed || res.end(), reply.delayMs).unref();
        return;
      }
      const text = 'raw' in reply ? reply.raw : JSON.stringify(reply.body);
      res.writeHead('raw' in reply ? 200 : reply.status, { 'content-type': 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    replies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const completion = (content: string) => ({
  status: 200,
  body: {
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    created: 1_742_482_800,
    model: 'stub-model-2025',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 900, completion_tokens: 400, total_tokens: 1300 },
  },
});
const answer = (draft: DraftOutput) => completion(JSON.stringify(draft));
const httpError = (status: number) => ({ status, body: { error: { message: `stub ${status}`, type: 'server_error', code: null } } });

/** A well-formed model answer: the template's facts in the model's own words. */
function modelDraft(input: DraftInput, change: (d: DraftOutput) => DraftOutput = (d) => d): DraftOutput {
  const t = renderTemplateDraft(input);
  return change({ ...t, subject: `Checking in on ${t.subject.split(': ').pop()}`, confidence: 0.88 });
}
const addText = (extra: string) => (d: DraftOutput): DraftOutput => ({ ...d, bodyText: `${d.bodyText}\n\n${extra}` });

describe('OpenAI drafter behind the safe drafter', () => {
  let stub: Stub;
  const input = draftCase({ kind: 'first_reminder', tone: 'warm', method: 'card' });

  beforeEach(async () => {
    stub = await startStub();
  });
  afterEach(async () => {
    await stub.close();
  });

  const safe = (timeoutMs = 2_000) =>
    createSafeDrafter({
      primary: createOpenAiDrafter({ apiKey: 'test-key', baseURL: stub.url, model: 'gpt-test', timeoutMs }),
      fallback: createTemplateDrafter(),
    });

  const expectChecked = (result: DraftResult) => {
    expect(factCheck(result, input).passed).toBe(true);
    expect(result.factCheck).toEqual({ passed: true, failures: [] });
  };
  const expectTemplateFallback = (result: DraftResult, reason: RegExp) => {
    expectChecked(result);
    expect(result.source).toBe('template');
    expect(result.promptVersion).toBe('template-v2');
    expect(result.subject).toBe(renderTemplateDraft(input).subject);
    expect(result.sensitiveReasons.join('\n')).toMatch(reason);
  };

  test('a good answer becomes a checked model draft after one request', async () => {
    stub.replies.push(answer(modelDraft(input)));
    const result = await safe().draft(input);
    expectChecked(result);
    expect(result).toMatchObject({ source: 'model', model: 'stub-model-2025', promptVersion: 'draft-v1', attempts: 1, sensitiveReasons: [] });
    expect(result.subject).toMatch(/^Checking in on/);
    expect(stub.requests).toHaveLength(1);

    const req = stub.requests[0];
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.body.model).toBe('gpt-test');
    expect(req.body.response_format.type).toBe('json_schema');
    expect(req.body.response_format.json_schema.strict).toBe(true);
    expect(req.body.messages[0].content).toMatch(/accounts-receivable follow-up email/);
    const brief = req.body.messages[1].content as string;
    expect(brief).toContain('INV-10231');
    expect(brief).toContain('$2,267.50');
    // Only what the message needs: no internal ids, no contact details.
    for (const secret of ['inv_10231', 'inv_10262', 'dana@contoso-dental.example', '+1 312 555 0142', 'cycleKey', 'accountId'])
      expect(brief).not.toContain(secret);
  });

  test('malformed JSON is redrafted once with the problem fed back', async () => {
    stub.replies.push(completion('{"subject": "Reminder", "bodyText": '), answer(modelDraft(input)));
    const result = await safe().draft(input);
    expectChecked(result);
    expect(result).toMatchObject({ source: 'model', attempts: 2 });
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1].body.messages.at(-1).content).toMatch(/not valid JSON/);
  });

  test('an answer that does not fit the schema twice falls back to the template', async () => {
    stub.replies.push(completion('{"subject": "x"}'), completion('"just a string"'));
    const result = await safe().draft(input);
    expectTemplateFallback(result, /does not match the draft schema/);
    expect(result.attempts).toBe(2);
    expect(stub.requests).toHaveLength(2);
  });

  test('a hallucinated amount fails twice and ends in the template, marked sensitive', async () => {
    const bad = modelDraft(input, addText('Including the late charge, you now owe $2,367.50.'));
    stub.replies.push(answer(bad), answer(bad));
    const result = await safe().draft(input);
    expectTemplateFallback(result, /\$2,367\.50/);
    expect(result.attempts).toBe(2);
    expect(stub.requests).toHaveLength(2);
    const feedback = stub.requests[1].body.messages.at(-1).content as string;
    expect(feedback).toMatch(/rejected by the fact check/);
    expect(feedback).toMatch(/\$2,367\.50/);
  });

  test('forbidden language is redrafted, and a clean redraft is used', async () => {
    stub.replies.push(answer(modelDraft(input, addText('Please note a late fee applies and we may suspend service.'))), answer(modelDraft(input)));
    const result = await safe().draft(input);
    expectChecked(result);
    expect(result).toMatchObject({ source: 'model', attempts: 2 });
    expect(result.bodyText).not.toMatch(/late fee|suspend/);
    expect(stub.requests[1].body.messages.at(-1).content).toMatch(/late fee/);
  });

  test('429 twice falls back to the template after two requests', async () => {
    stub.replies.push(httpError(429), httpError(429));
    const result = await safe().draft(input);
    expectTemplateFallback(result, /HTTP 429/);
    expect(stub.requests).toHaveLength(2);
  });

  test('a 500 then a good answer gives the model draft', async () => {
    stub.replies.push(httpError(500), answer(modelDraft(input)));
    const result = await safe().draft(input);
    expectChecked(result);
    expect(result).toMatchObject({ source: 'model', attempts: 2 });
    expect(stub.requests).toHaveLength(2);
  });

  test('500 twice falls back to the template', async () => {
    stub.replies.push(httpError(500), httpError(503));
    const result = await safe().draft(input);
    expectTemplateFallback(result, /HTTP 500.*HTTP 503/);
    expect(stub.requests).toHaveLength(2);
  });

  test('a timeout on every attempt falls back to the template within the bounded time', async () => {
    stub.replies.push({ delayMs: 5_000 }, { delayMs: 5_000 });
    const started = performance.now();
    const result = await safe(300).draft(input);
    expect(performance.now() - started).toBeLessThan(3_000);
    expectTemplateFallback(result, /no answer within 300 ms/);
    expect(stub.requests).toHaveLength(2);
  });

  test('a rejected request (bad key) is not repeated', async () => {
    stub.replies.push(httpError(401));
    const result = await safe().draft(input);
    expectTemplateFallback(result, /HTTP 401/);
    expect(result.attempts).toBe(1);
    expect(stub.requests).toHaveLength(1);
  });

  test('low confidence and a dispute in the last reply make a checked draft sensitive', async () => {
    stub.replies.push(answer(modelDraft(input, (d) => ({ ...d, confidence: 0.4 }))));
    const disputed = { ...input, lastReply: { receivedAt: '2025-03-19T14:00:00.000Z', text: 'We were double billed for February, this is not what we agreed.' } };
    const result = await safe().draft(disputed);
    expect(result.source).toBe('model');
    expect(result.factCheck.passed).toBe(true);
    expect(result.sensitiveReasons).toEqual([
      'the model is not confident in this draft (confidence 0.40)',
      `the client's last reply may raise a dispute ("double billed")`,
    ]);
  });

  test('the template drafter on its own returns a checked template draft', async () => {
    const result = await createSafeDrafter({ primary: createTemplateDrafter() }).draft(input);
    expectChecked(result);
    expect(result).toMatchObject({ source: 'template', promptVersion: 'template-v2', attempts: 1, sensitiveReasons: [] });
  });
});
