/** Small helpers the browser tests share: waiting for a condition, and calling the API as the page would. */
import fs from 'node:fs';
import type { Page } from 'playwright-core';

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A same-origin request from inside the page, with the session cookie and CSRF token, as the app sends it. */
export async function apiFromPage(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, url, body },
  );
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function axeFindings(page: Page): Promise<string[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const results = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run: (ctx: unknown, opts: object) => Promise<any> }; document: unknown };
    return g.axe.run(g.document, { resultTypes: ['violations'] });
  });
  type Node = { target: string[]; html: string; any: { data?: { fgColor?: string; bgColor?: string; contrastRatio?: number } }[] };
  // For contrast, the colour pairs say what to fix; one example element each is enough to find it.
  const describe = (n: Node) => {
    const d = n.any[0]?.data;
    return d?.fgColor ? `${d.fgColor} on ${d.bgColor} (${d.contrastRatio}:1) e.g. ${n.html.slice(0, 90)}` : n.target.join(' ');
  };
  return (results.violations as { id: string; impact: string; help: string; nodes: Node[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const kinds = [...new Map(v.nodes.map((n) => [describe(n).split(' e.g. ')[0], describe(n)])).values()];
      return `${v.impact} ${v.id} (${v.help}) on ${v.nodes.length} element(s): ${kinds.slice(0, 8).join(' | ')}`;
    });
}
