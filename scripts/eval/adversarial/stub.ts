/**
 * A local OpenAI-compatible chat-completions endpoint that answers every request with whatever the
 * current case says, as a misbehaving model would: the same bad answer on the redraft too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelStub {
  /** Base URL for the `openai` SDK, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  /** The assistant message content served to every request until changed. */
  content: string;
  /** When set, builds the content from the request instead (e.g. to echo the brief's tone). */
  respond?: (request: { messages: Array<{ role: string; content: string }> }) => string;
  requests: number;
  close(): Promise<void>;
}

export async function startModelStub(): Promise<ModelStub> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      stub.requests++;
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } }));
        return;
      }
      let model = 'stub-model';
      let content = stub.content;
      try {
        const request = JSON.parse(body) as { model?: string; messages: Array<{ role: string; content: string }> };
        model = request.model ?? model;
        if (stub.respond) content = stub.respond(request);
      } catch {
        // The SDK always sends JSON; a broken body still gets an answer so the case is measured.
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-adv-${stub.requests}`,
          object: 'chat.completion',
          created: 1_764_806_400,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 700, completion_tokens: 300, total_tokens: 1000 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stub: ModelStub = {
    url: `http://127.0.0.1:${port}/v1`,
    content: '',
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stub;
}
